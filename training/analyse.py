"""A pixel-level judge of the shapes world, independent of the pack's CLIP (a CLIP that cannot bind cannot
judge binding): the background from the border, objects as connected components of one palette colour,
their shape from their outline (fill of the bounding box, solidity against the convex hull, where the
mass sits), the relation from the centroids by world._relation's rule.

Shape is told by the nearest neighbours among clean renders (calibrated once, cached); `validate()`
measures the judge on clean renders first, so its errors are known before it judges a model.
    /usr/bin/python3 training/analyse.py        # validation on clean renders at 64, 128 and 256 px
"""
from __future__ import annotations

import json
import os
import random

import numpy as np
from scipy import ndimage
from scipy.spatial import ConvexHull

import world

PALETTE = np.array([world.COLOURS[c] for c in world.COLOUR_NAMES], dtype=np.float32)
MIN_AREA = 0.004  # components smaller than this share of the image are specks, not objects
_CALIB: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


def _features(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    h, w = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
    area = len(ys)
    fill = area / (h * w)
    pts = np.concatenate([np.stack([xs, ys], 1) + d for d in ((0, 0), (1, 0), (0, 1), (1, 1))]).astype(np.float64)
    try:
        solidity = area / ConvexHull(pts).volume
    except Exception:  # degenerate (a line)
        solidity = 1.0
    cy = (ys.mean() - ys.min()) / h - 0.5  # where the mass sits: a triangle's is low, a heart's high
    top = mask[ys.min():ys.min() + max(1, h // 5), xs.min():xs.max() + 1].mean()  # a heart's notch, a star's point
    # the outline itself: the bounding box's content resampled to 12x12 (rotation is at most 10 degrees)
    crop = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.float32)
    ri = (np.arange(12) + 0.5) * h / 12
    ci = (np.arange(12) + 0.5) * w / 12
    grid = ndimage.map_coordinates(crop, np.meshgrid(ri - 0.5, ci - 0.5, indexing="ij"), order=1, mode="nearest")
    return np.concatenate([np.array([fill, min(solidity, 1.0), cy, top, w / h], dtype=np.float32) * 3,
                           grid.ravel().astype(np.float32)])


def _calibration() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    global _CALIB
    if _CALIB is None:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cache", "analyse_calibration.npz")
        if os.path.exists(path):
            z = np.load(path)
            _CALIB = (z["x"], z["y"], z["scale"])
        else:
            rng = random.Random(31337)
            xs, ys = [], []
            for size in (64, 128, 256):
                for _ in range(500):
                    sc = world.sample_scene(rng, None, n_objects=1)
                    comps = _components(np.asarray(world.render(sc, size)))[1]
                    if len(comps) == 1:
                        xs.append(_features(comps[0][1]))
                        ys.append(world.SHAPES.index(sc.objects[0].shape))
            x = np.stack(xs)
            scale = np.ones(x.shape[1], np.float32)
            scale[:5] = x[:, :5].std(0) + 1e-6
            _CALIB = (x, np.array(ys), scale)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            np.savez(path, x=x, y=np.array(ys), scale=scale)
    return _CALIB


def _shape(mask: np.ndarray) -> str:
    x, y, scale = _calibration()
    d = (((x - _features(mask)) / scale) ** 2).sum(1)
    votes = np.bincount(y[np.argsort(d)[:7]], minlength=len(world.SHAPES))
    return world.SHAPES[int(votes.argmax())]


def _nearest(rgb: np.ndarray) -> np.ndarray:
    return ((rgb[..., None, :] - PALETTE) ** 2).sum(-1).argmin(-1)


FG_DISTANCE = 45  # RGB distance from the background's colour above which a pixel is foreground


def border(px: np.ndarray) -> np.ndarray:
    """The outermost pixels of an image [H, W, 3] as rows of RGB."""
    return np.concatenate([px[0], px[-1], px[:, 0], px[:, -1]])


def _components(img: np.ndarray) -> tuple[str, list[tuple[str, np.ndarray]]]:
    px = img.astype(np.float32)
    bg_rgb = np.median(border(px), 0)
    bg = int(_nearest(bg_rgb[None])[0])
    fg = np.sqrt(((px - bg_rgb) ** 2).sum(-1)) > FG_DISTANCE
    label = _nearest(px)
    out = []
    min_area = MIN_AREA * img.shape[0] * img.shape[1]
    for c in range(len(world.COLOUR_NAMES)):
        if c == bg:
            continue
        m = fg & (label == c)
        if m.sum() < min_area:
            continue
        lab, n = ndimage.label(ndimage.binary_closing(m, iterations=1) & fg, structure=np.ones((3, 3)))
        for k in range(1, n + 1):
            comp = lab == k
            if comp.sum() >= min_area:
                out.append((world.COLOUR_NAMES[c], comp))
    return world.COLOUR_NAMES[bg], out


def analyse(img: np.ndarray) -> dict:
    """uint8 [H, W, 3] -> {"background", "objects": [{"colour", "shape", "cx", "cy", "extent"}]} (largest first)."""
    bg, comps = _components(img)
    h, w = img.shape[:2]
    objs = []
    for colour, m in sorted(comps, key=lambda x: -x[1].sum()):
        ys, xs = np.nonzero(m)
        objs.append({"colour": colour, "shape": _shape(m), "cx": float((xs.min() + xs.max() + 1) / 2 / w),
                     "cy": float((ys.min() + ys.max() + 1) / 2 / h),
                     "extent": float(max(ys.max() - ys.min() + 1, xs.max() - xs.min() + 1) / w)})
    return {"background": bg, "objects": objs}


def relation(a: dict, b: dict) -> str:
    """By the centres of the bounding boxes, as the world places objects."""
    return world._relation(world.Obj("", "", "", a["cx"], a["cy"], 0, 0), world.Obj("", "", "", b["cx"], b["cy"], 0, 0))


def judge(img: np.ndarray, desc: world.Desc) -> dict:
    """How an image does against the description it was drawn from: count, each object's colour and shape,
    the relation, the background (None where the description leaves it free)."""
    r = analyse(img)
    objs = r["objects"]
    want = [(c, s) for _, c, s in desc.objects]
    got = [(o["colour"], o["shape"]) for o in objs]
    res = {"count": len(objs) == len(want), "background": None if desc.background is None else r["background"] == desc.background}
    res["colour"] = sorted(c for c, _ in got[:len(want)]) == sorted(c for c, _ in want) and len(got) >= len(want)
    res["shape"] = sorted(s for _, s in got[:len(want)]) == sorted(s for _, s in want) and len(got) >= len(want)
    res["objects"] = res["count"] and sorted(got) == sorted(want)
    if len(want) == 1 and objs:
        res["colour"], res["shape"] = objs[0]["colour"] == want[0][0], objs[0]["shape"] == want[0][1]
        size = desc.objects[0][0]
        res["size"] = None if size is None else (("big" if objs[0]["extent"] > 0.33 else "small") == size)
    res["relation"] = None
    if len(want) == 2 and desc.link in world.OPPOSITE:
        res["relation"] = False
        if res["objects"] and want[0] != want[1]:
            a, b = objs[got.index(want[0])], objs[got.index(want[1])]
            res["relation"] = relation(a, b) == desc.link
    return res


def validate(n: int = 400, seed: int = 2718) -> dict:
    """The judge on clean renders of random one- and two-object scenes at 64, 128 and 256 px: the share it
    gets right of each thing it judges (should be ~1.0)."""
    rng = random.Random(seed)
    out = {}
    for size in (64, 128, 256):
        tally: dict[str, list[bool]] = {}
        for _ in range(n):
            sc = world.sample_scene(rng, None, p_two=0.5)
            if len(sc.objects) == 2:
                a, b = sc.objects
                d = world.Desc([(None, a.colour, a.shape), (None, b.colour, b.shape)], sc.relation, sc.background)
            else:
                o = sc.objects[0]
                d = world.Desc([(o.size, o.colour, o.shape)], None, sc.background)
            for k, v in judge(np.asarray(world.render(sc, size)), d).items():
                if v is not None:
                    tally.setdefault(k, []).append(bool(v))
        out[size] = {k: round(sum(v) / len(v), 4) for k, v in tally.items()}
    return out


if __name__ == "__main__":
    print(json.dumps(validate(), indent=1))
