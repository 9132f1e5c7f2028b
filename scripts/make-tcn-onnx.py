#!/usr/bin/env python3
"""Writes a TEMPONet-style time-domain TCN as ONNX, built with the onnx Python helper (not by pulse).

  "$py" scripts/make-tcn-onnx.py OUT.onnx [--seed 1]

After Risso et al. (TEMPONet for PPG heart rate): input [batch, 4, 256] (PPG + three accelerometer axes); three
blocks of two dilated 3-tap convolutions and one 5-tap convolution, each followed by batch normalisation and
ReLU, with 32, 64 and 128 channels and dilations 2, 4 and 8, each block ending in 2:1 average pooling; then
fully connected layers 4096 → 256 → 128 → 1. The convolutions are written as 2-D over [batch, C, 1, L], the form
onnxruntime runs fastest on this machine (TOOLCHAIN.md), so that the comparison is against its best. Weights are
random (He-uniform) and batch normalisation statistics random but plausible: the file is for speed and import
checks, not for estimating heart rate. Opset 17.
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    nodes, initializers = [], []

    def constant(name, values):
        initializers.append(numpy_helper.from_array(np.asarray(values, dtype=np.float32), name))
        return name

    def he(shape, fan_in):
        bound = np.sqrt(6.0 / fan_in)
        return rng.uniform(-bound, bound, size=shape)

    initializers.append(numpy_helper.from_array(np.array([2], dtype=np.int64), "unsqueeze_axes"))
    nodes.append(helper.make_node("Unsqueeze", ["window", "unsqueeze_axes"], ["x0"], name="unsqueeze"))
    x, channels, length = "x0", 4, 256
    for block, (width, dilation) in enumerate([(32, 2), (64, 4), (128, 8)]):
        for layer, (taps, dil) in enumerate([(3, dilation), (3, dilation), (5, 1)]):
            name = f"block{block + 1}.conv{layer + 1}"
            pad = dil * (taps - 1) // 2
            w = constant(name + ".weight", he((width, channels, 1, taps), channels * taps))
            b = constant(name + ".bias", rng.uniform(-0.1, 0.1, size=width))
            nodes.append(helper.make_node("Conv", [x, w, b], [name + ".y"], name=name, kernel_shape=[1, taps],
                                          dilations=[1, dil], pads=[0, pad, 0, pad], strides=[1, 1], group=1))
            scale = constant(name + ".bn.scale", rng.uniform(0.8, 1.2, size=width))
            shift = constant(name + ".bn.shift", rng.uniform(-0.1, 0.1, size=width))
            mean = constant(name + ".bn.mean", rng.uniform(-0.1, 0.1, size=width))
            var = constant(name + ".bn.var", rng.uniform(0.5, 1.5, size=width))
            nodes.append(helper.make_node("BatchNormalization", [name + ".y", scale, shift, mean, var], [name + ".bn"],
                                          name=name + ".bn", epsilon=1e-5))
            nodes.append(helper.make_node("Relu", [name + ".bn"], [name + ".relu"], name=name + ".relu"))
            x, channels = name + ".relu", width
        pooled = f"block{block + 1}.pool"
        nodes.append(helper.make_node("AveragePool", [x], [pooled], name=pooled, kernel_shape=[1, 2], strides=[1, 2]))
        x, length = pooled, length // 2
    nodes.append(helper.make_node("Flatten", [x], ["flat"], name="flatten", axis=1))
    x, features = "flat", channels * length
    for index, width in enumerate([256, 128, 1]):
        name = f"fc{index + 1}"
        w = constant(name + ".weight", he((width, features), features))
        b = constant(name + ".bias", rng.uniform(-0.1, 0.1, size=width))
        out = "score" if width == 1 else name + ".y"
        nodes.append(helper.make_node("Gemm", [x, w, b], [out], name=name, transB=1))
        if width != 1:
            nodes.append(helper.make_node("Relu", [out], [name + ".relu"], name=name + ".relu"))
            out = name + ".relu"
        x, features = out, width
    graph = helper.make_graph(
        nodes, "temponet",
        [helper.make_tensor_value_info("window", TensorProto.FLOAT, ["batch", 4, 256])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["batch", 1])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make-tcn-onnx.py")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, args.out)


if __name__ == "__main__":
    main()
