#!/usr/bin/env python3
"""Two small NNhealpix models in Keras's HDF5 layout, and their outputs, for the test of
`tessera import nnhealpix`.

Run by a human, never by CI:

    python3 -m venv /tmp/hpenv && /tmp/hpenv/bin/pip install healpy==1.20.1 numpy==2.4.6 h5py==3.16.0
    /tmp/hpenv/bin/python scripts/golden/nnhealpix_keras_fixture.py data/nnhealpix

Each model is NNhealpix's MNIST architecture made small: two blocks of `ConvNeighbours`
(an `OrderMap` gathering every RING pixel's 9-pixel stencil, then a bias-free `Conv1D` with
kernel 9 and stride 9), ReLU and `MaxPooling`/`AveragePooling` (an `OrderMap` gathering each
coarse pixel's 4 children, then a 1-D pooling by 4), from nside 8 to 2, then Dropout,
Flatten, Dense + ReLU and Dense + softmax. The file follows what Keras 2's `save_model`
writes: the root attributes `model_config` (JSON), `keras_version` and `backend`; the group
`model_weights` with the attribute `layer_names`; one group per layer with the attribute
`weight_names`, and a dataset per weight at `model_weights/<layer>/<weight name>`.

The two files differ where NNhealpix's versions differ:
- `tiny_keras2.h5`: the gather indices in each OrderMap's config (`indices`, as its
  `get_config` returns them), max pooling, the activations as separate layers, Flatten
  channels-last;
- `tiny_tf2.h5`: the gather indices stored as the OrderMap's weight (TensorFlow 2 tracks the
  layer's `K.variable`), the stencil slots centre first, missing neighbours as -1, average
  pooling, activations inside the Dense layers, Flatten channels-first.

A third file, `tiny_bad_stencil.h5`, is `tiny_keras2.h5` with two neighbours of one pixel
swapped in the first stencil gather: the importer must refuse it.

The outputs (`expected.json`) are computed here with numpy, following Keras's definitions of
each layer: gather on the map with a zero pixel appended, Conv1D, pooling, Flatten, Dense,
softmax. The stencil follows NNhealpix's `filter`: healpy's neighbours SW, W, NW, N, then the
pixel, then NE, E, SE, S.
"""
import json
import os
import sys

import h5py
import healpy as hp
import numpy as np

SEED = 20261210
REQUIRED_HEALPY = "1.20.1"
NSIDE = 8
WIDTHS = [3, 4]
DENSE = 5
CLASSES = 3
MAPS = 4


def stencil(nside, centre_first):
    """NNhealpix's `filter(nside)`: per RING pixel its 9-pixel stencil, missing = npix."""
    npix = hp.nside2npix(nside)
    rows = []
    for p in range(npix):
        nb = list(hp.get_all_neighbours(nside, p))
        row = [p] + nb if centre_first else nb[:4] + [p] + nb[4:]
        rows.extend(row)
    out = np.array(rows, dtype=np.int32)
    if not centre_first:
        out[out < 0] = npix
    return out


def dgrade(nside_in, nside_out):
    """NNhealpix's `dgrade`: per RING pixel of nside_out its 4 RING children at nside_in."""
    rows = []
    for j in range(hp.nside2npix(nside_out)):
        parent = hp.ring2nest(nside_out, j)
        children = [hp.nest2ring(nside_in, 4 * parent + k) for k in range(4)]
        rows.extend(children[::-1])
    return np.array(rows, dtype=np.int32)


def gather(x, indices):
    """OrderMap.call: x [B, n, C] with a zero pixel appended, gathered along the pixels."""
    zero = np.zeros((x.shape[0], 1, x.shape[2]), dtype=x.dtype)
    return np.concatenate([x, zero], axis=1)[:, indices, :]


def conv1d(x, kernel, stride):
    """Keras Conv1D, valid padding, no bias: kernel [k, C_in, C_out]."""
    b, n, c = x.shape
    k = kernel.shape[0]
    steps = (n - k) // stride + 1
    windows = np.stack([x[:, s * stride : s * stride + k, :] for s in range(steps)], axis=1)
    return np.einsum("bskc,kco->bso", windows, kernel)


def pool(x, size, kind):
    b, n, c = x.shape
    w = x[:, : n // size * size, :].reshape(b, n // size, size, c)
    return w.max(axis=2) if kind == "max" else w.mean(axis=2)


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def layer(class_name, name, **config):
    config["name"] = name
    return {"class_name": class_name, "name": name, "config": config, "inbound_nodes": []}


def build(variant, rng):
    keras2 = variant == "keras2"
    pooling = "MaxPooling1D" if keras2 else "AveragePooling1D"
    npix = hp.nside2npix(NSIDE)
    layers = [layer("InputLayer", "input_1", batch_input_shape=[None, npix, 1], dtype="float32")]
    weights = {}  # layer name -> [(weight name, array)]
    x_ops = []  # the forward pass, as (kind, data)
    nside, c_in = NSIDE, 1
    for i, width in enumerate(WIDTHS):
        idx = stencil(nside, centre_first=not keras2)
        om = f"order_map_{2 * i + 1}"
        if keras2:
            layers.append(layer("OrderMap", om, trainable=True, indices=idx.tolist()))
        else:
            layers.append(layer("OrderMap", om, trainable=True))
            weights[om] = [(f"{om}/Variable:0", idx)]
        x_ops.append(("gather", idx))
        conv = f"conv1d_{i + 1}"
        kernel = rng.normal(0.0, 0.4, size=(9, c_in, width)).astype(np.float32)
        layers.append(
            layer(
                "Conv1D",
                conv,
                filters=width,
                kernel_size=[9],
                strides=[9],
                padding="valid",
                data_format="channels_last",
                activation="linear",
                use_bias=False,
            )
        )
        weights[conv] = [(f"{conv}/kernel:0", kernel)]
        x_ops.append(("conv", kernel))
        layers.append(layer("Activation", f"activation_{i + 1}", activation="relu"))
        x_ops.append(("relu", None))
        down = dgrade(nside, nside // 2)
        om = f"order_map_{2 * i + 2}"
        if keras2:
            layers.append(layer("OrderMap", om, trainable=True, indices=down.tolist()))
        else:
            layers.append(layer("OrderMap", om, trainable=True))
            weights[om] = [(f"{om}/Variable:0", down)]
        x_ops.append(("gather", down))
        pname = f"{'max' if keras2 else 'average'}_pooling1d_{i + 1}"
        layers.append(layer(pooling, pname, pool_size=[4], strides=[4], padding="valid"))
        x_ops.append(("pool", "max" if keras2 else "mean"))
        nside //= 2
        c_in = width
    layers.append(layer("Dropout", "dropout_1", rate=0.2))
    flatten_format = "channels_last" if keras2 else "channels_first"
    layers.append(layer("Flatten", "flatten_1", data_format=flatten_format))
    x_ops.append(("flatten", flatten_format))
    flat = hp.nside2npix(nside) * c_in
    for j, (units, act) in enumerate([(DENSE, "relu"), (CLASSES, "softmax")]):
        name = f"dense_{j + 1}"
        kernel = rng.normal(0.0, 0.5, size=(flat if j == 0 else DENSE, units)).astype(np.float32)
        bias = rng.normal(0.0, 0.1, size=units).astype(np.float32)
        layers.append(
            layer("Dense", name, units=units, activation="linear" if keras2 else act, use_bias=True)
        )
        weights[name] = [(f"{name}/kernel:0", kernel), (f"{name}/bias:0", bias)]
        x_ops.append(("dense", (kernel, bias)))
        if keras2:
            layers.append(layer("Activation", f"activation_{3 + j}", activation=act))
        x_ops.append((act, None))
    config = {"class_name": "Model", "config": {"name": "model_1", "layers": layers}}
    return config, weights, x_ops


def forward(x_ops, maps):
    x = maps[:, :, None].astype(np.float32)
    for kind, data in x_ops:
        if kind == "gather":
            x = gather(x, data)
        elif kind == "conv":
            x = conv1d(x, data, 9)
        elif kind == "relu":
            x = np.maximum(x, 0.0)
        elif kind == "pool":
            x = pool(x, 4, data)
        elif kind == "flatten":
            x = x.transpose(0, 2, 1) if data == "channels_first" else x
            x = x.reshape(x.shape[0], -1)
        elif kind == "dense":
            x = x @ data[0] + data[1]
        elif kind == "softmax":
            x = softmax(x)
    return x


def write(path, config, weights):
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.2.4"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        g = f.create_group("model_weights")
        names = [l["name"] for l in config["config"]["layers"]]
        g.attrs["layer_names"] = np.array([n.encode("utf8") for n in names])
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = b"2.2.4"
        for name in names:
            lg = g.create_group(name)
            ws = weights.get(name, [])
            lg.attrs["weight_names"] = np.array([w.encode("utf8") for w, _ in ws], dtype="S")
            for wname, value in ws:
                lg.create_dataset(wname, data=value)


def main(out_dir):
    if hp.__version__ != REQUIRED_HEALPY:
        sys.exit(f"need healpy {REQUIRED_HEALPY}, found {hp.__version__}")
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(SEED)
    npix = hp.nside2npix(NSIDE)
    maps = rng.uniform(0.0, 1.0, size=(MAPS, npix)).astype(np.float32)
    expected = {"nside": NSIDE, "maps_ring": maps.astype(float).tolist(), "models": {}}
    for variant in ["keras2", "tf2"]:
        config, weights, x_ops = build(variant, rng)
        file = f"tiny_{variant}.h5"
        write(os.path.join(out_dir, file), config, weights)
        probs = forward(x_ops, maps)
        expected["models"][file] = probs.astype(float).tolist()
        if variant == "keras2":
            first = config["config"]["layers"][1]["config"]["indices"]
            first[9 * 5 + 1], first[9 * 5 + 7] = first[9 * 5 + 7], first[9 * 5 + 1]
            write(os.path.join(out_dir, "tiny_bad_stencil.h5"), config, weights)
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main(sys.argv[1])
