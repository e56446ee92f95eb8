"""CLIP's stage: contrastive training of the text and image encoders on the world's scenes.

With hard negatives (shapes-v2, as NegCLIP does), every two-object caption with a relation also brings
its colours-swapped, shapes-swapped and relation-reversed versions, every other caption one wrong binding
of its own (colours swapped, object and background colours swapped, size changed): extra texts that no
image of the batch matches, so an image must rank its true caption above the same words bound wrongly.
Each image is also scored against its own caption and that caption's wrong bindings alone (own_negatives_loss).

Half of every batch is two-object scenes. Measured: with three quarters of the batch in single-object
shape groups (about 28 two-object scenes in 256), 1755 steps left binding at chance (4-way 15 %, every
2-way 50 %); with half the batch two-object scenes and the own-negatives loss, 4-way rose from chance to
97.7 % seen / 94.7 % held-out in 965 steps (45 min on the shared 2-core CPU).
"""
from __future__ import annotations

import json
import os
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

BIND_WEIGHT = float(os.environ.get("UNCLIP_TRAIN_BIND_WEIGHT", 1.0))


def batch_texts(scenes: list, rng: random.Random, negatives: bool) -> tuple[list[str], list[str], list[list[int]]]:
    """The batch's captions (one per scene), the hard negatives no scene of the batch matches, and for each
    caption the columns of its own wrong bindings in caps + negs (a wrong binding of one scene may be
    another scene's true caption: then it is that caption's column)."""
    caps, own = [], []
    for s in scenes:
        d = world.describe(s, rng)
        caps.append(world.realise(d))
        hn = [world.realise(x) for x in world.hard_negatives(d).values()] if negatives else []
        if hn and d.link not in world.OPPOSITE:
            hn = [rng.choice(hn)]
        own.append(hn)
    first = {}
    for i, c in enumerate(caps):
        first.setdefault(c, i)
    negs = sorted({t for hn in own for t in hn if t not in first})
    col = {**{t: len(caps) + j for j, t in enumerate(negs)}, **first}
    return caps, negs, [[col[t] for t in hn] for hn in own]


def own_negatives_loss(logits: torch.Tensor, own: list[list[int]]) -> torch.Tensor:
    """Each image against its own caption and that caption's wrong bindings only (a 2-4-way softmax): the
    in-batch softmax spreads the push over hundreds of texts, this one spends it on the binding."""
    rows = [i for i, o in enumerate(own) if o]
    if not rows:
        return logits.new_zeros(())
    k = max(len(own[i]) for i in rows)
    cols = torch.tensor([[i] + own[i] + [i] * (k - len(own[i])) for i in rows], device=logits.device)
    pad = torch.tensor([[False] * (1 + len(own[i])) + [True] * (k - len(own[i])) for i in rows], device=logits.device)
    sub = logits[torch.tensor(rows, device=logits.device)[:, None], cols].masked_fill(pad, float("-inf"))
    return -sub.log_softmax(1)[:, 0].mean()


def train_clip(minutes: float, data: dict, dev: torch.device, spec) -> None:
    clip = ckpt.new_clip(spec).to(dev)
    c = ckpt.load_ckpt("clip", spec)
    state = {"seconds": 0.0, "steps": 0, "images": 0}
    if c:
        ckpt.load_into(clip, c["model"])
        state = c["state"]
    log(f"clip: {count_params(clip) / 1e6:.2f} M params, dim {spec.embed_dim}, {minutes:.1f} min, "
        f"resuming at {state['seconds']:.0f} s" + (", hard negatives" if spec.hard_negatives else ""))
    # a continuation of a trained CLIP polishes at a lower peak ($UNCLIP_TRAIN_CLIP_LR, e.g. 4e-4)
    base_lr = float(os.environ.get("UNCLIP_TRAIN_CLIP_LR", 1e-3))
    opt = torch.optim.AdamW(clip.parameters(), lr=base_lr, weight_decay=0.05)
    rng = random.Random(state["steps"] + 1)
    n = len(data["scenes"])
    two_objects = [i for i, s in enumerate(data["scenes"]) if len(s.objects) == 2]
    bs = 256
    clock = StageClock("clip", minutes, state, clip)
    while clock.running():
        for g in opt.param_groups:
            g["lr"] = lr_at(clock.frac(), base_lr)
        # a quarter single-object groups that differ only in shape, size and place (shape is learnt from
        # those), half two-object scenes (binding is learnt from those), a quarter anything
        groups = [rng.sample(rng.choice(data["buckets"]), 4) for _ in range(bs // 16)]
        two = [two_objects[k] for k in torch.randint(0, len(two_objects), (bs // 2,)).tolist()]
        idx = torch.cat([torch.tensor([i for g in groups for i in g] + two), torch.randint(0, n, (bs - 4 * len(groups) - len(two),))])
        caps, negs, own = batch_texts([data["scenes"][i] for i in idx.tolist()], rng, spec.hard_negatives)
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
        bind = own_negatives_loss(logits, own)
        loss = 0.5 * (i2t + t2i) + BIND_WEIGHT * bind
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if state["steps"] % 50 == 0:
            clip.eval()
            b = embed.binding(clip, dev, zero_shot=False)
            log("clip binding 4-way seen {} held-out {}, vs colours swapped {}".format(
                b["seen"]["four_way"], b["heldout"]["four_way"], b["seen"]["vs_colours_swapped"]))
        clock.tick(bs, f"loss {loss.item():.3f} bind {bind.item():.3f} scale {clip.logit_scale().item():.1f} negatives {len(negs)} "
                       f"lr {opt.param_groups[0]['lr']:.2e}")
    clip.eval()
    state["zero_shot"] = embed.zero_shot(clip, dev)
    state["binding"] = embed.binding(clip, dev)
    log("clip zero-shot", json.dumps(state["zero_shot"]))
    log("clip binding", json.dumps(state["binding"]))
    clock.save()
