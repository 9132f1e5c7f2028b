#!/usr/bin/env bash
# Fuzzes pulse's readers with libFuzzer (the harnesses in fuzz/, see fuzz/README.md).
#
#   scripts/fuzz.sh [HARNESS...] [--seconds N] [--no-build]
#
# HARNESS: hdf5 mat csv stdin model (default: all five, one after another). Each runs for N seconds (default 600) as
# one libFuzzer job (-fork=1: one worker process at a time, restarted after a crash, timeout or OOM so that the run
# goes on), with its corpus in fuzz/work/HARNESS/corpus and crash/timeout/OOM inputs in fuzz/work/HARNESS/findings.
# Prints per harness: executions per second, coverage (cov, ft), corpus size and findings.
# Environment: PULSE_SHARED_DATA (default ../shared/data beside the repository) for the SPC 2015 .mat seeds,
# FUZZ_FLAGS for extra libFuzzer flags.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzz="$root/fuzz"
work="$fuzz/work"
seconds=600
build=1
harnesses=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --seconds=*) seconds="${1#--seconds=}"; shift ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        hdf5|mat|csv|stdin|model) harnesses+=("$1"); shift ;;
        fuzz-hdf5|fuzz-mat|fuzz-csv|fuzz-stdin|fuzz-model) harnesses+=("${1#fuzz-}"); shift ;;
        *) echo "fuzz.sh: unknown argument '$1' (harnesses: hdf5 mat csv stdin model)" >&2; exit 2 ;;
    esac
done
[[ ${#harnesses[@]} -gt 0 ]] || harnesses=(hdf5 mat csv stdin model)
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "fuzz.sh: --seconds needs a positive whole number" >&2; exit 2; }
shared="${PULSE_SHARED_DATA:-$root/../shared/data}"

# --- Build: libFuzzer and AddressSanitizer instrumentation of every Swift module (pulse's included). SwiftPM links an
# executable's `main` to `<module>_main`, which each harness defines to call LLVMFuzzerRunDriver, so the harnesses
# are parsed as libraries (-parse-as-library). AddressSanitizer is dropped if that build fails.
bin="$fuzz/.build/release"
if [[ $build == 1 ]]; then
    flags=(-c release --package-path "$fuzz" --scratch-path "$fuzz/.build" -Xswiftc -parse-as-library -Xswiftc -g)
    echo "fuzz.sh: building the harnesses (-sanitize=fuzzer,address)" >&2
    if ! swift build "${flags[@]}" -Xswiftc -sanitize=fuzzer,address >"$fuzz/.build-log.txt" 2>&1; then
        echo "fuzz.sh: the AddressSanitizer build failed (see fuzz/.build-log.txt); building with -sanitize=fuzzer only" >&2
        swift build "${flags[@]}" -Xswiftc -sanitize=fuzzer >"$fuzz/.build-log.txt" 2>&1 \
            || { tail -30 "$fuzz/.build-log.txt" >&2; exit 1; }
    fi
    mv -f "$fuzz/.build-log.txt" "$fuzz/.build/build-log.txt"
fi

# --- Corpora: committed synthetic seeds, the project's own HDF5 files, a few SPC 2015 .mat files (copied into the
# work folder only: real data never goes into git).
copy_seed() { # copy_seed FILE CORPUS [NAME]: copies FILE unless the corpus has it already
    local name="${3:-seed-$(basename "$1")}"
    [[ -e "$2/$name" ]] || cp "$1" "$2/$name"
}
prepare() {
    local harness="$1" corpus="$work/$1/corpus"
    mkdir -p "$corpus" "$work/$1/findings"
    shopt -s nullglob
    case "$harness" in
        hdf5)
            for f in "$fuzz"/seeds/hdf5/* "$root"/signals/*.h5; do copy_seed "$f" "$corpus"; done ;;
        mat)
            for f in "$fuzz"/seeds/mat/*.mat; do copy_seed "$f" "$corpus"; done
            local raw="$shared/spc2015/raw"
            if [[ -d "$raw" ]]; then
                local n=0
                for f in "$raw"/*/BPM_*.mat "$raw"/*/*_BPMtrace.mat; do
                    [[ $n -lt 4 ]] || break
                    copy_seed "$f" "$corpus" "real-$(basename "$f")"; n=$((n + 1))
                done
                # The smallest signal file (DATA_S04_T01.mat, about 420 KB, zlib-compressed).
                local smallest
                smallest="$(find "$raw" -name 'DATA_*.mat' ! -name '*_BPMtrace.mat' -printf '%s %p\n' | sort -n | head -1 | cut -d' ' -f2-)"
                [[ -z "$smallest" ]] || copy_seed "$smallest" "$corpus" "real-$(basename "$smallest")"
            else
                echo "fuzz.sh: $raw not found: fuzz-mat starts from the synthetic seeds only" >&2
            fi ;;
        csv)
            for f in "$fuzz"/seeds/csv/*; do copy_seed "$f" "$corpus"; done ;;
        stdin)
            for f in "$fuzz"/seeds/stdin/*; do copy_seed "$f" "$corpus"; done ;;
        model)
            copy_seed "$root/models/baseline.h5" "$corpus"
            [[ -e "$corpus/seed-text-dense.txt" ]] || {
                local tmp; tmp="$(mktemp -d)"
                PULSE_FUZZ_MODEL_SEEDS="$tmp" PULSE_FUZZ_MODEL_FILE="$root/models/baseline.h5" \
                    ASAN_OPTIONS=detect_leaks=0 "$bin/fuzz-model" >/dev/null 2>&1 \
                    || echo "fuzz.sh: fuzz-model could not write its text seeds" >&2
                for f in "$tmp"/seed-*.txt; do copy_seed "$f" "$corpus" "seed-text-$(basename "$f" | sed 's/^seed-//')"; done
                rm -rf "$tmp"
            } ;;
    esac
    shopt -u nullglob
}

max_len() {
    case "$1" in
        hdf5|model|mat) echo 1048576 ;;  # the seed files are 0.2-0.8 MB
        csv|stdin) echo 65536 ;;
    esac
}

summary=()
for harness in "${harnesses[@]}"; do
    prepare "$harness"
    dir="$work/$harness"
    log="$dir/fuzz-$(date +%Y%m%d-%H%M%S).log"
    before=$(find "$dir/findings" -type f | wc -l)
    echo "fuzz.sh: fuzz-$harness for $seconds s (corpus $(ls "$dir/corpus" | wc -l) files; log $log)" >&2
    dict=()
    [[ -f "$fuzz/dicts/$harness.dict" ]] && dict=(-dict="$fuzz/dicts/$harness.dict")
    started=$(date +%s)
    # detect_leaks=0: Swift's runtime caches and Foundation's file reading show up as leaks that are not pulse's.
    # malloc_context_size=4: shorter allocation stacks, 30 % more executions (re-run a finding for full stacks).
    (cd "$dir" && ASAN_OPTIONS="detect_leaks=0:malloc_context_size=4:symbolize=1" \
        "$bin/fuzz-$harness" corpus -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$harness")" \
        -print_final_stats=1 -artifact_prefix=findings/ "${dict[@]}" ${FUZZ_FLAGS:-} >"$log" 2>&1) || true
    elapsed=$(( $(date +%s) - started ))
    # The last status line of the fork driver: "#N: cov: C ft: F corp: K exec/s: E oom/timeout/crash: a/b/c time: Ts".
    last="$(grep -E '^#[0-9]+: cov: ' "$log" | tail -1 || true)"
    field() { sed -nE "s|.* $1: ([^ ]+).*|\1|p" <<<"$last"; }
    execs="$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$last")"
    after=$(find "$dir/findings" -type f | wc -l)
    line="$(printf 'fuzz-%-6s %5ss  exec/s %-6s (%s execs)  cov %-6s ft %-6s corpus %-6s findings %s new, %s total (oom/timeout/crash %s)' \
        "$harness" "$elapsed" "$(awk -v n="${execs:-0}" -v t="$elapsed" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')" "${execs:-0}" \
        "$(field cov)" "$(field ft)" "$(ls "$dir/corpus" | wc -l)" "$((after - before))" "$after" "$(field 'oom/timeout/crash')")"
    echo "$line"
    summary+=("$line")
done
if [[ ${#summary[@]} -gt 1 ]]; then
    echo; echo "summary:"; printf '%s\n' "${summary[@]}"
fi
echo "findings: fuzz/work/HARNESS/findings/ (reproduce: PULSE_FUZZ_VERBOSE=1 fuzz/.build/release/fuzz-HARNESS FILE)"
