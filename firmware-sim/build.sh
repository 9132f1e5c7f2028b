#!/usr/bin/env bash
# Builds the firmware harness with a generated model: build.sh host|m4|aarch64 GEN OUT compiles harness/main.c
# with GEN/pulse_model.c and GEN/pulse_kernels.c (int8) or GEN/pulse_kernels_f32.c (float32), linking libm, into
# OUT/pulse-fw-TARGET (for m4 also OUT/pulse-fw-m4.map).
# Exits 2 on bad usage or a missing cross toolchain.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 host|m4|aarch64 GEN OUT" >&2
  exit 2
fi
target=$1 gen=$2 out=$3
harness=$(cd "$(dirname "$0")" && pwd)/harness
# The int8 model links pulse_kernels.c, its float32 variant pulse_kernels_f32.c.
sources=("$harness/main.c" "$gen/pulse_model.c")
for kernels in "$gen/pulse_kernels.c" "$gen/pulse_kernels_f32.c"; do
  if [ -f "$kernels" ]; then sources+=("$kernels"); fi
done
elf=$out/pulse-fw-$target
# probe: a file of the target's C library (-print-file-name echoes the bare name when it finds none).
case $target in
  host)
    cc=gcc packages="gcc libc6-dev" probe=libc.a
    flags=(-std=gnu11 -O2) ;;
  m4)
    cc=arm-none-eabi-gcc packages="gcc-arm-none-eabi libnewlib-arm-none-eabi" probe=nano.specs
    sources+=("$harness/m4/startup.c")
    flags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2 -std=gnu11 -ffunction-sections
      -fdata-sections -T "$harness/m4/mps2-an386.ld" -nostartfiles --specs=nano.specs --specs=rdimon.specs
      -Wl,--gc-sections "-Wl,-Map=$elf.map") ;;
  aarch64)
    cc=aarch64-linux-gnu-gcc packages="gcc-aarch64-linux-gnu libc6-dev-arm64-cross" probe=libc.a
    flags=(-std=gnu11 -O3 -mcpu=cortex-a53 -static) ;;
  *)
    echo "build.sh: unknown target '$target' (host, m4 or aarch64)" >&2
    exit 2 ;;
esac
if ! command -v "$cc" > /dev/null || [ "$("$cc" -print-file-name=$probe)" = $probe ]; then
  echo "build.sh: $cc or its C library is missing: apt-get install --no-install-recommends $packages" \
    "(or run scripts/install-deps.sh)" >&2
  exit 2
fi
mkdir -p "$out"
"$cc" "${flags[@]}" -I "$gen" "${sources[@]}" -o "$elf" -lm
