"""Write the fixed evaluation sets for the TypeScript tests: test/fixtures/world/*.png (64x64, one
object) and test/fixtures/world-two/*.png (64x64, two objects that differ in colour and shape, with their
relation), each with a labels.json. Half the images are of held-out (colour, shape, background) triples
(for two objects: at least one object's triple is held out)."""
from __future__ import annotations

import json
import os
import random

from PIL import Image

import world
from common import ROOT

OUT = os.path.join(ROOT, "test", "fixtures", "world")
OUT_TWO = os.path.join(ROOT, "test", "fixtures", "world-two")


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


def binding_negatives(sc) -> dict[str, str]:
    """The binding test's wrong captions of a scene (colours swapped, shapes swapped, relation reversed);
    the true one is world.realise(world.binding_desc(sc)), which is the fixture's caption."""
    return {k: world.realise(d) for k, d in world.hard_negatives(world.binding_desc(sc)).items()}


def two_objects(n_per_split: int = 50, seed: int = 5151) -> None:
    os.makedirs(OUT_TWO, exist_ok=True)
    items = []
    for split, sc in world.two_object_scenes(random.Random(seed), {"seen": n_per_split, "heldout": n_per_split}):
        a, b = sc.objects
        rel = sc.relation.replace(" ", "-")  # type: ignore[union-attr]
        name = f"{split}-{len(items):03d}-{a.colour}-{a.shape}-{rel}-{b.colour}-{b.shape}-on-{sc.background}.png"
        Image.fromarray(world.render_pair(sc)[1]).save(os.path.join(OUT_TWO, name), optimize=True)
        items.append({"file": name, "split": split, "background": sc.background, "relation": sc.relation,
                      "objects": [{"colour": o.colour, "shape": o.shape, "size": o.size} for o in sc.objects],
                      "caption": world.full_caption(sc), "negatives": binding_negatives(sc)})
    with open(os.path.join(OUT_TWO, "labels.json"), "w") as f:
        json.dump({"note": "64x64 renders of two-object scenes of the shapes world (training/fixtures.py): objects[0] "
                           "<relation> objects[1]; split 'heldout' = an object's (colour, shape, background) triple "
                           "is never seen in training", "images": items}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(items)} images to {OUT_TWO}")


if __name__ == "__main__":
    import sys
    if "--two-only" not in sys.argv:
        main()
    two_objects()
