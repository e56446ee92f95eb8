"""Train the whole pack from nothing, or go on from the checkpoints: CLIP -> autoencoder -> prior ->
decoder, then export and evaluate.

    /usr/bin/python3 training/train.py --minutes 120          # budget for this run, all stages
    /usr/bin/python3 training/train.py --minutes 60 --stages decoder,prior
    /usr/bin/python3 training/train.py --minutes 0 --stages none    # export + evaluate only

A stage's inputs are frozen once a later stage has trained on them: the prior and the decoder were
trained on this CLIP's embeddings, the decoder on this autoencoder's latents. So CLIP trains only
until the prior/decoder start, and after the decoder has started only the autoencoder's *decoder*
keeps training (the encoder, so the latent space and its scale, stay fixed); later runs spend their
time on prior + decoder + latent decoder.
Checkpoints (training/checkpoints/*.pt: weights and EMA, fp16) are small enough to commit.
Uses CUDA when present (or UNCLIP_TRAIN_DEVICE), else the CPU with all cores.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import common
import world
from models import CLIP, AEDecoder, AEEncoder, Prior, UNet, count_params

CKPT_DIR = os.environ.get("UNCLIP_TRAIN_CKPT", os.path.join(common.HERE, "checkpoints"))
CACHE_DIR = os.environ.get("UNCLIP_TRAIN_CACHE", os.path.join(common.HERE, "cache"))
N_SCENES = int(os.environ.get("UNCLIP_TRAIN_SCENES", 80_000))
DATA_SEED = 1234
SAVE_EVERY_S = 120


def log(*a) -> None:
    print(time.strftime("%H:%M:%S"), *a, flush=True)


# ------------------------------------------------------------------------------------------ checkpoints

def ckpt_path(stage: str) -> str:
    return os.path.join(CKPT_DIR, f"{stage}.pt")


def save_ckpt(stage: str, model: torch.nn.Module, ema: torch.nn.Module | None, state: dict) -> None:
    os.makedirs(CKPT_DIR, exist_ok=True)
    half = lambda m: {k: (v.half() if v.is_floating_point() else v).cpu() for k, v in m.state_dict().items()}
    blob = {"model": half(model), "ema": half(ema) if ema is not None else None, "state": state}
    tmp = ckpt_path(stage) + ".tmp"
    torch.save(blob, tmp)
    os.replace(tmp, ckpt_path(stage))


def load_ckpt(stage: str) -> dict | None:
    p = ckpt_path(stage)
    return torch.load(p, map_location="cpu") if os.path.exists(p) else None


def load_into(model: torch.nn.Module, sd: dict, may_lack: tuple[str, ...] = ()) -> torch.nn.Module:
    """Load fp16-stored weights; parameters whose names start with one of may_lack (blocks added since the
    checkpoint was written, initialized as identities) may be missing and keep their initialization."""
    res = model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in sd.items()}, strict=False)
    bad = [k for k in res.missing_keys if not (may_lack and k.startswith(may_lack))] + list(res.unexpected_keys)
    if bad:
        raise RuntimeError(f"checkpoint does not fit {type(model).__name__}: {bad[:5]}")
    if res.missing_keys:
        log(f"{type(model).__name__}: {len(res.missing_keys)} new parameters start as identity blocks")
    return model


def build_models(dev: torch.device) -> dict:
    """Every network, from its checkpoint where there is one (EMA weights for prior and decoder)."""
    out = {}
    clip = CLIP(len(common.VOCAB))
    c = load_ckpt("clip")
    if c:
        load_into(clip, c["model"])
    out["clip"] = clip.to(dev)
    enc, dec = AEEncoder(), AEDecoder()
    c = load_ckpt("ae")
    latent_scale = 1.0
    out.update(ae_enc=enc.to(dev), ae_dec=dec.to(dev))
    if c:
        load_into(enc, {k[4:]: v for k, v in c["model"].items() if k.startswith("enc.")})
        load_into(dec, {k[4:]: v for k, v in c["model"].items() if k.startswith("dec.")}, AEDecoder.ADDED)
        latent_scale = c["state"].get("latent_scale", 1.0)
    out["latent_scale"] = latent_scale
    for name, cls in (("prior", Prior), ("decoder", UNet)):
        m = cls()
        c = load_ckpt(name)
        if c:
            load_into(m, c["ema"] or c["model"])
        out[name] = m.to(dev)
    return out


class AE(torch.nn.Module):
    def __init__(self, enc: AEEncoder, dec: AEDecoder):
        super().__init__()
        self.enc, self.dec = enc, dec


# ------------------------------------------------------------------------------------------ data

def load_data(dev: torch.device) -> dict:
    os.makedirs(CACHE_DIR, exist_ok=True)
    path = os.path.join(CACHE_DIR, f"world_{N_SCENES}_{DATA_SEED}.npz")
    if not os.path.exists(path):
        log(f"rendering {N_SCENES} training scenes (held-out triples excluded) -> {path}")
        world.render_dataset(N_SCENES, DATA_SEED, world.load_heldout(), path)
    z = np.load(path)
    scenes = [world.scene_from_dict(d) for d in json.loads(str(z["scenes"]))]
    log(f"data: {len(scenes)} scenes")
    # single-object scenes by (colour, background): groups that differ only in shape, size and place are
    # the hard negatives that make CLIP learn shape (with random batches, colours alone tell most apart)
    buckets: dict[tuple[str, str], list[int]] = {}
    for i, s in enumerate(scenes):
        if len(s.objects) == 1:
            buckets.setdefault((s.objects[0].colour, s.background), []).append(i)
    return {"img64": torch.from_numpy(z["img64"]).to(dev), "img128": torch.from_numpy(z["img128"]).to(dev),
            "scenes": scenes, "buckets": [v for v in buckets.values() if len(v) >= 4]}


def eval_sets() -> dict:
    """Fixed single-object evaluation images: seen and held-out (colour, shape, background) triples."""
    path = os.path.join(CACHE_DIR, "eval_zeroshot.npz")
    if not os.path.exists(path):
        rng = random.Random(777)
        held = sorted(world.load_heldout())
        seen = [t for t in world.all_triples() if t not in set(held)]
        rows = []
        for split, triples, per in (("heldout", held, 8), ("seen", rng.sample(seen, 110), 4)):
            for (c, s, b) in triples:
                for _ in range(per):
                    sc = world.sample_scene(rng, None, n_objects=1, colour=c, shape=s, background=b)
                    rows.append((split, c, s, b, world.render_pair(sc)[1]))
        np.savez(path, img64=np.stack([r[4] for r in rows]),
                 meta=np.array(json.dumps([r[:4] for r in rows])))
    z = np.load(path)
    return {"img64": torch.from_numpy(z["img64"]), "meta": json.loads(str(z["meta"]))}


def embed_images(clip: CLIP, img64_uint8: torch.Tensor, dev: torch.device, bs: int = 512) -> torch.Tensor:
    out = []
    with torch.no_grad():
        for i in range(0, len(img64_uint8), bs):
            x = common.to_model_pixels(img64_uint8[i:i + bs]).to(dev)
            out.append(F.normalize(clip.image(x), dim=-1))
    return torch.cat(out)


def embed_texts(clip: CLIP, texts: list[str], dev: torch.device) -> torch.Tensor:
    with torch.no_grad():
        return F.normalize(clip.text(common.tokenize_batch(texts).to(dev)), dim=-1)


def zero_shot(clip: CLIP, dev: torch.device) -> dict:
    """55-way colour+shape zero-shot ('a <colour> <shape>'), seen vs held-out triples."""
    ev = eval_sets()
    return zero_shot_on(clip, ev["img64"], [(m[0], m[1], m[2]) for m in ev["meta"]], dev)


def zero_shot_on(clip: CLIP, img64_uint8: torch.Tensor, truth: list[tuple[str, str, str]], dev: torch.device) -> dict:
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


class StageClock:
    """One stage's time budget: progress for the learning-rate schedule, step and sample counts, a log
    line every 50 steps, and a checkpoint every SAVE_EVERY_S and at the end (training time is kept in
    the checkpoint, so resumed runs add up)."""

    def __init__(self, stage: str, minutes: float, state: dict, model: torch.nn.Module,
                 ema: torch.nn.Module | None = None):
        self.stage, self.state, self.model, self.ema = stage, state, model, ema
        self.budget = minutes * 60
        self.t0 = self.last_save = time.time()

    def running(self) -> bool:
        return time.time() - self.t0 < self.budget

    def frac(self) -> float:
        return (time.time() - self.t0) / self.budget

    def tick(self, batch: int, line: str) -> None:
        self.state["steps"] += 1
        self.state["images"] += batch
        if self.state["steps"] % 50 == 0:
            log(f"{self.stage} step {self.state['steps']} {line}")
        if time.time() - self.last_save > SAVE_EVERY_S:
            self.save()

    def save(self) -> None:
        self.state["seconds"] += time.time() - self.last_save
        self.last_save = time.time()
        save_ckpt(self.stage, self.model, self.ema, self.state)


def lr_at(frac: float, base: float, warm: float = 0.03, floor: float = 0.05) -> float:
    if frac < warm:
        return base * frac / warm
    p = min(1.0, (frac - warm) / (1 - warm))
    return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p)))


def ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    with torch.no_grad():
        for pe, pm in zip(ema.parameters(), model.parameters()):
            pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)


# ------------------------------------------------------------------------------------------ stages

def train_clip(minutes: float, data: dict, dev: torch.device) -> None:
    clip = CLIP(len(common.VOCAB)).to(dev)
    c = load_ckpt("clip")
    state = {"seconds": 0.0, "steps": 0, "images": 0}
    if c:
        load_into(clip, c["model"])
        state = c["state"]
    log(f"clip: {count_params(clip) / 1e6:.2f} M params, {minutes:.1f} min, resuming at {state['seconds']:.0f} s")
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
        caps = [world.caption(data["scenes"][i], rng) for i in idx.tolist()]
        x = common.to_model_pixels(data["img64"][idx.to(dev)]).to(dev)
        ids = common.tokenize_batch(caps).to(dev)
        clip.train()
        im = F.normalize(clip.image(x), dim=-1)
        tx = F.normalize(clip.text(ids), dim=-1)
        logits = clip.logit_scale() * im @ tx.T
        # identical captions in one batch are not negatives of each other
        same = torch.tensor([[a == b for b in caps] for a in caps], dtype=torch.float32, device=dev)
        target = same / same.sum(1, keepdim=True)
        loss = 0.5 * (-(target * logits.log_softmax(1)).sum(1).mean() - (target * logits.T.log_softmax(1)).sum(1).mean())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        clock.tick(bs, f"loss {loss.item():.3f} scale {clip.logit_scale().item():.1f} lr {opt.param_groups[0]['lr']:.2e}")
    state["zero_shot"] = zero_shot(clip, dev)
    log("clip zero-shot", json.dumps(state["zero_shot"]))
    clock.save()


def _grad_l1(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """L1 between image gradients: rewards crisp edges where plain L1/L2 settle for blur."""
    dx = lambda t: t[..., :, 1:] - t[..., :, :-1]
    dy = lambda t: t[..., 1:, :] - t[..., :-1, :]
    return F.l1_loss(dx(y), dx(x)) + F.l1_loss(dy(y), dy(x))


def train_ae(minutes: float, data: dict, dev: torch.device, decoder_only: bool = False) -> None:
    """The autoencoder; with decoder_only (once the diffusion decoder has learnt this encoder's latents)
    only the latent decoder trains, so the latent space and its scale stay as they are."""
    ae = AE(AEEncoder(), AEDecoder()).to(dev)
    c = load_ckpt("ae")
    state = {"seconds": 0.0, "steps": 0, "images": 0}
    if c:
        load_into(ae, c["model"], tuple("dec." + k for k in AEDecoder.ADDED))
        state = c["state"]
    log(f"ae: {count_params(ae) / 1e6:.2f} M params, {minutes:.1f} min, resuming at {state['seconds']:.0f} s"
        + (" (latent decoder only)" if decoder_only else ""))
    opt = torch.optim.AdamW(ae.dec.parameters() if decoder_only else ae.parameters(), lr=1e-3, weight_decay=0.0)
    if decoder_only:
        ae.enc.requires_grad_(False)
    n = len(data["scenes"])
    bs = 32
    clock = StageClock("ae", minutes, state, ae)
    while clock.running():
        for g in opt.param_groups:
            g["lr"] = lr_at(clock.frac(), 1e-3)
        idx = torch.randint(0, n, (bs,), device=dev)
        x64 = common.to_model_pixels(data["img64"][idx])
        x128 = common.to_model_pixels(data["img128"][idx])
        ae.train()
        if decoder_only:
            ae.enc.eval()
        z = ae.enc(x64)
        zn = z + 0.1 * z.detach().std() * torch.randn_like(z)  # robust to a diffusion model's small errors
        y = ae.dec(zn)
        loss = F.l1_loss(y, x128) + F.mse_loss(y, x128) + 0.5 * _grad_l1(y, x128) + 1e-4 * z.pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        clock.tick(bs, f"loss {loss.item():.4f} z std {z.std().item():.3f}")
    clock.save()
    ae.eval()
    with torch.no_grad():
        idx = torch.arange(0, min(n, 2048), device=dev)
        z = ae.enc(common.to_model_pixels(data["img64"][idx]))
        if not decoder_only:
            state["latent_scale"] = float(1.0 / z.std())
        y = ae.dec(z[:256])
        state["recon_l1"] = float(F.l1_loss(y, common.to_model_pixels(data["img128"][idx[:256]])))
    log(f"ae latent_scale {state['latent_scale']:.3f} recon L1 {state['recon_l1']:.4f}")
    save_ckpt("ae", ae, None, state)


def weights_hash(model: torch.nn.Module) -> str:
    h = hashlib.sha256()
    for name, v in model.state_dict().items():
        h.update(name.encode())
        h.update(v.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def precompute(models: dict, data: dict, dev: torch.device) -> dict:
    """CLIP image embeddings and scaled latents of every training image (the frozen stages' outputs)."""
    path = os.path.join(CACHE_DIR, f"pre_{N_SCENES}_{DATA_SEED}.pt")
    # valid while CLIP and the autoencoder's *encoder* are unchanged (fine-tuning the latent decoder
    # rewrites ae.pt but not the latents); on 2 CPU cores this takes ~15 minutes for 80 000 images
    key = {"clip": os.path.getmtime(ckpt_path("clip")), "ae_enc": weights_hash(models["ae_enc"])}
    if os.path.exists(path):
        p = torch.load(path)
        if p["key"] == key:
            return {k: v.to(dev) for k, v in p.items() if k != "key"}
    log("precomputing image embeddings and latents")
    clip, enc = models["clip"].eval(), models["ae_enc"].eval()
    emb = embed_images(clip, data["img64"], dev)
    lat = []
    with torch.no_grad():
        for i in range(0, len(emb), 512):
            lat.append(enc(common.to_model_pixels(data["img64"][i:i + 512])) * models["latent_scale"])
    out = {"emb": emb, "lat": torch.cat(lat)}
    torch.save({"key": key, **{k: v.cpu() for k, v in out.items()}}, path)
    return out


def train_diffusion(stage: str, minutes: float, data: dict, pre: dict, models: dict, dev: torch.device) -> None:
    model = (Prior() if stage == "prior" else UNet()).to(dev)
    ema = copy.deepcopy(model)
    c = load_ckpt(stage)
    state = {"seconds": 0.0, "steps": 0, "images": 0}
    if c:
        load_into(model, c["model"])
        load_into(ema, c["ema"])
        state = c["state"]
    for p in ema.parameters():
        p.requires_grad_(False)
    log(f"{stage}: {count_params(model) / 1e6:.2f} M params, {minutes:.1f} min, resuming at {state['seconds']:.0f} s")
    base_lr = 5e-4 if stage == "decoder" else 3e-4
    opt = torch.optim.AdamW(model.parameters(), lr=base_lr, weight_decay=0.01)
    ac = torch.tensor(common.ALPHAS_CUMPROD, dtype=torch.float32, device=dev)
    clip = models["clip"].eval()
    rng = random.Random(state["steps"] + 7)
    n = len(data["scenes"])
    bs = 64 if stage == "decoder" else 256
    if dev.type == "cuda":
        bs *= 4
    clock = StageClock(stage, minutes, state, model, ema)
    loss_avg = None
    while clock.running():
        for g in opt.param_groups:
            g["lr"] = lr_at(clock.frac(), base_lr, warm=0.02 if state["steps"] > 0 else 0.05, floor=0.2)
        idx = torch.randint(0, n, (bs,), device=dev)
        t = torch.randint(0, common.T_STEPS, (bs,), device=dev)
        keep = (torch.rand(bs, 1, device=dev) > 0.1).float()  # 10 % unconditional (zero embedding)
        if stage == "decoder":
            x0 = pre["lat"][idx]
            cond = pre["emb"][idx] * keep
            noise = torch.randn_like(x0)
            xt = common.q_sample(x0, t, noise, ac)
            target = common.v_target(x0, t, noise, ac)
        else:
            x0 = pre["emb"][idx] * math.sqrt(128)
            caps = [world.caption(data["scenes"][i], rng) for i in idx.tolist()]
            cond = embed_texts(clip, caps, dev) * keep
            noise = torch.randn_like(x0)
            xt = common.q_sample(x0, t, noise, ac)
            target = x0
        model.train()
        out = model(xt, t.float(), cond)
        loss = F.mse_loss(out, target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema_update(ema, model, 0.999 if state["steps"] > 2000 else 0.99)
        loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
        clock.tick(bs, f"loss {loss_avg:.4f} lr {opt.param_groups[0]['lr']:.2e}")
    clock.save()
    log(f"{stage}: saved after {state['steps']} steps, {state['seconds'] / 60:.1f} min in all")


def export_pack(out_dir: str, metrics: dict | None = None) -> None:
    import export
    models = build_models(torch.device("cpu"))
    training = {}
    for s in ("clip", "ae", "prior", "decoder"):
        c = load_ckpt(s)
        if c:
            training[s] = {k: v for k, v in c["state"].items() if k in ("seconds", "steps", "images", "zero_shot", "recon_l1", "latent_scale")}
    params = {"text_model": count_params(models["clip"].text), "vision_model": count_params(models["clip"].image),
              "prior": count_params(models["prior"]), "decoder": count_params(models["decoder"]),
              "latent_decoder": count_params(models["ae_dec"]), "autoencoder_encoder (training only)": count_params(models["ae_enc"])}
    meta = {"training": {"stages": training, "parameters": params, "device": str(common.device())},
            "metrics": metrics or {}}
    export.write_pack(out_dir, models["clip"], models["ae_dec"], models["latent_scale"], models["prior"], models["decoder"], meta)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, required=True, help="time budget of this run, all stages together")
    ap.add_argument("--stages", default="clip,ae,prior,decoder")
    ap.add_argument("--out", default=os.path.join(common.ROOT, "models", "shapes-v1"))
    ap.add_argument("--no-eval", action="store_true")
    a = ap.parse_args()
    common.setup_threads()
    dev = common.device()
    torch.manual_seed(0)
    stages = a.stages.split(",")
    # a stage is frozen once a later one depends on it
    frozen = {"clip": load_ckpt("prior") is not None or load_ckpt("decoder") is not None,
              "ae": load_ckpt("decoder") is not None}
    todo = [s for s in ("clip", "ae", "prior", "decoder") if s in stages and not (s == "clip" and frozen["clip"])]
    share = {"clip": 0.18, "ae": 0.12, "prior": 0.07, "decoder": 0.63}
    log(f"device {dev}, threads {torch.get_num_threads()}, stages {todo}, {a.minutes} min")
    data = load_data(dev) if todo else None  # --stages none: export and evaluate only
    t_start = time.time()
    for s in todo:
        left = a.minutes - (time.time() - t_start) / 60
        rest = sum(share[x] for x in todo[todo.index(s):])
        minutes = max(0.5, left * share[s] / rest)
        if s == "clip":
            train_clip(minutes, data, dev)
        elif s == "ae":
            train_ae(minutes, data, dev, decoder_only=frozen["ae"])
        else:
            models = build_models(dev)
            pre = precompute(models, data, dev)
            train_diffusion(s, minutes, data, pre, models, dev)
    export_pack(a.out)
    log("exported", a.out)
    if not a.no_eval:
        import eval as evaluation
        evaluation.main(["--pack-out", a.out])


if __name__ == "__main__":
    main()
