#!/usr/bin/env bash
# Builds the counting plugin (for qemu-system-arm and qemu-aarch64): plugin/build.sh OUT_DIR writes
# OUT_DIR/insn-count.so.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
if ! command -v gcc > /dev/null; then
  echo "plugin/build.sh: gcc is missing: apt-get install --no-install-recommends gcc" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
# Built aside and renamed, so that a QEMU started meanwhile never loads a half-written file.
gcc -std=gnu11 -shared -fPIC -O2 -fvisibility=hidden -Wall -Wextra -Wno-unused-parameter \
  -o "$1/insn-count.so.$$" "$here/insn-count.c"
mv -f "$1/insn-count.so.$$" "$1/insn-count.so"
