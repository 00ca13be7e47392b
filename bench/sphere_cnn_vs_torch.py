#!/usr/bin/env python3
"""The NNhealpix sphere CNN trained and applied in PyTorch (CPU) and in Tessera, side by side.

    python bench/sphere_cnn_vs_torch.py [--nside 16 64] [--steps 20] [--batch 32] [--threads 2]

Needs torch and numpy in the running Python (pip install torch numpy). Both sides run the same
network on the same machine in one invocation: blocks of 9-pixel stencil convolution (32 filters
with bias; one gather through the NESTED stencil table, missing neighbours reading an appended
zero pixel, then one matrix product) + ReLU + max pooling by 4 down to nside 2, flatten, dropout
0.2, dense 48, ReLU, dense 9; cross-entropy and Adam (lr 1e-3), batch --batch. Tessera's side is
`sphere_timing` (built in release mode), which also writes the stencil tables PyTorch gathers
with. Each side runs in its own process, one after the other; PyTorch with --threads intra-op
threads, Tessera with burn's flex backend on all cores (the machine's 2). The script prints a
Markdown table of medians (maps per second) and ratios, and the peak resident memory of each
process.
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

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    results = {}
    for nside in args.nside:
        npix = 12 * nside * nside
        blocks = int(np.log2(nside)) - 1
        tables = []
        for b in range(blocks):
            n = nside >> b
            t = np.fromfile(OUT / f"stencil_nside{n}.i64", dtype="<i8")
            tables.append(torch.from_numpy(t))

        class StencilConv(torch.nn.Module):
            def __init__(self, table, cin, cout):
                super().__init__()
                self.register_buffer("table", table)
                self.linear = torch.nn.Linear(9 * cin, cout)

            def forward(self, x):  # [B, npix, C]
                b, n, c = x.shape
                padded = torch.cat([x, x.new_zeros(b, 1, c)], dim=1)
                cols = padded.index_select(1, self.table).reshape(b, n, 9 * c)
                return self.linear(cols)

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                convs, cin = [], 1
                for t in tables:
                    convs.append(StencilConv(t, cin, 32))
                    cin = 32
                self.convs = torch.nn.ModuleList(convs)
                self.drop = torch.nn.Dropout(0.2)
                self.hidden = torch.nn.Linear(48 * 32, 48)
                self.out = torch.nn.Linear(48, 9)

            def forward(self, x):
                for conv in self.convs:
                    h = torch.relu(conv(x))
                    b, n, c = h.shape
                    x = h.reshape(b, n // 4, 4, c).amax(dim=2)
                x = x.reshape(x.shape[0], -1)
                return self.out(torch.relu(self.hidden(self.drop(x))))

        net = Net()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        lossf = torch.nn.CrossEntropyLoss()
        x = torch.from_numpy(((np.arange(args.batch * npix, dtype=np.float32) * 0.618) % 1.0 - 0.5)
                             .reshape(args.batch, npix, 1))
        y = torch.arange(args.batch) % 9

        def step():
            opt.zero_grad()
            loss = lossf(net(x), y)
            loss.backward()
            opt.step()
            return float(loss)

        step()
        times = []
        for _ in range(args.steps):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        train = float(np.median(times))
        net.eval()
        xe = torch.from_numpy(((np.arange(128 * npix, dtype=np.float32) * 0.618) % 1.0 - 0.5)
                              .reshape(128, npix, 1))
        with torch.no_grad():
            net(xe)
            times = []
            for _ in range(max(3, min(args.steps, 10))):
                t0 = time.perf_counter()
                net(xe)
                times.append(time.perf_counter() - t0)
        infer = float(np.median(times))
        results[f"nside{nside}"] = {
            "train_maps_per_second": args.batch / train,
            "infer_maps_per_second": 128 / infer,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "torch": torch.__version__,
        }
    print(json.dumps(results))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nside", type=int, nargs="+", default=[16, 64])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--torch-side", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_side:
        return torch_side(args)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tessera-bench", "--bin", "sphere_timing"],
                   cwd=ROOT, check=True)
    ours = json.loads(subprocess.run(
        [str(ROOT / "target" / "release" / "sphere_timing"), str(OUT), str(args.batch), str(args.steps)]
        + [str(n) for n in args.nside], capture_output=True, text=True, check=True).stdout)
    theirs = json.loads(subprocess.run(
        [sys.executable, __file__, "--torch-side", "--steps", str(args.steps), "--batch", str(args.batch),
         "--threads", str(args.threads), "--nside"] + [str(n) for n in args.nside],
        capture_output=True, text=True, check=True).stdout)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    torch_version = next(iter(theirs.values()))["torch"]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; commit {commit}; "
          f"torch {torch_version} ({args.threads} threads); batch {args.batch}, median of {args.steps} steps")
    print()
    print("| nside | what | Tessera (maps/s) | PyTorch (maps/s) | ratio time Tessera/PyTorch |")
    print("|---|---|---|---|---|")
    for n in args.nside:
        k = f"nside{n}"
        for what, key in [("training", "train_maps_per_second"), ("inference", "infer_maps_per_second")]:
            o, t = ours[k][key], theirs[k][key]
            print(f"| {n} | {what} | {o:.0f} | {t:.0f} | {t / o:.2f} |")
    print()
    for n in args.nside:
        k = f"nside{n}"
        print(f"peak memory after nside {n}: Tessera {ours[k]['peak_rss_mb']:.0f} MB, "
              f"PyTorch {theirs[k]['peak_rss_mb']:.0f} MB (whole process)")


if __name__ == "__main__":
    main()
