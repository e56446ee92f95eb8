"""Evaluate a pack (PyTorch weights from its checkpoints, the same networks as the ONNX files) with two
judges that do not share each other's mistakes: the pack's own CLIP and the pixel-level analyser of the
world (analyse.py, validated on clean renders first).

- CLIP: 55-way single-object zero-shot (seen / held-out triples), the binding test of two-object scenes
  (true caption vs colours swapped / shapes swapped / relation reversed) and two-object zero-shot;
- text to image, one object: `a big <c> <s> on a <bg> background` (CLIP judge as before, and the analyser),
  `a <c> <s>` (no size, no background) and `a small <c> <s> on a <bg> background` (analyser);
- text to image, two objects: `<a> <relation> <b> on a <bg> background` and `<a> and <b>` (analyser: both
  objects' colour and shape, the relation, the background, exactly two objects);
- variations of held-out one-object images (CLIP judge) and of two-object images (analyser);
- blends of pairs that differ in colour, shape and background at ratios 30 / 50 / 70 (analyser: the share
  of attributes taken from the first image, and how many blends are a clean scene of the world);
- diversity (smallest pairwise difference of a prompt's 4 images) and crispness against crisp renders.

Samples as the bot does: each model's default scheduler and steps in the exported pack.json (--pack-out;
common.SAMPLING, what export writes, if there is none yet); --scheduler and --steps override them for the
prior and the decoder alike (as `npm run bench:quality` configurations do).
Writes the numbers into pack.json's "metrics", a sample grid models/<pack>/samples.png and the model card.
    /usr/bin/python3 training/eval.py [--prompts 60] [--scheduler ddim|dpmsolver++|unipc] [--steps N] [--clip-only]
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

import analyse
import ckpt
import common
import embed
import eval_blends
import packs
import world


def generate(models: dict, text_emb: torch.Tensor, n: int, samplers: dict[str, common.Sampler], g_prior: float, g_dec: float,
             gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """text_emb [B, D] -> (images [B*n, 3, S, S] in [-1, 1], image embeddings); samplers["prior"] and
    samplers["decoder"]: each model's scheduler and steps."""
    d = models["spec"].embed_dim
    cond = text_emb.repeat_interleave(n, 0)
    x = common.sample(models["prior"], (cond.shape[0], d), cond, "x0", samplers["prior"], g_prior, gen)
    emb = F.normalize(x / math.sqrt(d), dim=-1)
    return decode(models, emb, samplers["decoder"], g_dec, gen), emb


def pack_samplers(pack_dir: str, scheduler: str | None, steps: int | None) -> dict[str, common.Sampler]:
    """The prior's and the decoder's scheduler and steps as the engine resolves a request naming `scheduler`
    and `steps` (None: the pack's default; steps for a named scheduler: the pack's for it)."""
    pj = os.path.join(pack_dir, "pack.json")
    cfg = None
    if os.path.exists(pj):
        with open(pj) as f:
            cfg = json.load(f)
    out = {}
    for model in ("prior", "decoder"):
        m = cfg[model] if cfg else None
        default = common.pack_sampler(m) if m else common.Sampler(common.SAMPLING["scheduler"], common.SAMPLING["steps"])
        name = scheduler or default.scheduler
        n = steps if steps is not None else default.steps if name == default.scheduler else common.steps_for(m, name)
        out[model] = common.Sampler(name, n)
    return out


def decode(models: dict, emb: torch.Tensor, sampler: common.Sampler, g_dec: float, gen: torch.Generator, eta: float = 0.0) -> torch.Tensor:
    lat = common.sample(models["decoder"], (emb.shape[0], *models["spec"].latent), emb, "v", sampler, g_dec, gen, eta=eta)
    with torch.no_grad():
        return models["ae_dec"](lat / models["latent_scale"])


def to64(img: torch.Tensor) -> torch.Tensor:
    """What CLIP sees: box-downsampled to 64 px as the training images were made, quantized like a PNG."""
    x64 = common.downsample_box(img.clamp(-1, 1), img.shape[-1] // 64)
    return torch.round((x64 + 1) * 127.5) / 127.5 - 1


def clip_judge(models: dict, img: torch.Tensor, truth: list[tuple[str, str, str]]) -> dict:
    """CLIP judge of one-object images: colour+shape 55-way, background 10-way."""
    clip = models["clip"]
    with torch.no_grad():
        im = F.normalize(clip.image(to64(img)), dim=-1)
    labels = [(c, s) for c in world.COLOUR_NAMES for s in world.SHAPES]
    t = embed.embed_texts(clip, [f"a {c} {s}" for c, s in labels], torch.device("cpu"))
    pred = (im @ t.T).argmax(1).tolist()
    background_texts: dict = {}
    ok_c, ok_s, ok_b = [], [], []
    for i, (c, s, b) in enumerate(truth):
        pc, ps = labels[pred[i]]
        ok_c.append(pc == c)
        ok_s.append(ps == s)
        if (c, s) not in background_texts:
            bgs = [x for x in world.COLOUR_NAMES if x != c]
            background_texts[c, s] = bgs, embed.embed_texts(clip, [f"a big {c} {s} on a {x} background" for x in bgs], torch.device("cpu"))
        bgs, tb = background_texts[c, s]
        ok_b.append(bgs[int((im[i] @ tb.T).argmax())] == b)
    return {"colour": ok_c, "shape": ok_s, "background": ok_b}


def clip_binding_judge(models: dict, img: torch.Tensor, descs: list[world.Desc]) -> list[bool]:
    """CLIP judge of two-object images with a relation: the prompt ranks above its wrong bindings."""
    clip = models["clip"]
    with torch.no_grad():
        im = F.normalize(clip.image(to64(img)), dim=-1)
    out = []
    for i, d in enumerate(descs):
        texts = [world.realise(d)] + [world.realise(x) for x in world.hard_negatives(d).values()]
        s = embed.embed_texts(clip, texts, torch.device("cpu")) @ im[i]
        out.append(bool((s[0] > s[1:]).all()))
    return out


def pixel_judge(img: torch.Tensor, descs: list[world.Desc]) -> dict[str, list[bool]]:
    u8 = common.to_uint8(img)
    tally: dict[str, list[bool]] = {}
    for k in range(len(descs)):
        for key, v in analyse.judge(u8[k], descs[k]).items():
            if v is not None:
                tally.setdefault(key, []).append(bool(v))
    return tally


def gradients(img: torch.Tensor) -> torch.Tensor:
    """[B, 3, S, S] in [-1, 1] -> [B, (S-1)^2]: |dx| + |dy| summed over the channels."""
    dx = (img[..., :-1, 1:] - img[..., :-1, :-1]).abs().sum(1)
    dy = (img[..., 1:, :-1] - img[..., :-1, :-1]).abs().sum(1)
    return (dx + dy).flatten(1)


def edge_ratio(img: torch.Tensor, crisp: torch.Tensor) -> float | None:
    """Edge strength against crisp renders of the same scenes, at any size: per image, the mean of its N
    strongest gradients over the crisp render's mean on its N edge pixels (N: the crisp render's pixels with
    a gradient). Blur keeps the total gradient of an edge but spreads it, so the N strongest drop; a 98th
    percentile would not work at 256 px, where a small object's edges are under 2 % of the pixels."""
    g, r = gradients(img), gradients(crisp)
    out = []
    for gi, ri in zip(g, r):
        n = int((ri > 0.05).sum())
        if n:
            out.append(float(gi.topk(n).values.mean() / ri.topk(n).values.mean()))
    return round(sum(out) / len(out), 3) if out else None


rate = common.rate


def rates(t: dict[str, list[bool]]) -> dict:
    return {k: rate(v) for k, v in t.items()} | {"n": max((len(v) for v in t.values()), default=0)}


def min_pairwise_diffs(imgs: torch.Tensor, per_prompt: int) -> list[float]:
    u8 = torch.from_numpy(common.to_uint8(imgs)).float() / 255
    groups = u8.view(-1, per_prompt, *u8.shape[1:])
    return [min(float((g[x] - g[y]).abs().mean()) for x in range(per_prompt) for y in range(x + 1, per_prompt)) for g in groups]


def source_images(models: dict, scenes: list) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 renders at the pack's display size and at 64 px (what CLIP sees)."""
    size = models["spec"].image_size
    big = [world.render(s, size) for s in scenes]
    return (torch.from_numpy(np.stack([np.asarray(b) for b in big])),
            torch.from_numpy(np.stack([world.render_pair(s)[1] for s in scenes])))  # 64 px as CLIP was trained


def two_object_descs(rng: random.Random, n: int, link: str | None) -> list[world.Desc]:
    out = []
    while len(out) < n:
        sc = world.sample_scene(rng, None, n_objects=2)
        a, b = sc.objects
        if a.colour == b.colour or a.shape == b.shape:
            continue
        out.append(world.Desc([(None, a.colour, a.shape), (None, b.colour, b.shape)], link or sc.relation, sc.background))
    return out


def run_prompts(models, descs, a, gen, samples) -> tuple[dict, list[float], torch.Tensor]:
    """4 images per description: the analyser's tally, the diversity and the images."""
    tally: dict[str, list[bool]] = {}
    div: list[float] = []
    imgs_all = []
    for i in range(0, len(descs), 8):
        chunk = descs[i:i + 8]
        te = embed.embed_texts(models["clip"], [world.realise(d) for d in chunk], torch.device("cpu"))
        imgs, _ = generate(models, te, 4, a.samplers, a.prior_guidance, a.guidance, gen)
        for k, v in pixel_judge(imgs, [d for d in chunk for _ in range(4)]).items():
            tally.setdefault(k, []).extend(v)
        div += min_pairwise_diffs(imgs, 4)
        imgs_all.append(imgs)
        if len(samples) < 8:
            samples.append((world.realise(chunk[0]), common.to_uint8(imgs[:4])))
    return tally, div, torch.cat(imgs_all)


def main(argv: list[str] | None = None) -> dict:
    spec = packs.current()
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=60)
    ap.add_argument("--variations", type=int, default=120)
    ap.add_argument("--blend-pairs", type=int, default=24)
    ap.add_argument("--scheduler", choices=sorted(common.ENGINE_DEFAULT_STEPS), help="default: the pack's, per model")
    ap.add_argument("--steps", type=int, help="prior and decoder steps (default: the pack's for the scheduler)")
    ap.add_argument("--prior-guidance", type=float, default=common.SAMPLING["prior_guidance"])
    ap.add_argument("--guidance", type=float, default=common.SAMPLING["decoder_guidance"])
    ap.add_argument("--pack-out", default=spec.out_dir)
    ap.add_argument("--clip-only", action="store_true", help="only the CLIP metrics (no generation)")
    a = ap.parse_args(argv)
    a.samplers = pack_samplers(a.pack_out, a.scheduler, a.steps)
    print("sampling", {k: str(v) for k, v in a.samplers.items()}, flush=True)
    common.setup_threads()
    dev = torch.device("cpu")
    models = ckpt.build_models(dev, spec)
    for m in models.values():
        if isinstance(m, torch.nn.Module):
            m.eval()
    t0 = time.time()
    metrics: dict = {"zero_shot": embed.zero_shot(models["clip"], dev), "zero_shot_fixtures": fixtures_zero_shot(models),
                     "binding_fixtures": fixtures_binding(models),
                     "binding": embed.binding(models["clip"], dev)}
    print("clip", json.dumps(metrics), flush=True)
    if a.clip_only:
        return metrics
    metrics["judge_on_clean_renders"] = analyse.validate(200)[spec.image_size]

    rng = random.Random(99)
    held = sorted(world.load_heldout())
    seen = [t for t in world.all_triples() if t not in set(held)]
    triples = [("heldout", t) for t in rng.sample(held, a.prompts // 2)] + [("seen", t) for t in rng.sample(seen, a.prompts - a.prompts // 2)]
    gen = torch.Generator().manual_seed(5)
    samples: list = []
    # one object, fully specified: CLIP judge (as 0.2.0's card) and the analyser
    descs = [world.Desc([("big", c, s)], None, b) for _, (c, s, b) in triples]
    tally, diversity, imgs = run_prompts(models, descs, a, gen, samples)
    truth = [t for _, t in triples for _ in range(4)]
    j = clip_judge(models, imgs, truth)
    split = [sp for sp, _ in triples for _ in range(4)]
    metrics["text_to_image"] = {sp: {k: rate([v for v, s in zip(j[k], split) if s == sp]) for k in j} | {"n": split.count(sp)}
                                for sp in ("seen", "heldout")}
    metrics["text_to_image"]["all"] = {k: rate(v) for k, v in j.items()} | {"n": len(split)}
    metrics["text_to_image_pixels"] = {"big_with_background": rates(tally)}
    # one object the way people type it, and small objects
    cs = [(c, s, b) for _, (c, s, b) in triples]
    for name, mk in (("bare", lambda c, s, b: world.Desc([(None, c, s)])),
                     ("small_with_background", lambda c, s, b: world.Desc([("small", c, s)], None, b))):
        t, d, _ = run_prompts(models, [mk(*x) for x in cs], a, gen, samples)
        metrics["text_to_image_pixels"][name] = rates(t)
        diversity += d
    # two objects
    r2 = random.Random(7)
    for name, link in (("relation", None), ("and", "and")):
        ds = two_object_descs(r2, a.prompts // 2, link)
        t, d, imgs2 = run_prompts(models, ds, a, gen, samples)
        metrics.setdefault("two_objects", {})[name] = rates(t)
        if link is None:
            metrics["two_objects"][name]["clip_judge_binding"] = rate(clip_binding_judge(models, imgs2, [x for x in ds for _ in range(4)]))
        diversity += d
    metrics["diversity"] = {"min_pairwise_mean_abs_diff_mean": round(float(np.mean(diversity)), 4),
                            "prompts_with_4_distinct_images": rate([x > 0.02 for x in diversity])}

    # variations: held-out one-object images (CLIP judge), two-object images (analyser)
    vr = random.Random(3)
    src_t = [held[vr.randrange(len(held))] for _ in range(a.variations)]
    scenes = [world.sample_scene(vr, None, n_objects=1, colour=c, shape=s, background=b, size="big") for c, s, b in src_t]
    src_big, src64 = source_images(models, scenes)
    emb = embed.embed_images(models["clip"], src64, dev)
    var = torch.cat([decode(models, emb[i:i + 40], a.samplers["decoder"], a.guidance, gen) for i in range(0, len(emb), 40)])
    jv = clip_judge(models, var, src_t)
    metrics["variations_heldout"] = {"colour": rate(jv["colour"]), "shape": rate(jv["shape"]),
                                     "colour_and_shape": rate([x and y for x, y in zip(jv["colour"], jv["shape"])]), "n": len(src_t)}
    sc2 = [sc for _, sc in world.two_object_scenes(vr, {"seen": a.variations // 4, "heldout": a.variations // 2 - a.variations // 4})]
    ds = [world.Desc([(None, o.colour, o.shape) for o in sc.objects], sc.relation, sc.background) for sc in sc2]
    _, s64 = source_images(models, sc2)
    e2 = embed.embed_images(models["clip"], s64, dev)
    v2 = torch.cat([decode(models, e2[i:i + 40], a.samplers["decoder"], a.guidance, gen) for i in range(0, len(e2), 40)])
    metrics["variations_two_objects"] = rates(pixel_judge(v2, ds))
    metrics["blends"] = eval_blends.blends(models, lambda emb: decode(models, emb, a.samplers["decoder"], a.guidance, gen), a.blend_pairs)
    truth_t = common.to_model_pixels(src_big)
    with torch.no_grad():
        ae_in = src64 if spec.ae == "v1" else torch.from_numpy(np.stack([np.asarray(world.render(s, spec.ae_input)) for s in scenes]))
        recon = models["ae_dec"](models["ae_enc"](common.to_model_pixels(ae_in)))
    bilinear = F.interpolate(common.to_model_pixels(ae_in), size=spec.image_size, mode="bilinear", align_corners=False)
    metrics["crispness"] = {"latent_decoder_l1": round(float(F.l1_loss(recon, truth_t)) / 2, 4),
                            "latent_decoder_edge_ratio": edge_ratio(recon.clamp(-1, 1), truth_t),
                            "variations_edge_ratio": edge_ratio(var.clamp(-1, 1), truth_t),
                            "bilinear_l1": round(float(F.l1_loss(bilinear, truth_t)) / 2, 4),
                            "bilinear_edge_ratio": edge_ratio(bilinear, truth_t), "size": spec.image_size}
    sp, sd = a.samplers["prior"], a.samplers["decoder"]
    metrics["eval_settings"] = {"scheduler": sd.scheduler, "steps": sd.steps, "prior_scheduler": sp.scheduler, "prior_steps": sp.steps,
                                "prior_guidance": a.prior_guidance, "decoder_guidance": a.guidance,
                                "prompts": len(triples), "images_per_prompt": 4, "seconds": round(time.time() - t0)}
    print(json.dumps(metrics, indent=1), flush=True)
    write_outputs(a.pack_out, metrics, samples, spec.image_size)
    return metrics


def write_outputs(out: str, metrics: dict, samples: list, size: int) -> None:
    """samples.png (8 prompts x 4 images), samples.json, the metrics into pack.json, the model card."""
    grid = Image.new("RGB", (4 * size, len(samples) * size), (255, 255, 255))
    for r, (_, ims) in enumerate(samples):
        for c in range(4):
            grid.paste(Image.fromarray(ims[c]), (c * size, r * size))
    os.makedirs(out, exist_ok=True)
    grid.save(os.path.join(out, "samples.png"), optimize=True)
    with open(os.path.join(out, "samples.json"), "w") as f:
        json.dump([p for p, _ in samples], f, indent=1)
    pj = os.path.join(out, "pack.json")
    if os.path.exists(pj):
        with open(pj) as f:
            pack = json.load(f)
        pack["metrics"] = metrics
        curve = metrics.get("blends", {}).get("curve")
        if curve and pack.get("decoder"):
            pack["decoder"]["blend_curve"] = curve  # measured here; the engine reads /blend's ratio off it
        with open(pj, "w") as f:
            json.dump(pack, f, indent=1)
            f.write("\n")
        import card
        card.write(out)


def fixtures_zero_shot(models: dict) -> dict:
    """The same 55-way zero-shot on the committed fixture PNGs (test/fixtures/world), so the TypeScript
    accuracy test compares the engine with this number on the very same images."""
    fx_dir = os.path.join(common.ROOT, "test", "fixtures", "world")
    with open(os.path.join(fx_dir, "labels.json")) as f:
        items = json.load(f)["images"]
    imgs = torch.from_numpy(np.stack([np.asarray(Image.open(os.path.join(fx_dir, it["file"])).convert("RGB")) for it in items]))
    return embed.zero_shot_on(models["clip"], imgs, [(it["split"], it["colour"], it["shape"]) for it in items], torch.device("cpu"))


def fixtures_binding(models: dict) -> dict:
    """The binding test on the committed two-object fixture PNGs (test/fixtures/world-two): per split, the
    share of images whose caption ranks above its three wrong bindings (labels.json `negatives`), so the
    TypeScript binding test compares the engine with this number on the very same images."""
    fx_dir = os.path.join(common.ROOT, "test", "fixtures", "world-two")
    with open(os.path.join(fx_dir, "labels.json")) as f:
        items = json.load(f)["images"]
    imgs = torch.from_numpy(np.stack([np.asarray(Image.open(os.path.join(fx_dir, it["file"])).convert("RGB")) for it in items]))
    dev = torch.device("cpu")
    im = embed.embed_images(models["clip"], imgs, dev)
    # One text call for every image's caption and its three wrong bindings: rows of (1 + 3) captions.
    texts = [t for it in items for t in [it["caption"], *it["negatives"].values()]]
    tx = embed.embed_texts(models["clip"], texts, dev).reshape(len(items), -1, im.shape[-1])
    s = torch.einsum("nkd,nd->nk", tx, im)
    out: dict = {}
    for it, row in zip(items, s):
        out.setdefault(it["split"], []).append(bool((row[0] > row[1:]).all()))
    return {k: rate(v) for k, v in out.items()} | {"n": {k: len(v) for k, v in out.items()}}


if __name__ == "__main__":
    main()
