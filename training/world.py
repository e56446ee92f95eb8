"""The shapes world, v1 (DESIGN.md): colours, shapes, sizes, scenes, captions, held-out triples.

Scenes are drawn crisp at 4x the display size and downsampled (box filter), so the 128 px images are
antialiased ground truth for the latent decoder and the 64 px images are what CLIP sees.
"""
from __future__ import annotations

import json
import math
import os
import random
import re
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "orange": (245, 140, 30),
    "yellow": (240, 220, 40),
    "green": (40, 170, 60),
    "blue": (40, 90, 220),
    "purple": (140, 60, 190),
    "pink": (240, 130, 180),
    "brown": (130, 80, 40),
    "white": (245, 245, 245),
    "gray": (128, 128, 128),
    "black": (20, 20, 20),
}
COLOUR_NAMES = list(COLOURS)
SHAPES = ["circle", "square", "triangle", "star", "heart"]
SIZES = {"small": (0.18, 0.28), "big": (0.40, 0.60)}
PREFIXES = ["a photo of", "a drawing of", "an image of"]
RELATIONS = ["to the left of", "to the right of", "above", "below"]
JITTER = 15
MAX_ROTATION = 10.0

HERE = os.path.dirname(os.path.abspath(__file__))
HELDOUT_PATH = os.path.join(HERE, "data", "heldout_triples.json")


def all_triples() -> list[tuple[str, str, str]]:
    """Every (colour, shape, background) with object colour != background colour: 11*5*10 = 550."""
    return [(c, s, b) for c in COLOUR_NAMES for s in SHAPES for b in COLOUR_NAMES if b != c]


def make_heldout(seed: int = 20261127) -> list[tuple[str, str, str]]:
    """A fixed 10 % of the triples. Every colour+shape pair keeps most of its backgrounds in training,
    so held-out triples test new combinations of known parts."""
    rng = random.Random(seed)
    triples = all_triples()
    rng.shuffle(triples)
    return sorted(triples[: len(triples) // 10])


def load_heldout() -> set[tuple[str, str, str]]:
    with open(HELDOUT_PATH) as f:
        return {tuple(t) for t in json.load(f)["triples"]}  # type: ignore[misc]


# ---------------------------------------------------------------------------------------- geometry

def _unit_polygon(shape: str) -> list[tuple[float, float]]:
    """The shape as a polygon in the unit box [-1, 1]^2 (y down), pointing up."""
    if shape == "circle":
        n = 96
        return [(math.cos(2 * math.pi * i / n), math.sin(2 * math.pi * i / n)) for i in range(n)]
    if shape == "square":
        return [(-1, -1), (1, -1), (1, 1), (-1, 1)]
    if shape == "triangle":
        return [(0, -1), (1, 1), (-1, 1)]
    if shape == "star":
        pts = []
        for i in range(10):
            r = 1.0 if i % 2 == 0 else 0.42
            a = -math.pi / 2 + i * math.pi / 5
            pts.append((r * math.cos(a), r * math.sin(a)))
        # a five-pointed star is not as tall below as above: centre it in its bounding box
        ys = [p[1] for p in pts]
        off = (max(ys) + min(ys)) / 2
        scale = 2 / (max(ys) - min(ys))
        return [(x * scale, (y - off) * scale) for x, y in pts]
    if shape == "heart":
        pts = []
        n = 96
        for i in range(n):
            t = 2 * math.pi * i / n
            x = 16 * math.sin(t) ** 3
            y = -(13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t))
            pts.append((x, y))
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        sx, sy = (max(xs) - min(xs)) / 2, (max(ys) - min(ys)) / 2
        return [((x - cx) / sx, (y - cy) / sy) for x, y in pts]
    raise ValueError(f"unknown shape {shape!r}")


_POLYS = {s: _unit_polygon(s) for s in SHAPES}


@dataclass
class Obj:
    colour: str
    shape: str
    size: str
    cx: float  # centre, fraction of the side
    cy: float
    extent: float  # bounding box side, fraction of the side
    rotation: float  # degrees
    rgb: tuple[int, int, int] = (0, 0, 0)


@dataclass
class Scene:
    background: str
    bg_rgb: tuple[int, int, int]
    objects: list[Obj] = field(default_factory=list)
    relation: str | None = None  # for two objects: objects[0] <relation> objects[1]


def _jitter(rgb: tuple[int, int, int], rng: random.Random) -> tuple[int, int, int]:
    return tuple(max(0, min(255, v + rng.randint(-JITTER, JITTER))) for v in rgb)  # type: ignore[return-value]


def _relation(a: Obj, b: Obj) -> str:
    dx, dy = a.cx - b.cx, a.cy - b.cy
    if abs(dx) >= abs(dy):
        return "to the left of" if dx < 0 else "to the right of"
    return "above" if dy < 0 else "below"


def sample_scene(rng: random.Random, heldout: set[tuple[str, str, str]] | None = None,
                 n_objects: int | None = None, colour: str | None = None, shape: str | None = None,
                 background: str | None = None, size: str | None = None) -> Scene:
    """A random scene; with `heldout`, no object forms a held-out (colour, shape, background) triple."""
    for _ in range(1000):
        bg = background or rng.choice(COLOUR_NAMES)
        n = n_objects or (1 if rng.random() < 0.6 else 2)
        objs: list[Obj] = []
        ok = True
        for i in range(n):
            c = colour if (colour and i == 0) else rng.choice([x for x in COLOUR_NAMES if x != bg])
            s = shape if (shape and i == 0) else rng.choice(SHAPES)
            if c == bg or (heldout is not None and (c, s, bg) in heldout):
                ok = False
                break
            if i == 1 and (c, s) == (objs[0].colour, objs[0].shape):
                ok = False
                break
            sz = size if (size and i == 0) else rng.choice(list(SIZES))
            if n == 2 and sz == "big" and not (size and i == 0):
                sz = rng.choice(["small", "small", "big"])
            lo, hi = SIZES[sz]
            ext = rng.uniform(lo, hi)
            placed = False
            for _ in range(200):
                m = ext / 2 * 1.12  # rotation margin
                cx, cy = rng.uniform(m, 1 - m), rng.uniform(m, 1 - m)
                if all(max(abs(cx - o.cx), abs(cy - o.cy)) > (ext + o.extent) / 2 * 1.12 + 0.02 for o in objs):
                    placed = True
                    break
            if not placed:
                ok = False
                break
            objs.append(Obj(c, s, sz, cx, cy, ext, rng.uniform(-MAX_ROTATION, MAX_ROTATION), _jitter(COLOURS[c], rng)))
        if ok:
            scene = Scene(bg, _jitter(COLOURS[bg], rng), objs)
            if n == 2:
                scene.relation = _relation(objs[0], objs[1])
            return scene
    raise RuntimeError("could not sample a scene with these constraints")


def render(scene: Scene, size: int = 128, supersample: int = 4) -> Image.Image:
    big = size * supersample
    img = Image.new("RGB", (big, big), scene.bg_rgb)
    draw = ImageDraw.Draw(img)
    for o in scene.objects:
        r = o.extent * big / 2
        a = math.radians(o.rotation)
        ca, sa = math.cos(a), math.sin(a)
        pts = [(o.cx * big + r * (x * ca - y * sa), o.cy * big + r * (x * sa + y * ca)) for x, y in _POLYS[o.shape]]
        draw.polygon(pts, fill=o.rgb)
    return img.resize((size, size), Image.BOX)


# ---------------------------------------------------------------------------------------- captions

def _obj_phrase(o: Obj, with_size: bool) -> str:
    return f"a {o.size} {o.colour} {o.shape}" if with_size else f"a {o.colour} {o.shape}"


def caption(scene: Scene, rng: random.Random) -> str:
    """One random caption of the scene, in the forms of DESIGN.md; details are left out at random so
    the prior learns what a prompt leaves free."""
    prefix = rng.choice(PREFIXES) + " " if rng.random() < 0.25 else ""
    bg = f" on a {scene.background} background" if rng.random() < 0.6 else ""
    if len(scene.objects) == 1:
        text = _obj_phrase(scene.objects[0], rng.random() < 0.5)
    else:
        a, b = scene.objects
        if rng.random() < 0.5:
            if rng.random() < 0.5:
                a, b = b, a
            text = f"{_obj_phrase(a, False)} and {_obj_phrase(b, False)}"
        else:
            rel = scene.relation
            if rng.random() < 0.5:  # say it the other way round
                rel = {"to the left of": "to the right of", "to the right of": "to the left of",
                       "above": "below", "below": "above"}[rel]  # type: ignore[index]
                a, b = b, a
            text = f"{_obj_phrase(a, False)} {rel} {_obj_phrase(b, False)}"
    text = prefix + text + bg
    if rng.random() < 0.5:  # people write "an orange star"; the grammar of DESIGN.md writes "a orange star"
        text = re.sub(r"\ba orange\b", "an orange", text)
    return text


def full_caption(scene: Scene) -> str:
    """The most specific caption (used for the evaluation set's labels)."""
    if len(scene.objects) == 1:
        return f"{_obj_phrase(scene.objects[0], True)} on a {scene.background} background"
    a, b = scene.objects
    return f"{_obj_phrase(a, False)} {scene.relation} {_obj_phrase(b, False)} on a {scene.background} background"


def vocabulary() -> list[str]:
    words: set[str] = set()
    for p in PREFIXES + RELATIONS:
        words.update(p.split())
    words.update(COLOUR_NAMES)
    words.update(SHAPES)
    words.update(SIZES)
    words.update(["a", "an", "on", "background", "and"])
    return sorted(words)


def render_pair(scene: Scene) -> tuple[np.ndarray, np.ndarray]:
    """The scene at 128 px (supersampled) and box-downsampled to the 64 px CLIP and autoencoder see."""
    im = render(scene, 128)
    return np.asarray(im), np.asarray(im.resize((64, 64), Image.BOX))


# ---------------------------------------------------------------------------------------- datasets

def render_dataset(n: int, seed: int, heldout: set[tuple[str, str, str]] | None, out_path: str,
                   n_objects: int | None = None) -> None:
    """Render n scenes to an .npz cache: img128 uint8 [n,128,128,3], img64 uint8 [n,64,64,3], scenes JSON."""
    rng = random.Random(seed)
    img128 = np.zeros((n, 128, 128, 3), np.uint8)
    img64 = np.zeros((n, 64, 64, 3), np.uint8)
    scenes = []
    for i in range(n):
        s = sample_scene(rng, heldout, n_objects=n_objects)
        img128[i], img64[i] = render_pair(s)
        scenes.append(scene_to_dict(s))
    tmp = out_path + ".tmp.npz"
    np.savez(tmp, img128=img128, img64=img64, scenes=np.array(json.dumps(scenes)))
    os.replace(tmp, out_path)


def scene_to_dict(s: Scene) -> dict:
    return {"background": s.background, "relation": s.relation,
            "objects": [{"colour": o.colour, "shape": o.shape, "size": o.size, "cx": o.cx, "cy": o.cy,
                         "extent": o.extent, "rotation": o.rotation, "rgb": list(o.rgb)} for o in s.objects],
            "bg_rgb": list(s.bg_rgb)}


def scene_from_dict(d: dict) -> Scene:
    objs = [Obj(o["colour"], o["shape"], o["size"], o["cx"], o["cy"], o["extent"], o["rotation"], tuple(o["rgb"]))
            for o in d["objects"]]
    return Scene(d["background"], tuple(d["bg_rgb"]), objs, d.get("relation"))  # type: ignore[arg-type]


if __name__ == "__main__":
    os.makedirs(os.path.dirname(HELDOUT_PATH), exist_ok=True)
    if not os.path.exists(HELDOUT_PATH):
        with open(HELDOUT_PATH, "w") as f:
            json.dump({"seed": 20261127, "note": "fixed 10 % of (colour, shape, background) triples never seen in training",
                       "triples": make_heldout()}, f, indent=0)
    print(len(load_heldout()), "held-out triples;", len(vocabulary()), "words:", vocabulary())
