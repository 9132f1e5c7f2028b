#!/usr/bin/env bash
# Creates or updates the Python venv used to check pulse's ONNX output (onnx.checker, onnxruntime).
#
#   scripts/onnx-env.sh            # venv at <repo>/.venv-onnx
#   PULSE_ONNX_VENV=/path scripts/onnx-env.sh
#
# Idempotent and fast when the pinned versions are already installed (no pip call then).
# Needs no root. Needs network access to PyPI only when it has to install.
# Base interpreter: $PULSE_ONNX_PYTHON (default: python3).
# All progress goes to stderr; the last (and only) line of stdout is the venv's python path:
#   py="$(scripts/onnx-env.sh | tail -n1)"
set -euo pipefail

ONNX_VERSION="1.23.2"
ONNXRUNTIME_VERSION="1.32.0"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PULSE_ONNX_VENV:-$repo_root/.venv-onnx}"
base_python="${PULSE_ONNX_PYTHON:-python3}"
py="$venv/bin/python"

log() { echo "onnx-env: $*" >&2; }

versions_ok() {
  [ -x "$py" ] || return 1
  "$py" - "$ONNX_VERSION" "$ONNXRUNTIME_VERSION" >/dev/null 2>&1 <<'EOF'
import sys
import onnx, onnxruntime
sys.exit(0 if (onnx.__version__, onnxruntime.__version__) == (sys.argv[1], sys.argv[2]) else 1)
EOF
}

if versions_ok; then
  log "ok: onnx $ONNX_VERSION, onnxruntime $ONNXRUNTIME_VERSION in $venv"
  echo "$py"
  exit 0
fi

venv_fail() {
  log "error: '$base_python -m venv' failed."
  log "On Debian/Ubuntu install the venv module with: apt-get install python3-venv"
  log "(scripts/install-deps.sh installs it), or point PULSE_ONNX_PYTHON at an interpreter that has venv and ensurepip."
  exit 1
}

# A usable venv has a runnable python with pip. Without python3-venv, Debian's `python3 -m venv`
# leaves a half-made venv without pip behind; such a one is re-created.
if [ -x "$py" ] && "$py" -m pip --version >/dev/null 2>&1; then
  log "updating venv $venv"
else
  command -v "$base_python" >/dev/null 2>&1 || { log "error: '$base_python' not found (set PULSE_ONNX_PYTHON)"; exit 1; }
  if [ -e "$venv" ] && [ ! -f "$venv/pyvenv.cfg" ] && [ -n "$(ls -A "$venv" 2>/dev/null)" ]; then
    log "error: $venv exists, is not empty and is not a venv; refusing to overwrite it"
    exit 1
  fi
  log "creating venv $venv with $("$base_python" --version 2>&1)"
  "$base_python" -m venv --clear "$venv" >&2 || venv_fail
  "$py" -m pip --version >/dev/null 2>&1 || venv_fail
fi

log "installing onnx==$ONNX_VERSION onnxruntime==$ONNXRUNTIME_VERSION from PyPI"
"$py" -m pip install --quiet --disable-pip-version-check \
  "onnx==$ONNX_VERSION" "onnxruntime==$ONNXRUNTIME_VERSION" >&2

if ! versions_ok; then
  log "error: after pip install, onnx $ONNX_VERSION / onnxruntime $ONNXRUNTIME_VERSION still do not import from $py"
  exit 1
fi
log "ok: onnx $ONNX_VERSION, onnxruntime $ONNXRUNTIME_VERSION in $venv"
echo "$py"
