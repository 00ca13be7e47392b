#!/usr/bin/env python3
"""The GIN graph classifier trained with PyTorch Geometric (CPU) and with Tessera, side by side.

    python bench/gin_vs_pyg.py [--data ../shared/data/graphs/MUTAG ../shared/data/graphs/PROTEINS]
                               [--epochs 5] [--threads 2]

Needs torch, torch_geometric and numpy in the running Python (pip install torch torch_geometric
numpy). Both sides train the same network on all graphs of each data set, one process each, one
after the other: 4 GIN-0 layers (MLP Linear-ReLU-Linear, hidden 64, ReLU after each layer), a sum
readout of every layer including the one-hot node labels, one linear scorer per layer with
dropout 0.5, scores summed; cross-entropy, Adam at 0.01, batches of 32 graphs in the same fixed
order. Tessera's side is `gin_timing` (release build). The script prints the median seconds per
epoch (after a warm-up epoch), the ratio Tessera / PyG, and each process's peak resident memory.
"""
import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_tu(folder):
    import numpy as np
    import torch
    from torch_geometric.data import Data

    name = Path(folder).name
    read = lambda s: np.loadtxt(Path(folder) / f"{name}_{s}.txt", delimiter=",", dtype=np.int64, ndmin=1)
    edges = read("A") - 1
    graph_of = read("graph_indicator") - 1
    labels = read("graph_labels")
    classes = {v: i for i, v in enumerate(sorted(set(labels.tolist())))}
    node_labels = read("node_labels")
    values = sorted(set(node_labels.tolist()))
    x = np.zeros((len(node_labels), len(values)), dtype=np.float32)
    x[np.arange(len(node_labels)), [values.index(v) for v in node_labels]] = 1.0
    graphs = []
    starts = np.searchsorted(graph_of, np.arange(graph_of.max() + 2))
    for g in range(graph_of.max() + 1):
        lo, hi = starts[g], starts[g + 1]
        mask = (graph_of[edges[:, 0]] == g)
        e = edges[mask] - lo
        graphs.append(Data(x=torch.from_numpy(x[lo:hi]), edge_index=torch.from_numpy(e.T.copy()),
                           y=torch.tensor([classes[labels[g]]])))
    return name, graphs, x.shape[1], len(classes)


def pyg_side(args):
    import numpy as np
    import torch
    from torch_geometric.loader import DataLoader
    from torch_geometric.nn import GINConv, global_add_pool

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    out = {}
    for folder in args.data:
        name, graphs, features, classes = load_tu(folder)
        order = sorted(range(len(graphs)), key=lambda i: (i * 0x9E3779B97F4A7C15) % (1 << 64))
        data = [graphs[i] for i in order]

        class Gin(torch.nn.Module):
            def __init__(self):
                super().__init__()
                widths = [features] + [64] * 4
                self.convs = torch.nn.ModuleList(
                    GINConv(torch.nn.Sequential(torch.nn.Linear(a, b), torch.nn.ReLU(), torch.nn.Linear(b, b)))
                    for a, b in zip(widths, widths[1:]))
                self.scorers = torch.nn.ModuleList(torch.nn.Linear(w, classes) for w in widths)
                self.drop = torch.nn.Dropout(0.5)

            def forward(self, b):
                h = b.x
                score = self.scorers[0](self.drop(global_add_pool(h, b.batch)))
                for conv, scorer in zip(self.convs, self.scorers[1:]):
                    h = torch.relu(conv(h, b.edge_index))
                    score = score + scorer(self.drop(global_add_pool(h, b.batch)))
                return score

        net = Gin()
        opt = torch.optim.Adam(net.parameters(), lr=0.01)
        lossf = torch.nn.CrossEntropyLoss()
        loader = DataLoader(data, batch_size=32, shuffle=False)

        def epoch():
            for b in loader:
                opt.zero_grad()
                loss = lossf(net(b), b.y)
                loss.backward()
                opt.step()

        epoch()
        times = []
        for _ in range(args.epochs):
            t0 = time.perf_counter()
            epoch()
            times.append(time.perf_counter() - t0)
        out[name] = {"epoch_seconds": float(np.median(times)), "graphs": len(graphs),
                     "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                     "torch": torch.__version__}
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", nargs="+", default=[str(ROOT.parent / "shared/data/graphs/MUTAG"),
                                                  str(ROOT.parent / "shared/data/graphs/PROTEINS")])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--pyg-side", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.pyg_side:
        return pyg_side(args)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tessera-bench", "--bin", "gin_timing"],
                   cwd=ROOT, check=True)
    ours = json.loads(subprocess.run([str(ROOT / "target" / "release" / "gin_timing"), str(args.epochs)]
                                     + args.data, capture_output=True, text=True, check=True).stdout)
    theirs = json.loads(subprocess.run([sys.executable, __file__, "--pyg-side", "--epochs", str(args.epochs),
                                        "--threads", str(args.threads), "--data"] + args.data,
                                       capture_output=True, text=True, check=True).stdout)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    import torch_geometric
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; commit {commit}; "
          f"torch {next(iter(theirs.values()))['torch']}, torch_geometric {torch_geometric.__version__} "
          f"({args.threads} threads); median of {args.epochs} epochs")
    print()
    print("| data set | graphs | Tessera (s/epoch) | PyG (s/epoch) | ratio Tessera/PyG | peak MB Tessera / PyG |")
    print("|---|---|---|---|---|---|")
    for name, o in ours.items():
        t = theirs[name]
        print(f"| {name} | {o['graphs']} | {o['epoch_seconds']:.3f} | {t['epoch_seconds']:.3f} | "
              f"{o['epoch_seconds'] / t['epoch_seconds']:.2f} | {o['peak_rss_mb']:.0f} / {t['peak_rss_mb']:.0f} |")


if __name__ == "__main__":
    main()
