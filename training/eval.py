"""Evaluate the pack (PyTorch weights from training/checkpoints, the same networks as the ONNX files):

- zero-shot colour / shape / colour+shape (55-way, 'a <colour> <shape>') on seen and held-out triples;
- text-to-image: for prompts 'a big <c> <s> on a <bg> background', the fraction of generated images whose
  colour, shape (55-way) and background (10-way over 'a big <c> <s> on a <x> background') the pack's CLIP
  judges right; seen and held-out triples;
- variations of held-out images keep the source's colour and shape;
- diversity: mean pairwise pixel difference of the 4 images of one prompt (0 = identical).

Writes the numbers into pack.json's "metrics", a sample grid models/<pack>/samples.png and the model
card models/<pack>/README.md.
    /usr/bin/python3 training/eval.py [--prompts 60] [--steps 25]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

import common
import train
import world


def generate(models: dict, text_emb: torch.Tensor, n: int, steps: int, g_prior: float, g_dec: float,
             gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """text_emb [B, D] -> (images [B*n, 3, 128, 128] in [-1, 1], image embeddings)."""
    cond = text_emb.repeat_interleave(n, 0)
    x = common.ddim_sample(models["prior"], (cond.shape[0], 128), cond, "x0", steps, g_prior, gen)
    emb = F.normalize(x / math.sqrt(128), dim=-1)
    return decode(models, emb, steps, g_dec, gen), emb


def decode(models: dict, emb: torch.Tensor, steps: int, g_dec: float, gen: torch.Generator, eta: float = 0.0) -> torch.Tensor:
    lat = common.ddim_sample(models["decoder"], (emb.shape[0], 4, 16, 16), emb, "v", steps, g_dec, gen, eta=eta)
    with torch.no_grad():
        return models["ae_dec"](lat / models["latent_scale"])


def judge(models: dict, img128: torch.Tensor, truth: list[tuple[str, str, str]]) -> dict:
    """CLIP judge on 64 px (box-downsampled, as the training images were made)."""
    clip = models["clip"]
    x64 = common.downsample_box(img128.clamp(-1, 1))
    # quantize like a PNG would
    x64 = torch.round((x64 + 1) * 127.5) / 127.5 - 1
    with torch.no_grad():
        im = F.normalize(clip.image(x64), dim=-1)
    labels = [(c, s) for c in world.COLOUR_NAMES for s in world.SHAPES]
    t = train.embed_texts(clip, [f"a {c} {s}" for c, s in labels], torch.device("cpu"))
    pred = (im @ t.T).argmax(1).tolist()
    background_texts: dict[tuple[str, str], tuple[list[str], torch.Tensor]] = {}
    ok_c, ok_s, ok_b = [], [], []
    for i, (c, s, b) in enumerate(truth):
        pc, ps = labels[pred[i]]
        ok_c.append(pc == c)
        ok_s.append(ps == s)
        if (c, s) not in background_texts:
            bgs = [x for x in world.COLOUR_NAMES if x != c]
            background_texts[c, s] = bgs, train.embed_texts(clip, [f"a big {c} {s} on a {x} background" for x in bgs], torch.device("cpu"))
        bgs, tb = background_texts[c, s]
        ok_b.append(bgs[int((im[i] @ tb.T).argmax())] == b)
    return {"colour": ok_c, "shape": ok_s, "background": ok_b}


def peak_edges(img: torch.Tensor) -> float:
    """Sharpness: the 98th percentile of each image's gradient magnitude, averaged. Blur spreads an edge
    over several pixels and lowers it; faint artefacts (checkerboard, noise) stay below it."""
    dx = (img[..., :-1, 1:] - img[..., :-1, :-1]).abs().sum(1)
    dy = (img[..., 1:, :-1] - img[..., :-1, :-1]).abs().sum(1)
    return float(torch.quantile((dx + dy).flatten(1), 0.98, dim=1).mean())


def crispness(models: dict, src128: torch.Tensor, src64: torch.Tensor, generated: torch.Tensor) -> dict:
    """How crisp the 128 px output is, against the same scenes rendered crisp at 128 px (1.0 = as crisp):
    the latent decoder on the autoencoder's latents of the 64 px images, the decoder's variations, and
    for scale, bilinear upsampling of the 64 px images (what a decoder without sharpening would give)."""
    truth = common.to_model_pixels(src128)
    x64 = common.to_model_pixels(src64)
    with torch.no_grad():
        recon = models["ae_dec"](models["ae_enc"](x64))
    bilinear = F.interpolate(x64, scale_factor=2.0, mode="bilinear", align_corners=False)
    ref = peak_edges(truth)
    return {"latent_decoder_l1": round(float(F.l1_loss(recon, truth)) / 2, 4),
            "bilinear_l1": round(float(F.l1_loss(bilinear, truth)) / 2, 4),
            "latent_decoder_edge_ratio": round(peak_edges(recon) / ref, 3),
            "bilinear_edge_ratio": round(peak_edges(bilinear) / ref, 3),
            "variations_edge_ratio": round(peak_edges(generated.clamp(-1, 1)) / ref, 3)}


def variation_sources(rng: random.Random, triples: list[tuple[str, str, str]]) -> tuple[torch.Tensor, torch.Tensor]:
    """One big single-object scene per (colour, shape, background): uint8 renders at 128 and 64 px."""
    pairs = [world.render_pair(world.sample_scene(rng, None, n_objects=1, colour=c, shape=s, background=b, size="big"))
             for c, s, b in triples]
    return torch.from_numpy(np.stack([p[0] for p in pairs])), torch.from_numpy(np.stack([p[1] for p in pairs]))


def min_pairwise_diffs(imgs: torch.Tensor, per_prompt: int) -> list[float]:
    """For each prompt's images (consecutive in imgs, [-1, 1]), the smallest mean absolute difference
    between two of them on the 0-1 scale of the PNGs (0 = two identical pictures)."""
    u8 = torch.from_numpy(common.to_uint8(imgs)).float() / 255
    groups = u8.view(-1, per_prompt, *u8.shape[1:])
    return [min(float((g[x] - g[y]).abs().mean()) for x in range(per_prompt) for y in range(x + 1, per_prompt))
            for g in groups]


def rate(xs: list[bool]) -> float:
    return round(sum(xs) / max(1, len(xs)), 4)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=60)
    ap.add_argument("--variations", type=int, default=120)
    ap.add_argument("--steps", type=int, default=common.SAMPLING["steps"])
    ap.add_argument("--prior-guidance", type=float, default=common.SAMPLING["prior_guidance"])
    ap.add_argument("--guidance", type=float, default=common.SAMPLING["decoder_guidance"])
    ap.add_argument("--pack-out", default=os.path.join(common.ROOT, "models", "shapes-v1"))
    a = ap.parse_args(argv)
    common.setup_threads()
    dev = torch.device("cpu")
    models = train.build_models(dev)
    for k, m in models.items():
        if isinstance(m, torch.nn.Module):
            m.eval()
    t0 = time.time()
    metrics: dict = {"zero_shot": train.zero_shot(models["clip"], dev),
                     "zero_shot_fixtures": fixtures_zero_shot(models)}
    print("zero-shot", json.dumps(metrics["zero_shot"]), flush=True)

    rng = random.Random(99)
    held = sorted(world.load_heldout())
    seen = [t for t in world.all_triples() if t not in set(held)]
    triples = [("heldout", t) for t in rng.sample(held, a.prompts // 2)] + [("seen", t) for t in rng.sample(seen, a.prompts - a.prompts // 2)]
    gen = torch.Generator().manual_seed(5)
    res: dict = {"seen": {"colour": [], "shape": [], "background": []}, "heldout": {"colour": [], "shape": [], "background": []}}
    diversity = []
    samples = []
    for i in range(0, len(triples), 8):
        chunk = triples[i:i + 8]
        prompts = [f"a big {c} {s} on a {b} background" for _, (c, s, b) in chunk]
        te = train.embed_texts(models["clip"], prompts, dev)
        imgs, _ = generate(models, te, 4, a.steps, a.prior_guidance, a.guidance, gen)
        truth = [t for _, t in chunk for _ in range(4)]
        j = judge(models, imgs, truth)
        for k, (split, _) in enumerate([x for x in chunk for _ in range(4)]):
            for key in res[split]:
                res[split][key].append(j[key][k])
        diversity += min_pairwise_diffs(imgs, 4)
        if len(samples) < 8:
            samples.append((prompts[0], common.to_uint8(imgs[:4])))
        print(f"generated {i + len(chunk)}/{len(triples)} prompts", flush=True)
    metrics["text_to_image"] = {split: {k: rate(v) for k, v in d.items()} | {"n": len(d["colour"])} for split, d in res.items()}
    allv = {k: res["seen"][k] + res["heldout"][k] for k in res["seen"]}
    metrics["text_to_image"]["all"] = {k: rate(v) for k, v in allv.items()} | {"n": len(allv["colour"])}
    metrics["diversity"] = {"min_pairwise_mean_abs_diff_mean": round(float(np.mean(diversity)), 4),
                            "prompts_with_4_distinct_images": rate([d > 0.02 for d in diversity])}

    # variations of held-out images
    vr = random.Random(3)
    src_t = [held[vr.randrange(len(held))] for _ in range(a.variations)]
    src128, src64 = variation_sources(vr, src_t)
    emb = train.embed_images(models["clip"], src64, dev)
    var = torch.cat([decode(models, emb[i:i + 40], a.steps, a.guidance, gen) for i in range(0, len(emb), 40)])
    jv = judge(models, var, src_t)
    metrics["variations_heldout"] = {"colour": rate(jv["colour"]), "shape": rate(jv["shape"]),
                                     "colour_and_shape": rate([x and y for x, y in zip(jv["colour"], jv["shape"])]),
                                     "n": len(src_t)}
    metrics["crispness"] = crispness(models, src128, src64, var)
    metrics["eval_settings"] = {"steps": a.steps, "prior_guidance": a.prior_guidance, "decoder_guidance": a.guidance,
                                "prompts": len(triples), "images_per_prompt": 4, "seconds": round(time.time() - t0)}
    print(json.dumps(metrics, indent=1), flush=True)

    # sample grid: 8 prompts x 4 images
    grid = Image.new("RGB", (4 * 128, len(samples) * 128), (255, 255, 255))
    for r, (_, ims) in enumerate(samples):
        for c in range(4):
            grid.paste(Image.fromarray(ims[c]), (c * 128, r * 128))
    os.makedirs(a.pack_out, exist_ok=True)
    grid.save(os.path.join(a.pack_out, "samples.png"), optimize=True)
    with open(os.path.join(a.pack_out, "samples.json"), "w") as f:
        json.dump([p for p, _ in samples], f, indent=1)
    pj = os.path.join(a.pack_out, "pack.json")
    if os.path.exists(pj):
        with open(pj) as f:
            pack = json.load(f)
        pack["metrics"] = metrics
        with open(pj, "w") as f:
            json.dump(pack, f, indent=1)
            f.write("\n")
        import card
        card.write(a.pack_out)
    return metrics


def fixtures_zero_shot(models: dict) -> dict:
    """The same 55-way zero-shot on the committed fixture PNGs (test/fixtures/world), so the TypeScript
    accuracy test compares the engine with this number on the very same images."""
    fx_dir = os.path.join(common.ROOT, "test", "fixtures", "world")
    with open(os.path.join(fx_dir, "labels.json")) as f:
        items = json.load(f)["images"]
    imgs = torch.from_numpy(np.stack([np.asarray(Image.open(os.path.join(fx_dir, it["file"])).convert("RGB")) for it in items]))
    return train.zero_shot_on(models["clip"], imgs, [(it["split"], it["colour"], it["shape"]) for it in items], torch.device("cpu"))


if __name__ == "__main__":
    main()
