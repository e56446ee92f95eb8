"""Train a whole pack from nothing, or go on from its checkpoints: CLIP -> autoencoder -> prior ->
decoder, then export and evaluate. The pack is $UNCLIP_TRAIN_PACK (packs.py; shapes-v2 by default).

    /usr/bin/python3 training/train.py --minutes 120          # budget for this run, all stages
    /usr/bin/python3 training/train.py --minutes 60 --stages decoder,prior
    /usr/bin/python3 training/train.py --minutes 0 --stages none    # export + evaluate only

A stage's inputs are frozen once a later stage has trained on them: the prior and the decoder were
trained on this CLIP's embeddings, the decoder on this autoencoder's latents. So CLIP trains only
until the prior/decoder start, and after the decoder has started only the autoencoder's *decoder*
keeps training (the encoder, so the latent space and its scale, stay fixed); later runs spend their
time on prior + decoder + latent decoder.
Checkpoints (training/checkpoints/[<pack>/]*.pt: weights and EMA, fp16) are small enough to commit.
Uses CUDA when present (or UNCLIP_TRAIN_DEVICE), else the CPU with all cores.
"""
from __future__ import annotations

import argparse
import time

import torch

import ckpt
import common
import data as dataset
import export
import packs
from common import log
from train_ae import remeasure, train_ae
from train_clip import train_clip
from train_diffusion import precompute, train_diffusion

STAGES = ("clip", "ae", "prior", "decoder")
SHARE = {"clip": 0.18, "ae": 0.12, "prior": 0.07, "decoder": 0.63}


def main(argv: list[str] | None = None) -> None:
    spec = packs.current()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, required=True, help="time budget of this run, all stages together")
    ap.add_argument("--stages", default=",".join(STAGES))
    ap.add_argument("--share", default="", help="budget shares, e.g. clip=0.5,ae=0.5 (default: %s)" % SHARE)
    ap.add_argument("--out", default=spec.out_dir)
    ap.add_argument("--no-eval", action="store_true")
    ap.add_argument("--no-export", action="store_true")
    a = ap.parse_args(argv)
    common.setup_threads()
    dev = common.device()
    torch.manual_seed(0)
    stages = a.stages.split(",")
    share = dict(SHARE)
    for kv in filter(None, a.share.split(",")):
        k, v = kv.split("=")
        share[k] = float(v)
    # a stage is frozen once a later one depends on it
    frozen = {"clip": ckpt.load_ckpt("prior", spec) is not None or ckpt.load_ckpt("decoder", spec) is not None,
              "ae": ckpt.load_ckpt("decoder", spec) is not None}
    todo = [s for s in STAGES if s in stages and not (s == "clip" and frozen["clip"])]
    log(f"pack {spec.name}, device {dev}, threads {torch.get_num_threads()}, stages {todo}, {a.minutes} min")
    data = dataset.load_data(dev, spec) if todo else None  # --stages none: export and evaluate only
    t_start = time.time()
    for s in todo:
        left = a.minutes - (time.time() - t_start) / 60
        rest = sum(share[x] for x in todo[todo.index(s):])
        minutes = max(0.5, left * share[s] / rest)
        if s == "clip":
            train_clip(minutes, data, dev, spec)
        elif s == "ae":
            train_ae(minutes, data, dev, spec, decoder_only=frozen["ae"])
        else:
            if s == "decoder" and not frozen["ae"]:
                remeasure(data, dev, spec)  # the latent scale the decoder will learn, from the autoencoder as it is
            models = ckpt.build_models(dev, spec)
            pre = precompute(models, data, dev)
            train_diffusion(s, minutes, data, pre, models, dev)
            frozen["clip"] = True
            if s == "decoder":
                frozen["ae"] = True
    if a.no_export:
        return
    export.export_pack(a.out, spec)
    log("exported", a.out)
    if not a.no_eval:
        import eval as evaluation
        evaluation.main(["--pack-out", a.out])


if __name__ == "__main__":
    main()
