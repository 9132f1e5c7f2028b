#!/usr/bin/env bash
# pulse against onnxruntime, on the same ONNX files, in one run on this machine.
#
#   scripts/bench-engine.sh [--repeats N] [--seconds S] [--json FILE]
#
# Builds pulse (release), makes the onnxruntime venv (scripts/onnx-env.sh), exports the baseline model to ONNX,
# makes a TEMPONet-style time-domain TCN with the onnx Python helper (scripts/make-tcn-onnx.py), and for each
# model and each (batch, threads) cell runs `pulse bench --model FILE.onnx` and scripts/ort-bench.py on the same
# file, alternating, --repeats timed runs of --seconds each (default 5 × 2 s). Prints a table of medians, ranges
# and pulse/onnxruntime ratios; --json writes every figure. Run it on an idle machine: a busy second core halves
# every two-thread figure.
set -euo pipefail
cd "$(dirname "$0")/.."

repeats=5
seconds=2
json=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repeats) repeats="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --json) json="$2"; shift 2 ;;
    *) echo "bench-engine: unknown option $1" >&2; exit 2 ;;
  esac
done

swift build -c release --product pulse >&2
pulse=.build/release/pulse
python="$(scripts/onnx-env.sh | tail -n1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$pulse" export onnx --model models/baseline.h5 --out "$work/baseline.onnx" >&2
"$python" scripts/make-tcn-onnx.py "$work/tcn.onnx" >&2

cells=("1 1" "64 1" "64 2" "256 2")
results="$work/results.jsonl"
: > "$results"
for model in baseline tcn; do
  for cell in "${cells[@]}"; do
    read -r batch threads <<< "$cell"
    echo "bench-engine: $model, batch $batch, $threads thread(s)" >&2
    pulse_runs=()
    ort_runs=()
    for ((run = 0; run < repeats; run++)); do
      pulse_runs+=("$("$pulse" bench --model "$work/$model.onnx" --batch "$batch" --threads "$threads" --repeats 1 \
        --seconds "$seconds" --json 2>/dev/null)")
      ort_runs+=("$("$python" scripts/ort-bench.py "$work/$model.onnx" --batch "$batch" --threads "$threads" --repeats 1 \
        --seconds "$seconds")")
    done
    printf '%s\n' "{\"model\": \"$model\", \"batch\": $batch, \"threads\": $threads, \"pulse\": [$(IFS=,; echo "${pulse_runs[*]}")], \"onnxruntime\": [$(IFS=,; echo "${ort_runs[*]}")]}" >> "$results"
  done
done

python3 - "$results" "$json" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
table = ["| model | batch | threads | pulse windows/s (median, range) | onnxruntime windows/s (median, range) | pulse / ORT |",
         "|---|---:|---:|---:|---:|---:|"]
report = []
for row in rows:
    p = [r["windows_per_second_median"] for r in row["pulse"]]
    o = [r["windows_per_second_median"] for r in row["onnxruntime"]]
    pm, om = statistics.median(p), statistics.median(o)
    table.append(f"| {row['model']} | {row['batch']} | {row['threads']} | {pm:,.0f} ({min(p):,.0f}–{max(p):,.0f}) | "
                 f"{om:,.0f} ({min(o):,.0f}–{max(o):,.0f}) | {pm / om:.2f} |")
    report.append({"model": row["model"], "batch": row["batch"], "threads": row["threads"], "pulse_runs": p,
                   "onnxruntime_runs": o, "pulse_median": pm, "onnxruntime_median": om, "ratio": pm / om})
print("\n".join(table))
if sys.argv[2]:
    with open(sys.argv[2], "w") as f:
        json.dump(report, f, indent=1)
PY
