#!/usr/bin/env python3
"""Times an ONNX model in onnxruntime: windows per second for one batch size and thread count.

Run with the venv's python (scripts/onnx-env.sh prints its path):

  "$py" scripts/ort-bench.py MODEL.onnx --batch 64 --threads 2 --repeats 5 --seconds 2

The session uses every graph optimisation, sequential execution, --threads intra-op threads and one inter-op
thread. The input is uniform random in [-1, 1) of the model's input shape with the batch axis set to --batch
(onnxruntime's speed does not depend on the values). After a warm-up call, each of --repeats runs calls the
model until --seconds have passed. One JSON object is printed: batch, threads, repeats, the median, minimum and
maximum windows per second, and every run's figure.
"""
import argparse
import json
import statistics
import time

import numpy as np
import onnxruntime


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    model_input = session.get_inputs()[0]
    shape = [args.batch] + [int(d) for d in model_input.shape[1:]]
    x = np.random.default_rng(1).uniform(-1, 1, size=shape).astype(np.float32)
    feed = {model_input.name: x}
    session.run(None, feed)
    rates = []
    for _ in range(args.repeats):
        done = 0
        start = time.perf_counter()
        while True:
            session.run(None, feed)
            done += args.batch
            elapsed = time.perf_counter() - start
            if elapsed >= args.seconds:
                break
        rates.append(done / elapsed)
    print(json.dumps({
        "batch": args.batch, "threads": args.threads, "repeats": args.repeats,
        "windows_per_second_median": statistics.median(rates), "windows_per_second_min": min(rates),
        "windows_per_second_max": max(rates), "windows_per_second_runs": rates,
        "onnxruntime": onnxruntime.__version__,
    }))


if __name__ == "__main__":
    main()
