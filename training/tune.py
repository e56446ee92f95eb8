"""Measure the sampling defaults (common.SAMPLING) on validation prompts: text-to-image accuracy and
diversity for a grid of prior x decoder guidance scales, and variations for decoder guidance scales.

Only *seen* (colour, shape, background) triples are used, with other seeds than eval.py, so choosing the
defaults here tells eval.py nothing about its held-out prompts.
    /usr/bin/python3 training/tune.py [--prompts 24] [--prior 1,2,4] [--decoder 2,3,5]
"""
from __future__ import annotations

import argparse
import json
import random
import time

import numpy as np
import torch

import common
import eval as evaluation
import ckpt
import embed
import world


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=24)
    ap.add_argument("--images", type=int, default=2, help="images per prompt")
    ap.add_argument("--variations", type=int, default=48)
    ap.add_argument("--prior", default="1,2,4")
    ap.add_argument("--decoder", default="2,3,5")
    a = ap.parse_args()
    common.setup_threads()
    dev = torch.device("cpu")
    models = ckpt.build_models(dev)
    for m in models.values():
        if isinstance(m, torch.nn.Module):
            m.eval()
    held = set(world.load_heldout())
    seen = [t for t in world.all_triples() if t not in held]
    rng = random.Random(2024)
    triples = rng.sample(seen, a.prompts)
    te = embed.embed_texts(models["clip"], [f"a big {c} {s} on a {b} background" for c, s, b in triples], dev)
    truth = [t for t in triples for _ in range(a.images)]
    ddim = common.Sampler("ddim", common.SAMPLING["ddim_steps"])
    rows = []
    for gp in [float(x) for x in a.prior.split(",")]:
        for gd in [float(x) for x in a.decoder.split(",")]:
            t0 = time.time()
            imgs, _ = evaluation.generate(models, te, a.images, {"prior": ddim, "decoder": ddim}, gp, gd, torch.Generator().manual_seed(17))
            j = evaluation.clip_judge(models, imgs, truth)
            div = evaluation.min_pairwise_diffs(imgs, a.images)
            rows.append({"prior_guidance": gp, "decoder_guidance": gd} | {k: evaluation.rate(v) for k, v in j.items()}
                        | {"min_pairwise_diff": round(float(np.mean(div)), 4)})
            print(json.dumps(rows[-1]), f"{time.time() - t0:.0f} s", flush=True)

    if a.variations == 0:
        return
    vr = random.Random(4048)
    src_t = [vr.choice(seen) for _ in range(a.variations)]
    scenes = [world.sample_scene(vr, None, n_objects=1, colour=c, shape=s, background=b, size="big") for c, s, b in src_t]
    _, src64 = evaluation.source_images(models, scenes)
    emb = embed.embed_images(models["clip"], src64, dev)
    for gd in [float(x) for x in a.decoder.split(",")]:
        var = evaluation.decode(models, emb, ddim, gd, torch.Generator().manual_seed(23))
        j = evaluation.clip_judge(models, var, src_t)
        print(json.dumps({"variations_decoder_guidance": gd, "colour": evaluation.rate(j["colour"]),
                          "shape": evaluation.rate(j["shape"])}), flush=True)


if __name__ == "__main__":
    main()
