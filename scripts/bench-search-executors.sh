#!/usr/bin/env bash
# Throughput of pulse search's candidate executors on this machine: the same short search (GENERATIONS generations of
# 12 candidates on rpi3, from the baseline as it is) run locally and through a single-node Slurm cluster started by
# scripts/slurm-cluster.sh, then the two overheads a Slurm task adds: Slurm's own dispatch of an array task, and the
# start-up of `pulse search candidates` (reading the recordings and the model) before its first candidate.
#
#   scripts/bench-search-executors.sh OUT_DIR [GENERATIONS]     (GENERATIONS defaults to 2)
#
# Prints one line per run and writes OUT_DIR/executors.json. Needs root (the cluster), the release build
# (swift build -c release --scratch-path .build-onnx, or PULSE=path/to/pulse) and ../shared/data. Run it on an idle
# machine: every run uses both cores.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 OUT_DIR [GENERATIONS]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
generations=${2:-2}
pulse=${PULSE:-$root/.build-onnx/release/pulse}
data=${PULSE_SHARED_DATA:-$root/../shared/data}
[ -x "$pulse" ] || { echo "bench: no pulse at $pulse; build with swift build -c release --scratch-path .build-onnx" >&2; exit 1; }
[ -d "$data/spc2015/h5" ] || { echo "bench: no recordings in $data (set PULSE_SHARED_DATA)" >&2; exit 1; }
search=(search run --model "$root/models/baseline.h5" --target rpi3 --data "$data/spc2015/h5" "$data/bami1/h5"
        --generations "$generations" --parent-epochs 0 --confirm-epochs 0 --final-epochs 0 --force)

cluster="$out/cluster"
chmod 755 "$out"
# shellcheck disable=SC2046
export $("$root/scripts/slurm-cluster.sh" start "$cluster" 16827)
trap '"$root/scripts/slurm-cluster.sh" stop "$cluster" > /dev/null' EXIT

# Steady-state candidates per minute from the times the results landed (the first result starts the clock), and the
# end-to-end figure of the whole search (data loading and the reference included).
rate() {
  python3 - "$1" "$2" <<'PY'
import json, os, sys
work, seconds = sys.argv[1], float(sys.argv[2])
folder = os.path.join(work, "candidates")
times = sorted(os.path.getmtime(os.path.join(folder, f)) for f in os.listdir(folder) if f.endswith(".json"))
steady = (len(times) - 1) / (times[-1] - times[0]) * 60
evaluations = [json.load(open(os.path.join(folder, f)))["evaluationSeconds"] for f in os.listdir(folder) if f.endswith(".json")]
print(json.dumps({"candidates": len(times), "wall_seconds": seconds, "per_minute_end_to_end": len(times) / seconds * 60,
                  "per_minute_steady": steady, "mean_evaluation_seconds": sum(evaluations) / len(evaluations)}))
PY
}

runs=()
measure() {
  local name=$1; shift
  local work="$out/$name"
  rm -rf "$work"
  local start end
  start=$(date +%s.%N)
  "$pulse" "${search[@]}" --workdir "$work" --out "$out/$name.h5" "$@" > "$out/$name.log" 2>&1
  end=$(date +%s.%N)
  local figures
  figures=$(rate "$work" "$(echo "$end - $start" | bc)")
  runs+=("{\"run\": \"$name\", \"options\": \"$*\", \"figures\": $figures}")
  echo "$name ($*): $figures"
}

measure local-2threads --threads 2
measure local-1thread --threads 1
measure slurm-1thread-2pertask --threads 1 --executor slurm --candidates-per-task 2
measure slurm-2threads-2pertask --threads 2 --executor slurm --candidates-per-task 2
measure slurm-1thread-6pertask --threads 1 --executor slurm --candidates-per-task 6

# Slurm's dispatch: an array of 40 empty tasks on the node's CPUs, from sbatch to an empty queue.
start=$(date +%s.%N)
job=$(sbatch --parsable --array=0-39 --output=/dev/null --wrap=true)
while [ -n "$(squeue --noheader --jobs="$job" 2> /dev/null)" ]; do sleep 0.1; done
dispatch=$(echo "($(date +%s.%N) - $start) / 40 * $(nproc)" | bc -l)
echo "slurm dispatch: $(printf %.2f "$dispatch") s per task and CPU (40 empty array tasks on $(nproc) CPUs)"

# pulse's start-up in a task: an empty batch reads the recordings, the model and the work dir and evaluates nothing.
echo '[]' > "$out/empty.json"
start=$(date +%s.%N)
"$pulse" search candidates --workdir "$out/local-2threads" --model "$root/models/baseline.h5" --target rpi3 \
  --data "$data/spc2015/h5" "$data/bami1/h5" --batch "$out/empty.json" --out "$out/empty-result.json" --force > /dev/null 2>&1
startup=$(echo "$(date +%s.%N) - $start" | bc)
echo "pulse search candidates start-up: $(printf %.2f "$startup") s per task"

{
  echo "{\"generations\": $generations, \"slurm_dispatch_seconds_per_task_cpu\": $dispatch, \"task_startup_seconds\": $startup, \"runs\": ["
  (IFS=,; echo "${runs[*]}")
  echo "]}"
} | jq . > "$out/executors.json"
echo "wrote $out/executors.json"
