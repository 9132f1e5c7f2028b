#!/usr/bin/env bash
# Installs the Debian packages pulse builds against. Idempotent: packages already present are skipped.
set -euo pipefail
packages=(libhdf5-dev libfftw3-dev libopenblas-dev zlib1g-dev pkg-config python3-venv)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all system packages present (${packages[*]})"
  exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
