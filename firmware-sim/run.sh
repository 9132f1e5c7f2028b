#!/usr/bin/env bash
# Runs a harness built by build.sh: run.sh host|m4|aarch64 ELF [PLUGIN_OUT]. m4 runs in qemu-system-arm
# (mps2-an386, semihosting), aarch64 in qemu-aarch64; with PLUGIN_OUT (m4 and aarch64 only) the counting
# plugin (plugin/insn-count.c, built next to ELF) writes per-region block counts there, regions split at
# pulse_mark. The program's exit status is passed on; a run longer than PULSE_FW_TIMEOUT seconds (default 60)
# is stopped and exits 124.
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 host|m4|aarch64 ELF [PLUGIN_OUT]" >&2
  exit 2
fi
target=$1 elf=$2 plugin_out=${3:-}
[[ $elf == */* ]] || elf=./$elf  # run it from here, not from PATH
seconds=${PULSE_FW_TIMEOUT:-60}
here=$(cd "$(dirname "$0")" && pwd)
case $target in
  host)
    if [ -n "$plugin_out" ]; then
      echo "run.sh: the counting plugin needs QEMU (m4 or aarch64)" >&2
      exit 2
    fi
    emulator=() program=("$elf") ;;
  m4)
    nm=arm-none-eabi-nm package=qemu-system-arm
    emulator=(qemu-system-arm -M mps2-an386 -nographic -monitor none -serial null
      -semihosting-config enable=on,target=native -icount shift=0)
    program=(-kernel "$elf") ;;
  aarch64)
    nm=aarch64-linux-gnu-nm package=qemu-user
    emulator=(qemu-aarch64 -cpu cortex-a53) program=("$elf") ;;
  *)
    echo "run.sh: unknown target '$target' (host, m4 or aarch64)" >&2
    exit 2 ;;
esac
if [ ${#emulator[@]} -gt 0 ] && ! command -v "${emulator[0]}" > /dev/null; then
  echo "run.sh: ${emulator[0]} is missing: apt-get install --no-install-recommends $package" >&2
  exit 2
fi
if [ -n "$plugin_out" ]; then
  plugin=$(dirname "$elf")/insn-count.so
  if [ ! -f "$plugin" ] || [ "$here/plugin/insn-count.c" -nt "$plugin" ] \
    || [ "$here/plugin/qemu-plugin-api.h" -nt "$plugin" ]; then
    "$here/plugin/build.sh" "$(dirname "$elf")"
  fi
  mark=$("$nm" "$elf" | awk '$3 == "pulse_mark" { print $1 }')
  if [ -z "$mark" ]; then
    echo "run.sh: no pulse_mark in $elf" >&2
    exit 2
  fi
  emulator+=(-plugin "${plugin//,/,,},mark=0x$mark,out=${plugin_out//,/,,}")  # QEMU options escape , as ,,
fi
status=0
timeout "$seconds" "${emulator[@]}" "${program[@]}" || status=$?
if [ $status -eq 124 ]; then
  echo "run.sh: $target run of $elf timed out after $seconds s" >&2
fi
exit $status
