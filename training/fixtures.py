"""Write the fixed evaluation set for the TypeScript tests: test/fixtures/world/*.png (64x64, one
object) and labels.json. Half the images are of held-out (colour, shape, background) triples."""
from __future__ import annotations

import json
import os
import random

from PIL import Image

import world
from common import ROOT

OUT = os.path.join(ROOT, "test", "fixtures", "world")


def main(n_per_split: int = 150, seed: int = 4242) -> None:
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(seed)
    held = sorted(world.load_heldout())
    seen = [t for t in world.all_triples() if t not in set(held)]
    items = []
    for split, triples in (("seen", seen), ("heldout", held)):
        for i in range(n_per_split):
            c, s, b = triples[i % len(triples)] if split == "heldout" else rng.choice(triples)
            size = rng.choice(list(world.SIZES))
            sc = world.sample_scene(rng, None, n_objects=1, colour=c, shape=s, background=b, size=size)
            name = f"{split}-{i:03d}-{size}-{c}-{s}-on-{b}.png"
            Image.fromarray(world.render_pair(sc)[1]).save(os.path.join(OUT, name), optimize=True)
            items.append({"file": name, "split": split, "colour": c, "shape": s, "size": size, "background": b,
                          "caption": world.full_caption(sc)})
    with open(os.path.join(OUT, "labels.json"), "w") as f:
        json.dump({"note": "64x64 renders of the shapes world (training/fixtures.py); split 'heldout' = (colour, shape, "
                           "background) triples never seen in training", "colours": world.COLOUR_NAMES,
                   "shapes": world.SHAPES, "images": items}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(items)} images to {OUT}")


if __name__ == "__main__":
    main()
