#!/usr/bin/env python3
"""Draw every engraved outline of a Cube Engraving folder, one placement each, as a PNG.

The Cube Engraving meshes are blocks with one shape engraved into one side; files
`<class>_<n>.obj` with the same `n // 10` are one outline in ten placements. This script takes
the first file of every outline, finds the engraving (the faces with a vertex strictly inside
the block's bounding box), projects it onto the side it is cut into, and draws it filled,
centred in a tile at one common scale (`--zoom` tile widths per side of the block), so that
sizes compare across tiles. One band of rows per class in folder order, outlines in number
order (`n // 10`, ten to a row, left to right); outlines of the test split are drawn in red,
those of the training split in black.

    python3 scripts/analysis/engraving_outlines.py ../shared/data/meshes/cubes_partial \
        -o docs/img/cubes_partial_outlines.png

Python 3 standard library only (the PNG is written with zlib); the picture is written to a
temporary file beside the output and renamed when complete.
"""

import argparse
import os
import re
import struct
import sys
import zlib
from pathlib import Path

NAME = re.compile(r"^(?P<stem>.*?)(?P<n>\d+)\.obj$", re.IGNORECASE)
TILE = 96
COLUMNS = 10
INK = {"train": (0, 0, 0), "test": (200, 30, 30)}


def read_obj(path: Path) -> tuple[list[list[float]], list[list[int]]]:
    """Vertices and triangles (fans for polygons) of an OBJ file; exits naming the file on error."""
    vertices, faces = [], []
    try:
        for line in path.read_text().splitlines():
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "v":
                vertices.append([float(x) for x in parts[1:4]])
            elif parts[0] == "f":
                idx = [int(p.split("/")[0]) - 1 for p in parts[1:]]
                faces.extend([idx[0], idx[k], idx[k + 1]] for k in range(1, len(idx) - 1))
    except (OSError, ValueError) as e:
        raise SystemExit(f"{path}: cannot read as OBJ ({e})")
    if not vertices or not faces:
        raise SystemExit(f"{path}: no vertices or no faces")
    return vertices, faces


def engraving(vertices, faces):
    """The engraving's triangles projected onto the engraved side, in units of the block's side."""
    lo = [min(v[i] for v in vertices) for i in range(3)]
    hi = [max(v[i] for v in vertices) for i in range(3)]
    side = max(h - l for h, l in zip(hi, lo))
    eps = 1e-3 * side
    inside = [all(lo[i] + eps < v[i] < hi[i] - eps for i in range(3)) for v in vertices]
    cut = [v for v, ins in zip(vertices, inside) if ins]
    if not cut:
        return []
    # The engraved side is the one the inner vertices lie closest to.
    depth = [sum(min(v[i] - lo[i], hi[i] - v[i]) for v in cut) for i in range(3)]
    axis = depth.index(min(depth))
    a, b = [i for i in range(3) if i != axis]
    triangles = [
        [(vertices[k][a] / side, vertices[k][b] / side) for k in face]
        for face in faces
        if any(inside[k] for k in face)
    ]
    return triangles


def fill(pixels, width, triangle, colour):
    """Fills a triangle (pixel coordinates) into a row-major RGB byte array."""
    (x0, y0), (x1, y1), (x2, y2) = triangle
    area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
    if area == 0:
        return
    height = len(pixels) // (3 * width)
    for y in range(max(0, int(min(y0, y1, y2))), min(height, int(max(y0, y1, y2)) + 1)):
        for x in range(max(0, int(min(x0, x1, x2))), min(width, int(max(x0, x1, x2)) + 1)):
            px, py = x + 0.5, y + 0.5
            w0 = (x1 - px) * (y2 - py) - (x2 - px) * (y1 - py)
            w1 = (x2 - px) * (y0 - py) - (x0 - px) * (y2 - py)
            w2 = (x0 - px) * (y1 - py) - (x1 - px) * (y0 - py)
            if (w0 >= 0 and w1 >= 0 and w2 >= 0) or (w0 <= 0 and w1 <= 0 and w2 <= 0):
                o = 3 * (y * width + x)
                pixels[o : o + 3] = bytes(colour)


def write_png(path: Path, pixels: bytearray, width: int, height: int) -> None:
    """An 8-bit RGB PNG, written to a temporary file and renamed."""
    raw = b"".join(b"\x00" + bytes(pixels[3 * width * y : 3 * width * (y + 1)]) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(png)
    os.replace(partial, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="MeshCNN-layout folder (<class>/{train,test}/*.obj)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="PNG to write")
    parser.add_argument("--group-size", type=int, default=10, help="files per outline")
    parser.add_argument("--zoom", type=float, default=2.2, help="tile widths per block side")
    args = parser.parse_args()

    if not args.output.parent.resolve().is_dir():
        raise SystemExit(f"{args.output}: its folder does not exist")
    classes = sorted(d for d in args.data.iterdir() if d.is_dir()) if args.data.is_dir() else []
    if not classes:
        raise SystemExit(f"{args.data}: no class folders")
    bands = []
    for class_dir in classes:
        first: dict[int, tuple[int, str, Path]] = {}
        for split in ("train", "test"):
            folder = class_dir / split
            for path in sorted(folder.iterdir()) if folder.is_dir() else []:
                match = NAME.match(path.name)
                if match is None:
                    continue
                n = int(match["n"])
                g = n // args.group_size
                if g not in first or n < first[g][0]:
                    first[g] = (n, split, path)
        if not first:
            raise SystemExit(f"{class_dir}: no numbered .obj files in train/ or test/")
        bands.append([first[g] for g in sorted(first)])
        tests = [g for g in sorted(first) if first[g][1] == "test"]
        print(f"{class_dir.name}: {len(first)} outlines, test outlines {tests}")

    rows = sum((len(b) + COLUMNS - 1) // COLUMNS for b in bands) + len(bands) - 1
    width, height = COLUMNS * TILE, rows * TILE
    pixels = bytearray([255]) * (3 * width * height)
    row = 0
    for band in bands:
        for k, (_, split, path) in enumerate(band):
            triangles = engraving(*read_obj(path))
            if not triangles:
                raise SystemExit(f"{path}: no engraving (no vertex inside the bounding box)")
            xs = [p[0] for t in triangles for p in t]
            ys = [p[1] for t in triangles for p in t]
            cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
            ox, oy = (k % COLUMNS) * TILE + TILE / 2, (row + k // COLUMNS) * TILE + TILE / 2
            scale = TILE * args.zoom
            for d in range(TILE):
                for x, y in ((ox - TILE / 2 + d, oy - TILE / 2), (ox - TILE / 2, oy - TILE / 2 + d)):
                    o = 3 * (int(y) * width + int(x))
                    pixels[o : o + 3] = bytes((200, 200, 200))
            for t in triangles:
                fill(pixels, width, [(ox + (x - cx) * scale, oy - (y - cy) * scale) for x, y in t], INK[split])
        row += (len(band) + COLUMNS - 1) // COLUMNS + 1
    write_png(args.output, pixels, width, height)
    print(f"wrote {args.output} ({width}×{height})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
