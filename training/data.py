"""The training data: scenes of the world rendered once into a cache (held-out triples excluded), at
128 px (supersampled) and 64 px (what CLIP sees)."""
from __future__ import annotations

import json
import os

import numpy as np
import torch

import common
import packs
import world

CACHE_DIR = os.environ.get("UNCLIP_TRAIN_CACHE", os.path.join(common.HERE, "cache"))
N_SCENES = int(os.environ.get("UNCLIP_TRAIN_SCENES", 80_000))
DATA_SEED = 1234


def cache_name(spec: packs.PackSpec) -> str:
    two = "" if spec.p_two_objects == 0.4 else f"_two{int(spec.p_two_objects * 100)}"
    return f"world_{N_SCENES}_{DATA_SEED}{two}"


def load_data(dev: torch.device, spec: packs.PackSpec | None = None) -> dict:
    spec = spec or packs.current()
    os.makedirs(CACHE_DIR, exist_ok=True)
    path = os.path.join(CACHE_DIR, cache_name(spec) + ".npz")
    if not os.path.exists(path):
        common.log(f"rendering {N_SCENES} training scenes (held-out triples excluded) -> {path}")
        world.render_dataset(N_SCENES, DATA_SEED, world.load_heldout(), path, p_two=spec.p_two_objects,
                             workers=int(os.environ.get("UNCLIP_TRAIN_WORKERS", os.cpu_count() or 1)))
    z = np.load(path)
    scenes = [world.scene_from_dict(d) for d in json.loads(str(z["scenes"]))]
    common.log(f"data: {len(scenes)} scenes ({sum(len(s.objects) == 2 for s in scenes)} with two objects)")
    # single-object scenes by (colour, background): groups that differ only in shape, size and place are
    # the hard negatives that make CLIP learn shape (with random batches, colours alone tell most apart)
    buckets: dict[tuple[str, str], list[int]] = {}
    for i, s in enumerate(scenes):
        if len(s.objects) == 1:
            buckets.setdefault((s.objects[0].colour, s.background), []).append(i)
    return {"img64": torch.from_numpy(z["img64"]).to(dev), "img128": torch.from_numpy(z["img128"]).to(dev),
            "scenes": scenes, "buckets": [v for v in buckets.values() if len(v) >= 4], "cache_key": cache_name(spec)}
