"""CLIP helpers shared by training and evaluation: embedding images and texts, the 55-way single-object
zero-shot, and the binding test of two-object scenes (does CLIP rank the true caption above the same words
bound wrongly: colours swapped, shapes swapped, relation reversed?)."""
from __future__ import annotations

import json
import os
import random

import numpy as np
import torch
import torch.nn.functional as F

import common
import world
from data import CACHE_DIR


def embed_images(clip, img64_uint8: torch.Tensor, dev: torch.device, bs: int = 512) -> torch.Tensor:
    out = []
    with torch.no_grad():
        for i in range(0, len(img64_uint8), bs):
            x = common.to_model_pixels(img64_uint8[i:i + bs]).to(dev)
            out.append(F.normalize(clip.image(x), dim=-1))
    return torch.cat(out)


def embed_texts(clip, texts: list[str], dev: torch.device, bs: int = 2048) -> torch.Tensor:
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), bs):
            out.append(F.normalize(clip.text(common.tokenize_batch(texts[i:i + bs]).to(dev)), dim=-1))
    return torch.cat(out)


def eval_sets() -> dict:
    """Fixed single-object evaluation images: seen and held-out (colour, shape, background) triples."""
    path = os.path.join(CACHE_DIR, "eval_zeroshot.npz")
    if not os.path.exists(path):
        os.makedirs(CACHE_DIR, exist_ok=True)
        rng = random.Random(777)
        held = sorted(world.load_heldout())
        seen = [t for t in world.all_triples() if t not in set(held)]
        rows = []
        for split, triples, per in (("heldout", held, 8), ("seen", rng.sample(seen, 110), 4)):
            for (c, s, b) in triples:
                for _ in range(per):
                    sc = world.sample_scene(rng, None, n_objects=1, colour=c, shape=s, background=b)
                    rows.append((split, c, s, b, world.render_pair(sc)[1]))
        np.savez(path, img64=np.stack([r[4] for r in rows]), meta=np.array(json.dumps([r[:4] for r in rows])))
    z = np.load(path)
    return {"img64": torch.from_numpy(z["img64"]), "meta": json.loads(str(z["meta"]))}


def two_object_set(n: int = 600, seed: int = 4711) -> dict:
    """Two-object scenes whose objects differ in colour and in shape, half of them with an object of a
    held-out triple: 64 px renders and their scenes."""
    path = os.path.join(CACHE_DIR, f"eval_two_{n}_{seed}.npz")
    if not os.path.exists(path):
        os.makedirs(CACHE_DIR, exist_ok=True)
        rows = [(split, world.scene_to_dict(sc), world.render_pair(sc)[1])
                for split, sc in world.two_object_scenes(random.Random(seed), {"seen": n // 2, "heldout": n - n // 2})]
        np.savez(path, img64=np.stack([r[2] for r in rows]), meta=np.array(json.dumps([r[:2] for r in rows])))
    z = np.load(path)
    meta = json.loads(str(z["meta"]))
    return {"img64": torch.from_numpy(z["img64"]), "split": [m[0] for m in meta],
            "scenes": [world.scene_from_dict(m[1]) for m in meta]}


def zero_shot(clip, dev: torch.device) -> dict:
    """55-way colour+shape zero-shot ('a <colour> <shape>'), seen vs held-out triples."""
    ev = eval_sets()
    return zero_shot_on(clip, ev["img64"], [(m[0], m[1], m[2]) for m in ev["meta"]], dev)


def zero_shot_on(clip, img64_uint8: torch.Tensor, truth: list[tuple[str, str, str]], dev: torch.device) -> dict:
    """The 55-way zero-shot of these images, truth (split, colour, shape) each: per split, the fractions
    whose colour, shape and both CLIP gets right."""
    labels = [(c, s) for c in world.COLOUR_NAMES for s in world.SHAPES]
    clip.eval()
    t = embed_texts(clip, [f"a {c} {s}" for c, s in labels], dev)
    pred = [labels[i] for i in (embed_images(clip, img64_uint8, dev) @ t.T).argmax(1).cpu().tolist()]
    res: dict = {}
    for split in sorted({x[0] for x in truth}, reverse=True):  # seen, heldout
        rows = [(p, (c, s)) for p, (sp, c, s) in zip(pred, truth) if sp == split]
        frac = lambda ok: round(sum(ok(p, t) for p, t in rows) / len(rows), 4)
        res[split] = {"colour": frac(lambda p, t: p[0] == t[0]), "shape": frac(lambda p, t: p[1] == t[1]),
                      "colour_shape": frac(lambda p, t: p == t), "n": len(rows)}
    return res


def binding(clip, dev: torch.device, n: int = 600, zero_shot: bool = True) -> dict:
    """On two-object scenes: the true caption '<a> <relation> <b> on a <bg> background' against the same
    words with colours swapped, shapes swapped and relation reversed (4-way, chance 25 %); each negative
    alone (2-way); the 'and' caption against colours swapped (2-way); and a two-object zero-shot over
    every unordered pair of 'a <colour> <shape>' ('a ... and a ...', 1485-way, both objects right; left out
    with zero_shot=False, as training's progress lines do)."""
    ev = two_object_set(n)
    clip.eval()
    im = embed_images(clip, ev["img64"], dev)
    rows = []
    for sc in ev["scenes"]:
        d = world.binding_desc(sc)
        neg = world.hard_negatives(d)
        d_and = world.Desc(d.objects, "and", sc.background)
        rows.append([world.realise(x) for x in (d, neg["colours_swapped"], neg["shapes_swapped"], neg["relation_reversed"],
                                                 d_and, world.hard_negatives(d_and)["colours_swapped"])])
    texts = sorted({t for r in rows for t in r})
    tix = {t: i for i, t in enumerate(texts)}
    te = embed_texts(clip, texts, dev)
    sims = torch.stack([(te[[tix[t] for t in r]] @ im[i]) for i, r in enumerate(rows)])  # [N, 6]
    four = (sims[:, 0:1] > sims[:, 1:4]).all(1)
    zs = None
    if zero_shot:
        pairs = [(x, y) for x in world.COLOUR_NAMES for y in world.SHAPES]
        unordered = [(p, q) for i, p in enumerate(pairs) for q in pairs[i + 1:]]
        tz = embed_texts(clip, [f"a {p[0]} {p[1]} and a {q[0]} {q[1]}" for p, q in unordered], dev)
        best = (im @ tz.T).argmax(1).tolist()
        zs = torch.tensor([{unordered[k][0], unordered[k][1]} == {(o.colour, o.shape) for o in sc.objects}
                           for k, sc in zip(best, ev["scenes"])])
    res: dict = {}
    for split in ("seen", "heldout"):
        m = torch.tensor([s == split for s in ev["split"]])
        r = lambda x: round(float(x[m].float().mean()), 4)
        res[split] = {"four_way": r(four), "vs_colours_swapped": r(sims[:, 0] > sims[:, 1]),
                      "vs_shapes_swapped": r(sims[:, 0] > sims[:, 2]), "vs_relation_reversed": r(sims[:, 0] > sims[:, 3]),
                      "and_vs_colours_swapped": r(sims[:, 4] > sims[:, 5]),
                      **({"two_object_zero_shot": r(zs)} if zs is not None else {}), "n": int(m.sum())}
    return res
