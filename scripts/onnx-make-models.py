#!/usr/bin/env python3
"""Writes small test models with the onnx Python helper, for testing `pulse import onnx` against onnxruntime.

Run with the venv's python (scripts/onnx-env.sh prints its path):

  "$py" scripts/onnx-make-models.py temponet OUT.onnx [--seed 1]
  "$py" scripts/onnx-make-models.py operators OUT.onnx [--seed 1]

temponet reads a window [batch, 4, 256] and returns a distribution over 113 rate bins [batch, 113]. It uses what a
model made by another tool brings: dilated 1-D convolutions without bias followed by BatchNormalization and Relu, a
grouped convolution, a depthwise convolution with a residual Add, AveragePool, a 1-D convolution written as a 2-D
Conv over [N, C, 1, L] (Unsqueeze, stride 2), a genuine 2-D Conv after a Reshape, MaxPool, Flatten, Gemm (transB 1
and 0, alpha and beta), Softmax.

operators reads x [batch, 3, 6, 8] and returns three outputs. It covers the other operators pulse reads, in the
forms other tools write them: Transpose (one that needs slices, one that only moves an axis of 1), Squeeze,
Unsqueeze, GlobalAveragePool, ReduceMean with keepdims, ReduceSum with axes as an input, ReduceMax, Pad (positive
and negative), Slice (negative bounds), Concat, MatMul (an activation by a 3-D constant, a constant by an
activation, two activations), Sub and Div with the constant first, Clip, Sigmoid, Tanh, Exp, Log, Abs, Identity,
Dropout, Constant, AveragePool with count_include_pad 0 over padding, MaxPool with padding after Relu, a standalone
BatchNormalization, Softmax along a middle axis.

Weights are random (numpy, from --seed); each file is checked with onnx.checker.
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Builder:
    """Nodes and initializers of a model being written."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.initializers = []
        self.nodes = []

    def weight(self, name, shape, scale=None):
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        values = self.rng.uniform(-1, 1, size=shape) * (scale if scale is not None else np.sqrt(3.0 / fan_in))
        return self.array(name, values.astype(np.float32))

    def array(self, name, values):
        self.initializers.append(numpy_helper.from_array(np.asarray(values), name))
        return name

    def node(self, op, inputs, name, **attributes):
        self.nodes.append(helper.make_node(op, inputs, [f"{name}.out"], name=f"/{name}/{op}", **attributes))
        return f"{name}.out"

    def batch_norm(self, name, source, channels):
        rng = self.rng
        inputs = [source,
                  self.array(f"{name}.scale", (1 + rng.uniform(-0.3, 0.3, channels)).astype(np.float32)),
                  self.array(f"{name}.shift", rng.uniform(-0.2, 0.2, channels).astype(np.float32)),
                  self.array(f"{name}.mean", rng.uniform(-0.1, 0.1, channels).astype(np.float32)),
                  self.array(f"{name}.var", rng.uniform(0.5, 2.0, channels).astype(np.float32))]
        return self.node("BatchNormalization", inputs, name, epsilon=1e-5)

    def model(self, name, inputs, outputs, doc):
        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.initializers)
        model = helper.make_model(graph, producer_name="onnx-make-models", opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        model.doc_string = doc
        onnx.checker.check_model(model, full_check=True)
        return model


def temponet(seed):
    b = Builder(seed)
    weight, node = b.weight, b.node
    # Dilated 1-D convolution without bias, BatchNormalization, Relu.
    x = node("Conv", ["window", weight("conv1.weight", [16, 4, 5])], "conv1", dilations=[2], pads=[4, 4], kernel_shape=[5])
    x = node("Relu", [b.batch_norm("bn1", x, 16)], "relu1")
    # Grouped convolution with bias, BatchNormalization, Relu.
    x = node("Conv", [x, weight("conv2.weight", [16, 4, 5]), weight("conv2.bias", [16], 0.1)], "conv2", group=4, dilations=[4],
             pads=[8, 8])
    skip = node("Relu", [b.batch_norm("bn2", x, 16)], "relu2")
    # Depthwise convolution with a residual Add.
    x = node("Conv", [skip, weight("conv3.weight", [16, 1, 3]), weight("conv3.bias", [16], 0.1)], "conv3", group=16, dilations=[8],
             pads=[8, 8])
    x = node("Relu", [node("Add", [x, skip], "residual3")], "relu3")
    x = node("AveragePool", [x], "pool1", kernel_shape=[2], strides=[2])                                   # [N, 16, 128]
    # A 1-D convolution as a 2-D Conv over [N, C, 1, L], stride 2.
    x = node("Unsqueeze", [x, b.array("unsqueeze.axes", np.array([2], dtype=np.int64))], "unsqueeze")
    x = node("Conv", [x, weight("conv4.weight", [32, 16, 1, 3]), weight("conv4.bias", [32], 0.1)], "conv4", strides=[1, 2],
             pads=[0, 1, 0, 1])                                                                              # [N, 32, 1, 64]
    x = node("Relu", [x], "relu4")
    # A genuine 2-D convolution after a Reshape, then MaxPool.
    x = node("Reshape", [x, b.array("reshape.shape", np.array([0, 32, 8, 8], dtype=np.int64))], "reshape")
    x = node("Conv", [x, weight("conv5.weight", [16, 32, 3, 3]), weight("conv5.bias", [16], 0.1)], "conv5", pads=[1, 2, 1, 2],
             dilations=[1, 2])                                                                               # [N, 16, 8, 8]
    x = node("Relu", [x], "relu5")
    x = node("MaxPool", [x], "pool2", kernel_shape=[2, 2], strides=[2, 2])                                  # [N, 16, 4, 4]
    x = node("Flatten", [x], "flatten", axis=1)                                                              # [N, 256]
    x = node("Gemm", [x, weight("fc1.weight", [64, 256]), weight("fc1.bias", [64], 0.1)], "fc1", transB=1)
    x = node("Relu", [x], "relu6")
    x = node("Gemm", [x, weight("fc2.weight", [64, 113], np.sqrt(3.0 / 64)), weight("fc2.bias", [113], 0.1)], "fc2", alpha=0.9,
             beta=1.1)
    b.nodes.append(helper.make_node("Softmax", [x], ["scores"], name="/softmax/Softmax", axis=-1))
    return b.model("temponet", [helper.make_tensor_value_info("window", TensorProto.FLOAT, ["batch", 4, 256])],
                   [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", 113])],
                   "TEMPONet-style test model: dilated convolutions over a [4, 256] window, 113 rate bins")


def operators(seed):
    b = Builder(seed)
    weight, node, array = b.weight, b.node, b.array

    def integers(name, values):
        return array(name, np.array(values, dtype=np.int64))

    # Transposes and pooling.
    t = node("Transpose", ["x"], "swap", perm=[0, 1, 3, 2])                                                  # [N, 3, 8, 6]
    pooled_max = node("MaxPool", [node("Relu", [t], "relu")], "maxpool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    pooled_mean = node("AveragePool", ["x"], "meanpool", kernel_shape=[2, 3], pads=[1, 1, 0, 1], count_include_pad=0)  # [N, 3, 6, 8]
    normalised = b.batch_norm("norm", pooled_mean, 3)
    summary = node("Squeeze", [node("GlobalAveragePool", [normalised], "global"), integers("squeeze.axes", [2, 3])], "squeeze")  # [N, 3]
    # Matrix products.
    product = node("MatMul", ["x", weight("project.weight", [3, 8, 5])], "project")                          # [N, 3, 6, 5]
    product = node("MatMul", [weight("mix.weight", [4, 6]), product], "mix")                                 # [N, 3, 4, 5]
    attention = node("Softmax", [product], "softmax", axis=2)
    flipped = node("Transpose", [product], "flip", perm=[0, 1, 3, 2])                                        # [N, 3, 5, 4]
    square = node("MatMul", [attention, flipped], "square")                                                  # [N, 3, 4, 4]
    # Reductions.
    kept = node("ReduceMean", [square], "mean", axes=[3], keepdims=1)                                        # [N, 3, 4, 1]
    summed = node("Unsqueeze", [node("ReduceSum", [square, integers("sum.axes", [-1])], "sum", keepdims=0),
                                integers("unsqueeze.axes", [3])], "unsqueeze")                               # [N, 3, 4, 1]
    peak = node("ReduceMax", ["x"], "max", axes=[1], keepdims=0)                                             # [N, 6, 8]
    # Arithmetic with the constant first, element-wise functions.
    difference = node("Sub", [weight("offset", [4, 1]), kept], "difference")
    ratio = node("Div", [array("two", np.array(2.0, dtype=np.float32)),
                         node("Add", [node("Abs", [difference], "abs"), array("one", np.array([1.0], dtype=np.float32))], "plus")],
                 "ratio")
    joined = node("Concat", [summed, ratio], "join", axis=-1)                                                # [N, 3, 4, 2]
    bounded = node("Clip", [joined, array("low", np.array(-3.0, dtype=np.float32)), array("high", np.array(3.0, dtype=np.float32))],
                   "clip")
    smooth = node("Log", [node("Add", [node("Exp", [bounded], "exp"), "constant.out"], "shift")], "log")
    b.nodes.insert(0, helper.make_node("Constant", [], ["constant.out"], name="/constant/Constant",
                                       value=numpy_helper.from_array(np.array([0.5, 1.5], dtype=np.float32))))
    smooth = node("Dropout", [node("Identity", [smooth], "identity")], "dropout")
    b.nodes.append(helper.make_node("Transpose", [node("ReduceMean", [smooth], "last", axes=[3], keepdims=1)], ["first"],
                                    name="/unit/Transpose", perm=[0, 1, 3, 2]))                             # [N, 3, 1, 4]
    # Pad and slice.
    padded = node("Pad", [peak, integers("pads", [0, 1, -1, 0, 0, 2])], "pad")                              # [N, 7, 9]
    cut = node("Slice", [padded, integers("starts", [-5, 1]), integers("ends", [100, -1]), integers("axes", [1, 2])], "slice")
    b.nodes.append(helper.make_node("Tanh", [cut], ["second"], name="/tanh/Tanh"))                         # [N, 5, 7]
    b.nodes.append(helper.make_node("Sigmoid", [summary], ["third"], name="/sigmoid/Sigmoid"))              # [N, 3]
    return b.model("operators", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 6, 8])],
                   [helper.make_tensor_value_info("first", TensorProto.FLOAT, ["batch", 3, 1, 4]),
                    helper.make_tensor_value_info("second", TensorProto.FLOAT, ["batch", 5, 7]),
                    helper.make_tensor_value_info("third", TensorProto.FLOAT, ["batch", 3])],
                   "operator coverage test model")


def main():
    parser = argparse.ArgumentParser(description="Write a small test model with the onnx helper (random weights).")
    parser.add_argument("kind", choices=["temponet", "operators"], help="which model")
    parser.add_argument("out", help="the .onnx file to write")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random weights (default 1)")
    args = parser.parse_args()
    onnx.save(temponet(args.seed) if args.kind == "temponet" else operators(args.seed), args.out)


if __name__ == "__main__":
    main()
