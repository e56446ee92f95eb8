#!/usr/bin/env bash
# npm run pack:convert -- <kandinsky-2-2|karlo> [--out DIR] [--fp16] [--tiny]
# npm run pack:convert -- fixtures          (regenerates test/fixtures/real-weights, offline)
#
# Python: $UNCLIP_CONVERT_PYTHON if set (a Python with requirements.txt installed), else a virtual
# environment in training/convert/.venv, created on first use with requirements.txt and torch from PyPI.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="${UNCLIP_CONVERT_PYTHON:-}"
if [[ -z "$py" ]]; then
  venv="$here/.venv"
  if [[ ! -x "$venv/bin/python" ]]; then
    echo "pack:convert: creating $venv (diffusers, transformers, torch, onnx: about 1-3 GB from PyPI)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --upgrade pip >&2
    "$venv/bin/pip" install torch >&2
    "$venv/bin/pip" install -r "$here/requirements.txt" >&2
  fi
  py="$venv/bin/python"
fi
cd "$root"
if [[ "${1:-}" == "fixtures" ]]; then
  shift
  exec "$py" "$here/fixtures.py" "$@"
fi
exec "$py" "$here/convert.py" "$@"
