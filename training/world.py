"""The shapes world (docs/PACK.md's `world`, the model cards' "What to ask for"): colours, shapes, sizes, scenes, captions, held-out triples.

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
                 background: str | None = None, size: str | None = None, p_two: float = 0.4) -> Scene:
    """A random scene; with `heldout`, no object forms a held-out (colour, shape, background) triple."""
    for _ in range(1000):
        bg = background or rng.choice(COLOUR_NAMES)
        n = n_objects or (1 if rng.random() < 1 - p_two else 2)
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
# A caption is built from a structured description (Desc), so that its hard negatives (colours swapped,
# shapes swapped, relation reversed, object and background colours swapped, size changed) can be made from
# the same description: CLIP learns to bind attributes only if it is shown what a wrong binding reads like.

OPPOSITE = {"to the left of": "to the right of", "to the right of": "to the left of", "above": "below", "below": "above"}


@dataclass
class Desc:
    objects: list[tuple[str | None, str, str]]  # (size or None, colour, shape), in the caption's order
    link: str | None = None  # two objects: "and" or one of RELATIONS (objects[0] <link> objects[1])
    background: str | None = None
    prefix: str | None = None
    an_orange: bool = False  # write "an orange" (people do) instead of the grammar's "a orange"


def describe(scene: Scene, rng: random.Random, p_size: float = 0.5, p_background: float = 0.6,
             p_relation: float = 0.5) -> Desc:
    """One random description of the scene in the forms the model card lists; details are left out at random so
    the prior learns what a prompt leaves free."""
    prefix = rng.choice(PREFIXES) if rng.random() < 0.25 else None
    bg = scene.background if rng.random() < p_background else None
    if len(scene.objects) == 1:
        o = scene.objects[0]
        objs = [(o.size if rng.random() < p_size else None, o.colour, o.shape)]
        link = None
    else:
        a, b = scene.objects
        if rng.random() < 1 - p_relation:
            if rng.random() < 0.5:
                a, b = b, a
            link = "and"
        else:
            link = scene.relation
            if rng.random() < 0.5:  # say it the other way round
                link = OPPOSITE[link]  # type: ignore[index]
                a, b = b, a
        objs = [(None, a.colour, a.shape), (None, b.colour, b.shape)]
    return Desc(objs, link, bg, prefix, rng.random() < 0.5)


def realise(d: Desc) -> str:
    phrase = lambda o: " ".join(x for x in ("a", o[0], o[1], o[2]) if x)
    text = phrase(d.objects[0]) if len(d.objects) == 1 else f"{phrase(d.objects[0])} {d.link} {phrase(d.objects[1])}"
    if d.prefix:
        text = d.prefix + " " + text
    if d.background:
        text += f" on a {d.background} background"
    if d.an_orange:
        text = re.sub(r"\ba orange\b", "an orange", text)
    return text


def caption(scene: Scene, rng: random.Random) -> str:
    return realise(describe(scene, rng))


def binding_desc(scene: Scene) -> Desc:
    """The binding test's description of a two-object scene: no sizes, the relation, the background."""
    a, b = scene.objects
    return Desc([(None, a.colour, a.shape), (None, b.colour, b.shape)], scene.relation, scene.background)


def hard_negatives(d: Desc) -> dict[str, Desc]:
    """Descriptions that use the same words as d but bind them wrongly, by kind. None of them describes
    the scene that d describes (for two objects joined by "and", swapping colours is swapping shapes)."""
    out: dict[str, Desc] = {}
    r = lambda **kw: Desc(**{**d.__dict__, **kw})
    if len(d.objects) == 2:
        (s1, c1, h1), (s2, c2, h2) = d.objects
        if c1 != c2:
            out["colours_swapped"] = r(objects=[(s1, c2, h1), (s2, c1, h2)])
        if h1 != h2 and d.link != "and":
            out["shapes_swapped"] = r(objects=[(s1, c1, h2), (s2, c2, h1)])
        if d.link in OPPOSITE:
            out["relation_reversed"] = r(link=OPPOSITE[d.link])
    else:
        (sz, c, h), = d.objects
        if d.background and d.background != c:
            out["colour_background_swapped"] = r(objects=[(sz, d.background, h)], background=c)
        if sz:
            out["size_changed"] = r(objects=[("big" if sz == "small" else "small", c, h)])
    return out


def full_caption(scene: Scene) -> str:
    """The most specific caption (used for the evaluation set's labels)."""
    if len(scene.objects) == 1:
        o = scene.objects[0]
        return realise(Desc([(o.size, o.colour, o.shape)], None, scene.background))
    a, b = scene.objects
    return realise(Desc([(None, a.colour, a.shape), (None, b.colour, b.shape)], scene.relation, scene.background))


def vocabulary() -> list[str]:
    words: set[str] = set()
    for p in PREFIXES + RELATIONS:
        words.update(p.split())
    words.update(COLOUR_NAMES)
    words.update(SHAPES)
    words.update(SIZES)
    words.update(["a", "an", "on", "background", "and"])
    return sorted(words)


def two_object_scenes(rng: random.Random, per_split: dict[str, int]):
    """Two-object scenes whose objects differ in colour and in shape, as (split, scene), until per_split
    ({"seen": n, "heldout": m}) is met; "heldout" = an object forms a held-out (colour, shape, background)
    triple. The evaluation's and the TypeScript fixtures' two-object sets."""
    held = load_heldout()
    want = dict(per_split)
    while any(want.values()):
        sc = sample_scene(rng, None, n_objects=2)
        a, b = sc.objects
        if a.colour == b.colour or a.shape == b.shape:
            continue
        split = "heldout" if any((o.colour, o.shape, sc.background) in held for o in sc.objects) else "seen"
        if want[split]:
            want[split] -= 1
            yield split, sc


def render_pair(scene: Scene) -> tuple[np.ndarray, np.ndarray]:
    """The scene at 128 px (supersampled) and box-downsampled to the 64 px CLIP and autoencoder see."""
    im = render(scene, 128)
    return np.asarray(im), np.asarray(im.resize((64, 64), Image.BOX))


# ---------------------------------------------------------------------------------------- datasets

def _render_chunk(dicts: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    pairs = [render_pair(scene_from_dict(d)) for d in dicts]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def render_dataset(n: int, seed: int, heldout: set[tuple[str, str, str]] | None, out_path: str,
                   n_objects: int | None = None, p_two: float = 0.4, workers: int = 1) -> None:
    """Render n scenes to an .npz cache: img128 uint8 [n,128,128,3], img64 uint8 [n,64,64,3], scenes JSON.
    The scenes are drawn in order from one seed (the same set whatever `workers`), rendered in parallel."""
    rng = random.Random(seed)
    scenes = [scene_to_dict(sample_scene(rng, heldout, n_objects=n_objects, p_two=p_two)) for _ in range(n)]
    chunks = [scenes[i:i + 2000] for i in range(0, n, 2000)]
    if workers > 1:
        import multiprocessing as mp
        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_render_chunk, chunks)
    else:
        parts = [_render_chunk(c) for c in chunks]
    img128 = np.concatenate([p[0] for p in parts])
    img64 = np.concatenate([p[1] for p in parts])
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
