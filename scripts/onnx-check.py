#!/usr/bin/env python3
"""Runs an ONNX model in onnxruntime and reports (or compares) its outputs.

Run with the venv's python (scripts/onnx-env.sh prints its path):

  py="$(scripts/onnx-env.sh | tail -n1)"
  "$py" scripts/onnx-check.py MODEL.onnx --input X.npy [--output Y.npy] [--compare REF.npy [--tolerance 1e-4]]
  "$py" scripts/onnx-check.py MODEL.onnx --seed 1 --batch 8 --save-input X.npy --output Y.npy

The model is first checked with onnx.checker (full check, with shape inference). The input is a float32 .npy
array, or, with --seed, uniform random values in [-2, 2) of the model's input shape with the symbolic batch axis
set to --batch. --input and --save-input take one file per model input, in the model's input order. Outputs go to
--output (one .npy file per model output, in order).

With --compare (one .npy file per output), each output is compared with its reference: it passes when
max |onnxruntime - reference| <= tolerance * max |reference|. One JSON object is printed: {"outputs": [{"name",
"shape", "max_abs_difference", "max_abs_reference", "relative_difference"}], "pass": bool, "seconds": float}. The exit status is 0 when every comparison passes (or none was asked), 1 when one fails, and
2 for bad usage or a model onnx or onnxruntime refuses.
"""
import argparse
import json
import sys
import time

import numpy as np
import onnx
import onnxruntime


def fail(message):
    print(f"onnx-check: error: {message}", file=sys.stderr)
    sys.exit(2)


def input_shape(value_info, batch):
    dims = []
    for axis, dim in enumerate(value_info.type.tensor_type.shape.dim):
        if dim.HasField("dim_value"):
            dims.append(dim.dim_value)
        elif axis == 0:
            dims.append(batch)
        else:
            fail(f"input {value_info.name}: axis {axis} has no fixed size")
    return dims


def main():
    parser = argparse.ArgumentParser(description="Run an ONNX model in onnxruntime; report or compare its outputs.")
    parser.add_argument("model", help="the .onnx file")
    parser.add_argument("--input", nargs="+", help="float32 .npy arrays, one per model input")
    parser.add_argument("--seed", type=int, help="random input from this seed instead of --input")
    parser.add_argument("--batch", type=int, default=1, help="batch size of random input (default 1)")
    parser.add_argument("--save-input", nargs="+", help="write the (random) inputs to these .npy files")
    parser.add_argument("--output", nargs="+", help="write the outputs to these .npy files")
    parser.add_argument("--compare", nargs="+", help="reference .npy arrays, one per output")
    parser.add_argument("--tolerance", type=float, default=1e-4,
                        help="largest difference allowed, relative to the largest |reference| (default 1e-4)")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads (default 1)")
    args = parser.parse_args()

    try:
        model = onnx.load(args.model)
        onnx.checker.check_model(model, full_check=True)
    except Exception as error:  # onnx raises several types; all mean the file is refused
        fail(f"{args.model}: onnx.checker refuses the model: {error}")
    initializers = {tensor.name for tensor in model.graph.initializer}
    graph_inputs = [value for value in model.graph.input if value.name not in initializers]

    if args.seed is not None:
        generator = np.random.default_rng(args.seed)
        inputs = [generator.uniform(-2, 2, size=input_shape(value, args.batch)).astype(np.float32) for value in graph_inputs]
    elif args.input:
        inputs = [np.load(path).astype(np.float32, copy=False) for path in args.input]
    else:
        fail("give --input or --seed")
    if len(inputs) != len(graph_inputs):
        fail(f"the model reads {len(graph_inputs)} inputs, {len(inputs)} given")
    if args.save_input:
        for path, array in zip(args.save_input, inputs):
            np.save(path, array)

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
        started = time.perf_counter()
        outputs = session.run(None, {value.name: array for value, array in zip(graph_inputs, inputs)})
        seconds = time.perf_counter() - started
    except Exception as error:  # onnxruntime raises its own exception types
        fail(f"{args.model}: onnxruntime cannot run the model: {error}")

    if args.output:
        for path, array in zip(args.output, outputs):
            np.save(path, array)

    names = [value.name for value in session.get_outputs()]
    report = {"outputs": [], "pass": True, "seconds": seconds}
    references = [np.load(path) for path in args.compare] if args.compare else [None] * len(outputs)
    if len(references) != len(outputs):
        fail(f"the model has {len(outputs)} outputs, {len(references)} references given")
    for name, array, reference in zip(names, outputs, references):
        entry = {"name": name, "shape": list(array.shape)}
        if reference is not None:
            if reference.shape != array.shape:
                fail(f"output {name} has shape {list(array.shape)}, the reference {list(reference.shape)}")
            difference = float(np.max(np.abs(array.astype(np.float64) - reference))) if array.size else 0.0
            scale = float(np.max(np.abs(reference))) if reference.size else 0.0
            entry.update({"max_abs_difference": difference, "max_abs_reference": scale,
                          "relative_difference": difference / scale if scale > 0 else difference})
            report["pass"] = bool(report["pass"] and difference <= args.tolerance * max(scale, 1e-30) and np.all(np.isfinite(array)))
        report["outputs"].append(entry)
    print(json.dumps(report))
    sys.exit(0 if report["pass"] else 1)


if __name__ == "__main__":
    main()
