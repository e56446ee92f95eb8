#!/usr/bin/env bash
# Continue training the pack on a lent CUDA machine, in one run of about 8 minutes, from the checkpoints in
# the working tree; the new checkpoints go to $UNCLIP_GPU_OUT (default $OUT, the device tool's folder that
# comes back), one file per stage, each under 16 MiB (compact checkpoints: EMA only where there is one).
#
#   bash training/gpu.sh                          # on the GPU machine: ~7 minutes of training
#   UNCLIP_GPU_MINUTES=1 UNCLIP_TRAIN_DEVICE=cpu UNCLIP_GPU_OUT=/tmp/gpu-out bash training/gpu.sh   # rehearsal here
#
# Then, back here: cp <files>/*.pt training/checkpoints/shapes-v2/ (the log says what each stage did).
# Knobs: UNCLIP_GPU_MINUTES (7), UNCLIP_GPU_STAGES (clip,ae,prior,decoder: train.py skips frozen ones),
# UNCLIP_GPU_SHARE (train.py --share), PYTHON (python3). The data is rendered there in parallel (~10 s on
# 16 cores) into a scratch cache; nothing is needed there but PyTorch 2, numpy and Pillow.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${UNCLIP_GPU_OUT:-${OUT:?set UNCLIP_GPU_OUT or OUT}}"
minutes="${UNCLIP_GPU_MINUTES:-7}"
py="${PYTHON:-python3}"
pack="${UNCLIP_TRAIN_PACK:-shapes-v2}"
src="$here/checkpoints/$pack"
[ "$pack" = shapes-v1 ] && src="$here/checkpoints"
mkdir -p "$out/ckpt"
cp "$src"/*.pt "$out/ckpt/" 2>/dev/null || echo "no checkpoints in $src: training starts from nothing"
export UNCLIP_TRAIN_PACK="$pack" UNCLIP_TRAIN_CKPT="$out/ckpt" UNCLIP_TRAIN_CACHE="${UNCLIP_GPU_CACHE:-/tmp/unclip-cache}"
"$py" -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'
"$py" "$here/train.py" --minutes "$minutes" --stages "${UNCLIP_GPU_STAGES:-clip,ae,prior,decoder}" \
  ${UNCLIP_GPU_SHARE:+--share "$UNCLIP_GPU_SHARE"} --no-export 2>&1 | tee "$out/train.log"
ls -la "$out/ckpt"
