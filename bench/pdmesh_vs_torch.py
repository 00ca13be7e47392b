#!/usr/bin/env python3
"""PD-MeshNet training on MSB in PyTorch (CPU) and in Tessera, side by side.

    python bench/pdmesh_vs_torch.py [--msb ../shared/data/meshes/msb] [--epochs 3] [--threads 2]

Needs torch and numpy in the running Python (pip install torch numpy); no torch_geometric or
torch_scatter (the scatters are torch's own `index_add_` / `scatter_reduce`). PD-MeshNet's own
code cannot run here (it needs PyMesh), so the PyTorch side is a twin written for this benchmark
from Tessera's layer definitions (tessera-gnn `PrimalDualConv`, `FaceClusterPool`; tessera-train
`PdMeshNet`, `PdBlock`), the paper's SHREC/Cube configuration that `mesh_timing train` times:

- two residual blocks of 64 and 128 channels, 3 attention heads averaged: a primal-dual
  convolution (graph attention on the dual graph without self-loops, then the primal update whose
  attention logits come from the new dual features), ReLU, BatchNorm, a second convolution, the
  skip, ReLU, GroupNorm(16), ReLU;
- after each block, face-cluster pooling: pair scores are the primal attention averaged over
  heads and both directions, the top 20 % of pairs are contracted with union-find (ties to the
  lower pair, the smaller face as root), faces and pairs merged by their mean, the dual graph
  (configuration A: pairs sharing a face) rebuilt for every mesh on the CPU;
- the mean over each mesh's dual nodes, dense 100, ReLU, the class scores; cross-entropy, Adam
  (lr 1e-3), batches of 8 meshes in a random order.

Both sides train on exactly the same inputs: `mesh_timing export` writes the training split as
Tessera reads it (log features, z-scored; face pairs) and the PyTorch side reads that file. Each
side runs in its own process: PyTorch with --threads intra-op threads, Tessera with burn's flex
backend on all cores. The script prints a Markdown table of median seconds per epoch, their ratio,
and each process's peak resident memory.
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
OUT = ROOT / "bench" / "out"


def torch_side(args):
    import numpy as np
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    data = json.loads(Path(args.export).read_text())
    dp0, dd0, classes = data["primal_features"], data["dual_features"], data["classes"]

    def line_graph(p):
        """Directed dual edges (configuration A): every two pairs `p` [P, 2] that share a face, sorted."""
        inc_face = np.concatenate([p[:, 0], p[:, 1]])
        inc_pair = np.concatenate([np.arange(len(p)), np.arange(len(p))])
        order = np.lexsort((inc_pair, inc_face))
        inc_face, inc_pair = inc_face[order], inc_pair[order]
        src, dst = [], []
        for d in range(1, len(inc_face)):
            same = inc_face[d:] == inc_face[:-d]
            if not same.any():
                break
            a, b = inc_pair[:-d][same], inc_pair[d:][same]
            src += [a, b]
            dst += [b, a]
        e = np.unique(np.stack([np.concatenate(src), np.concatenate(dst)], 1), axis=0)
        return e

    class Mesh:
        """One mesh's graphs: faces, pairs (i < j), directed primal edges 2k: i→j, 2k+1: j→i."""

        def __init__(self, faces, pairs):
            self.faces = faces
            self.pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
            self.dual_edges = line_graph(self.pairs)

    class Batch:
        def __init__(self, meshes):
            self.meshes = meshes
            fo = np.cumsum([0] + [m.faces for m in meshes])
            po = np.cumsum([0] + [len(m.pairs) for m in meshes])
            self.face_offsets, self.pair_offsets = fo, po
            psrc, pdst, dsrc, ddst = [], [], [], []
            for m, f, p in zip(meshes, fo, po):
                i, j = m.pairs[:, 0] + f, m.pairs[:, 1] + f
                psrc.append(np.stack([i, j], 1).reshape(-1))
                pdst.append(np.stack([j, i], 1).reshape(-1))
                dsrc.append(m.dual_edges[:, 0] + p)
                ddst.append(m.dual_edges[:, 1] + p)
            t = lambda v: torch.from_numpy(np.concatenate(v))
            self.primal_src, self.primal_dst = t(psrc), t(pdst)
            self.dual_of_edge = torch.arange(len(self.primal_src)) // 2
            self.dual_src, self.dual_dst = t(dsrc), t(ddst)
            self.dual_mesh = torch.from_numpy(
                np.repeat(np.arange(len(meshes)), [len(m.pairs) for m in meshes]))

    def segment_softmax(logits, index, n):
        """Softmax of `logits` [E, H] over the edges that share `index` (their target)."""
        h = logits.shape[1]
        idx = index.unsqueeze(1).expand(-1, h)
        top = torch.full((n, h), -torch.inf).scatter_reduce(0, idx, logits, "amax", include_self=True)
        e = torch.exp(logits - top.gather(0, idx))
        total = torch.zeros(n, h).index_add_(0, index, e)
        return e / total.gather(0, idx)

    def scatter_sum(values, index, n):
        return torch.zeros(n, values.shape[1]).index_add_(0, index, values)

    def scatter_mean(values, index, n):
        count = torch.zeros(n).index_add_(0, index, torch.ones(len(index))).clamp_min(1)
        return scatter_sum(values, index, n) / count.unsqueeze(1)

    class PrimalDualConv(torch.nn.Module):
        def __init__(self, dp, dd, c, heads=3):
            super().__init__()
            self.h, self.c = heads, c
            self.dual_lin = torch.nn.Linear(dd, heads * c, bias=False)
            std = (2.0 / (1 + c)) ** 0.5
            self.att_src = torch.nn.Parameter(torch.randn(heads, c) * std)
            self.att_dst = torch.nn.Parameter(torch.randn(heads, c) * std)
            self.dual_bias = torch.nn.Parameter(torch.zeros(heads * c))
            self.primal_lin = torch.nn.Linear(dp, heads * c, bias=False)
            self.att = torch.nn.Parameter(torch.randn(heads, c) * std)
            self.bias = torch.nn.Parameter(torch.zeros(c))

        def forward(self, primal, dual, b):
            h, c = self.h, self.c
            nd, np_ = dual.shape[0], primal.shape[0]
            hs = self.dual_lin(dual).reshape(nd, h, c)
            a_s, a_t = (hs * self.att_src).sum(2), (hs * self.att_dst).sum(2)
            alpha = segment_softmax(F.leaky_relu(a_s[b.dual_src] + a_t[b.dual_dst], 0.2), b.dual_dst, nd)
            msg = (hs[b.dual_src] * alpha.unsqueeze(2)).reshape(-1, h * c)
            new_dual = scatter_sum(msg, b.dual_dst, nd) + self.dual_bias
            of_edge = new_dual.reshape(nd, h, c)[b.dual_of_edge]
            beta = segment_softmax(F.leaky_relu((of_edge * self.att).sum(2), 0.2), b.primal_dst, np_)
            proj = self.primal_lin(primal).reshape(np_, h, c)
            msg = (proj[b.primal_src] * beta.unsqueeze(2)).reshape(-1, h * c)
            out = scatter_sum(msg, b.primal_dst, np_).reshape(np_, h, c).mean(1) + self.bias
            return out, new_dual.reshape(nd, h, c).mean(1), beta

    class Block(torch.nn.Module):
        def __init__(self, dp, dd, c):
            super().__init__()
            self.conv0 = PrimalDualConv(dp, dd, c)
            self.bn_p, self.bn_d = torch.nn.BatchNorm1d(c), torch.nn.BatchNorm1d(c)
            self.conv1 = PrimalDualConv(c, c, c)
            self.gn_p, self.gn_d = torch.nn.GroupNorm(16, c), torch.nn.GroupNorm(16, c)

        def forward(self, p, d, b):
            p1, d1, _ = self.conv0(p, d, b)
            p2, d2, att = self.conv1(self.bn_p(F.relu(p1)), self.bn_d(F.relu(d1)), b)
            p, d = F.relu(p2 + p1), F.relu(d2 + d1)
            return F.relu(self.gn_p(p)), F.relu(self.gn_d(d)), att

    def pool(p, d, att, b, keep=0.8):
        """Face-cluster pooling of every mesh of the batch (on the CPU, mesh by mesh)."""
        a = att.detach().mean(1).numpy()
        face_map, pair_map, meshes = [], [], []
        new_faces = new_pairs = 0
        for m, fo, po in zip(b.meshes, b.face_offsets, b.pair_offsets):
            k = len(m.pairs)
            scores = 0.5 * (a[2 * po:2 * (po + k):2] + a[2 * po + 1:2 * (po + k):2])
            order = np.argsort(-scores, kind="stable")[: int((1 - keep) * k + 1e-9)]
            parent = list(range(m.faces))

            def find(x):
                while parent[x] != x:
                    parent[x] = parent[parent[x]]
                    x = parent[x]
                return x

            for q in order:
                ri, rj = find(int(m.pairs[q, 0])), find(int(m.pairs[q, 1]))
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
            roots = np.array([find(f) for f in range(m.faces)])
            ids = np.full(m.faces, -1)
            uniq = np.unique(roots)
            ids[uniq] = np.arange(len(uniq))
            cluster = ids[roots]
            ci, cj = cluster[m.pairs[:, 0]], cluster[m.pairs[:, 1]]
            keys = np.stack([np.minimum(ci, cj), np.maximum(ci, cj)], 1)
            alive = ci != cj
            new_index, pairs, to_new = {}, [], np.full(k, -1)
            for q in np.nonzero(alive)[0]:
                key = (int(keys[q, 0]), int(keys[q, 1]))
                if key not in new_index:
                    new_index[key] = len(pairs)
                    pairs.append(key)
                to_new[q] = new_index[key]
            face_map.append(cluster + new_faces)
            pair_map.append(np.where(to_new >= 0, to_new + new_pairs, -1))
            new_faces += len(uniq)
            new_pairs += len(pairs)
            meshes.append(Mesh(len(uniq), pairs))
        face_map = torch.from_numpy(np.concatenate(face_map))
        pair_map = np.concatenate(pair_map)
        kept = torch.from_numpy(np.nonzero(pair_map >= 0)[0])
        targets = torch.from_numpy(pair_map[pair_map >= 0])
        p = scatter_mean(p, face_map, new_faces)
        d = scatter_mean(d[kept], targets, new_pairs)
        return p, d, Batch(meshes)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = torch.nn.ModuleList([Block(dp0, dd0, 64), Block(64, 64, 128)])
            self.hidden = torch.nn.Linear(128, 100)
            self.out = torch.nn.Linear(100, classes)

        def forward(self, p, d, b):
            for block in self.blocks:
                p, d, att = block(p, d, b)
                p, d, b = pool(p, d, att, b)
            per_mesh = scatter_mean(d, b.dual_mesh, len(b.meshes))
            return self.out(F.relu(self.hidden(per_mesh)))

    samples = []
    for s in data["meshes"]:
        m = Mesh(s["faces"], s["pairs"])
        samples.append((m, np.asarray(s["primal"], np.float32).reshape(-1, dp0),
                        np.asarray(s["dual"], np.float32).reshape(-1, dd0), s["class"]))
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    times, losses = [], []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        order = rng.permutation(len(samples))
        total = 0.0
        for start in range(0, len(order), 8):
            chunk = [samples[i] for i in order[start:start + 8]]
            b = Batch([c[0] for c in chunk])
            p = torch.from_numpy(np.concatenate([c[1] for c in chunk]))
            d = torch.from_numpy(np.concatenate([c[2] for c in chunk]))
            y = torch.tensor([c[3] for c in chunk])
            opt.zero_grad()
            loss = F.cross_entropy(net(p, d, b), y)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(chunk)
        times.append(time.perf_counter() - t0)
        losses.append(total / len(samples))
    print(json.dumps({
        "train_meshes": len(samples),
        "epochs": args.epochs,
        "seconds_per_epoch_median": float(np.median(times)),
        "seconds_per_epoch": times,
        "train_loss": losses,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__,
    }))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--msb", default=str(ROOT.parent / "shared" / "data" / "meshes" / "msb"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--torch-side", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--export", default=str(OUT / "msb_train.json"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_side:
        return torch_side(args)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tessera-bench", "--bin", "mesh_timing"],
                   cwd=ROOT, check=True)
    timing = str(target / "release" / "mesh_timing")
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([timing, "export", args.msb, args.export], capture_output=True, check=True)
    ours = json.loads(subprocess.run([timing, "train", args.msb, str(args.epochs)],
                                     capture_output=True, text=True, check=True).stdout)
    theirs = json.loads(subprocess.run(
        [sys.executable, __file__, "--torch-side", "--epochs", str(args.epochs), "--threads",
         str(args.threads), "--export", args.export], capture_output=True, text=True, check=True).stdout)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; commit {commit}; "
          f"torch {theirs['torch']} ({args.threads} threads); {ours['train_meshes']} MSB training meshes, "
          f"median of {args.epochs} epochs")
    print()
    print("| | Tessera (flex) | PyTorch twin | ratio time Tessera/PyTorch |")
    print("|---|---|---|---|")
    o, t = ours["seconds_per_epoch_median"], theirs["seconds_per_epoch_median"]
    print(f"| seconds per training epoch | {o:.2f} | {t:.2f} | {o / t:.2f} |")
    print(f"| peak resident memory (MB) | {ours['peak_rss_mb']:.0f} | {theirs['peak_rss_mb']:.0f} | "
          f"{ours['peak_rss_mb'] / theirs['peak_rss_mb']:.2f} |")
    print()
    print(f"PyTorch twin training loss per epoch: {', '.join(f'{x:.3f}' for x in theirs['train_loss'])}")


if __name__ == "__main__":
    sys.exit(main())
