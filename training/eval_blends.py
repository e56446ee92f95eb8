"""eval.py's blends: pairs of one-object images that differ in colour, shape and background, blended by slerp
of their CLIP image embeddings; the curve that turns /blend's ratio into a slerp weight (pack.json
decoder.blend_curve, src/engine/blend-curve.ts), measured on one set of pairs and judged on another."""
from __future__ import annotations

import random

import numpy as np
import torch

import analyse
import common
import embed
import world


BLEND_GRID = (0.3, 0.4, 0.5, 0.6, 0.7)  # slerp weights of the first image the curve is measured at


def blend_pairs(seed: int, n: int) -> list[tuple[world.Scene, world.Scene]]:
    """Pairs of big one-object scenes that differ in colour, shape and background (and neither object has
    the other's background colour, so every attribute of a blend says which image it came from)."""
    rng = random.Random(seed)
    pairs = []
    while len(pairs) < n:
        s1, s2 = (world.sample_scene(rng, None, n_objects=1, size="big") for _ in range(2))
        o1, o2 = s1.objects[0], s2.objects[0]
        if o1.colour != o2.colour and o1.shape != o2.shape and s1.background != s2.background \
                and o1.colour != s2.background and o2.colour != s1.background:
            pairs.append((s1, s2))
    return pairs


def solid_background(img: np.ndarray) -> bool:
    """Nine border pixels in ten within the analyser's foreground distance of the border's median."""
    b = analyse.border(img.astype(np.float32))
    return float((np.sqrt(((b - np.median(b, 0)) ** 2).sum(-1)) <= analyse.FG_DISTANCE).mean()) >= 0.9


def embed_pairs(models: dict, pairs: list) -> tuple[torch.Tensor, torch.Tensor]:
    """CLIP image embeddings of both images of each pair, drawn as CLIP was trained (64 px)."""
    x1, x2 = ([world.render_pair(p[k])[1] for p in pairs] for k in (0, 1))
    return tuple(embed.embed_images(models["clip"], torch.from_numpy(np.stack(x)), torch.device("cpu")) for x in (x1, x2))


def blend_sources(decode, pairs: list, e1: torch.Tensor, e2: torch.Tensor, weight: float) -> dict:
    """Blends of `pairs` (embeddings e1, e2) at slerp weight `weight` of the first image, decoded by
    `decode` (embeddings -> images in [-1, 1]) and judged by the analyser: for colour, shape and background,
    how many come from the first image, from the second, from neither; and how many blends are a clean
    scene of the world (exactly one object on a solid background)."""
    img = common.to_uint8(decode(common.slerp(e1, e2, weight)))
    tally = {"first": 0, "second": 0, "neither": 0}
    clean = []
    for k, (s1, s2) in enumerate(pairs):
        r = analyse.analyse(img[k])
        clean.append(len(r["objects"]) == 1 and solid_background(img[k]))
        o = r["objects"][0] if r["objects"] else {"colour": None, "shape": None}
        for got, one, two in ((o["colour"], s1.objects[0].colour, s2.objects[0].colour), (o["shape"], s1.objects[0].shape, s2.objects[0].shape),
                              (r["background"], s1.background, s2.background)):
            tally["first" if got == one else "second" if got == two else "neither"] += 1
    n = sum(tally.values())
    return {"from_first": round(tally["first"] / max(1, tally["first"] + tally["second"]), 4),
            "from_neither": round(tally["neither"] / n, 4), "clean": common.rate(clean), "n": len(pairs)}


def blend_curve(share: dict[float, float]) -> list[list[float]]:
    """The slerp weight for each ratio 0, 10, …, 100 such that a blend takes that share of its attributes from
    the first image: share(w) measured on BLEND_GRID, made symmetric (a blend of (a, b) at w is one of
    (b, a) at 1 − w), monotone, with the ends (0, 0) and (1, 1); inverted piecewise linearly."""
    ws = sorted(share)
    sym = [(share[w] + 1 - share.get(round(1 - w, 6), share[w])) / 2 for w in ws]
    xs, ys = [0.0], [0.0]
    for w, v in zip(ws, sym):
        v = min(max(v, xs[-1] + 1e-3), 1.0 - 1e-3)  # non-decreasing, strictly, inside (0, 1)
        xs.append(v)
        ys.append(w)
    xs.append(1.0)
    ys.append(1.0)
    return [[r, round(float(np.interp(r / 100, xs, ys)), 4)] for r in range(0, 101, 10)]


def blends(models: dict, decode, n_pairs: int) -> dict:
    """Blends whose ratio means what it says: the share of the first image's attributes measured at the
    slerp weights of BLEND_GRID on one set of pairs gives the curve (pack.json decoder.blend_curve, what the
    engine reads a ratio off); other pairs are then blended at ratios 30 / 50 / 70 through that curve."""
    fit = blend_pairs(4242, n_pairs)
    e_fit = embed_pairs(models, fit)
    raw = {w: blend_sources(decode, fit, *e_fit, w) for w in BLEND_GRID}
    curve = blend_curve({w: r["from_first"] for w, r in raw.items()})
    weight = {r: w for r, w in curve}
    test = blend_pairs(4343, n_pairs)
    e_test = embed_pairs(models, test)
    return {"curve": curve, "slerp": {str(round(100 * w)): r for w, r in raw.items()},
            **{str(r): blend_sources(decode, test, *e_test, weight[r]) | {"weight": weight[r]} for r in (30, 50, 70)}}
