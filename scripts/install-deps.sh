#!/usr/bin/env bash
# Installs the Debian packages pulse builds against, then the venv with onnx and onnxruntime that the ONNX checks
# use (scripts/onnx-env.sh). Idempotent: what is already present is skipped.
set -euo pipefail
packages=(libhdf5-dev libfftw3-dev libopenblas-dev zlib1g-dev pkg-config python3-venv)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all system packages present (${packages[*]})"
else
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
# onnx and onnxruntime (pinned, from PyPI) in the project's venv, for the ONNX checks and benchmarks.
"$(dirname "$0")/onnx-env.sh" > /dev/null
