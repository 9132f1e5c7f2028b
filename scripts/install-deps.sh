#!/usr/bin/env bash
# Installs the Debian packages pulse builds against, then the venv with onnx and onnxruntime that the ONNX checks
# use (scripts/onnx-env.sh). Idempotent: what is already present is skipped.
set -euo pipefail
packages=(libhdf5-dev libfftw3-dev libopenblas-dev zlib1g-dev pkg-config python3-venv)
# Slurm and munge for the cluster executor and its test cluster (scripts/slurm-cluster.sh); without recommends.
slurm_packages=(slurmctld slurmd slurm-client munge)
# Cross compilers, QEMU and llvm-mca for the firmware simulator (firmware-sim/); without recommends (else 3.3 GB,
# not 0.9).
firmware_packages=(gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm qemu-user gcc-aarch64-linux-gnu
  libc6-dev-arm64-cross gcc llvm)
missing() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
updated=0
install() {
  local extra=$1; shift
  local wanted=($(missing "$@"))
  if [ ${#wanted[@]} -eq 0 ]; then
    echo "install-deps: all present ($*)"
    return
  fi
  echo "install-deps: installing ${wanted[*]}"
  [ $updated -eq 1 ] || { $sudo apt-get update -qq; updated=1; }
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $extra "${wanted[@]}"
}
install "" "${packages[@]}"
install --no-install-recommends "${slurm_packages[@]}"
install --no-install-recommends "${firmware_packages[@]}"
# onnx and onnxruntime (pinned, from PyPI) in the project's venv, for the ONNX checks and benchmarks.
"$(dirname "$0")/onnx-env.sh" > /dev/null
