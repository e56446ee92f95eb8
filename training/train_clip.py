"""CLIP's stage: contrastive training of the text and image encoders on the world's scenes.

With hard negatives (shapes-v2, as NegCLIP does), every two-object caption with a relation also brings
its colours-swapped, shapes-swapped and relation-reversed versions, every other caption one wrong binding
of its own (colours swapped, object and background colours swapped, size changed): extra texts that no
image of the batch matches, so an image must rank its true caption above the same words bound wrongly."""
from __future__ import annotations

import json
import random

import torch
import torch.nn.functional as F

import ckpt
import common
import embed
import world
from common import log
from loop import StageClock, lr_at
from models import count_params


def batch_texts(scenes: list, rng: random.Random, negatives: bool) -> tuple[list[str], list[str]]:
    caps, negs = [], []
    for s in scenes:
        d = world.describe(s, rng)
        caps.append(world.realise(d))
        if negatives:
            hn = world.hard_negatives(d)
            if d.link in world.OPPOSITE:
                negs += [world.realise(x) for x in hn.values()]
            elif hn:
                negs.append(world.realise(rng.choice(list(hn.values()))))
    truth = set(caps)
    return caps, sorted({t for t in negs if t not in truth})


def train_clip(minutes: float, data: dict, dev: torch.device, spec) -> None:
    clip = ckpt.new_clip(spec).to(dev)
    c = ckpt.load_ckpt("clip", spec)
    state = {"seconds": 0.0, "steps": 0, "images": 0}
    if c:
        ckpt.load_into(clip, c["model"])
        state = c["state"]
    log(f"clip: {count_params(clip) / 1e6:.2f} M params, dim {spec.embed_dim}, {minutes:.1f} min, "
        f"resuming at {state['seconds']:.0f} s" + (", hard negatives" if spec.hard_negatives else ""))
    opt = torch.optim.AdamW(clip.parameters(), lr=1e-3, weight_decay=0.05)
    rng = random.Random(state["steps"] + 1)
    n = len(data["scenes"])
    bs = 256
    clock = StageClock("clip", minutes, state, clip)
    while clock.running():
        for g in opt.param_groups:
            g["lr"] = lr_at(clock.frac(), 1e-3)
        groups = [rng.sample(rng.choice(data["buckets"]), 4) for _ in range(3 * bs // 16)]
        idx = torch.cat([torch.tensor([i for g in groups for i in g]), torch.randint(0, n, (bs - 4 * len(groups),))])
        caps, negs = batch_texts([data["scenes"][i] for i in idx.tolist()], rng, spec.hard_negatives)
        x = common.to_model_pixels(data["img64"][idx.to(dev)]).to(dev)
        ids = common.tokenize_batch(caps + negs).to(dev)
        clip.train()
        im = F.normalize(clip.image(x), dim=-1)
        tx = F.normalize(clip.text(ids), dim=-1)
        logits = clip.logit_scale() * im @ tx.T  # [B, B + negatives]
        # identical captions in one batch are not negatives of each other
        same = torch.tensor([[a == b for b in caps] for a in caps], dtype=torch.float32, device=dev)
        target = same / same.sum(1, keepdim=True)
        i2t = -(target * logits.log_softmax(1)[:, : len(caps)]).sum(1).mean()  # negatives in the softmax only
        t2i = -(target * logits[:, : len(caps)].T.log_softmax(1)).sum(1).mean()
        loss = 0.5 * (i2t + t2i)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        clock.tick(bs, f"loss {loss.item():.3f} scale {clip.logit_scale().item():.1f} negatives {len(negs)} "
                       f"lr {opt.param_groups[0]['lr']:.2e}")
    clip.eval()
    state["zero_shot"] = embed.zero_shot(clip, dev)
    state["binding"] = embed.binding(clip, dev)
    log("clip zero-shot", json.dumps(state["zero_shot"]))
    log("clip binding", json.dumps(state["binding"]))
    clock.save()
