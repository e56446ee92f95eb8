"""The diffusion stages: the prior (CLIP text embedding -> CLIP image embedding, predicts x0) and the
latent decoder UNet (CLIP image embedding -> latent, predicts v), both with 10 % of the conditions
dropped for classifier-free guidance, an EMA copy for sampling, and the frozen stages' outputs (CLIP image
embeddings, scaled latents) computed once per training set."""
from __future__ import annotations

import copy
import hashlib
import math
import os
import random

import torch
import torch.nn.functional as F

import ckpt
import common
import embed
import world
from common import log
from data import CACHE_DIR
from loop import StageClock, ema_update, lr_at
from models import count_params


def weights_hash(model: torch.nn.Module) -> str:
    h = hashlib.sha256()
    for name, v in model.state_dict().items():
        h.update(name.encode())
        h.update(v.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def same_key(a: dict, b: dict) -> bool:
    """Cache keys match: the same weights, and latent scales equal to float32 precision (the scale is
    measured in float32 and may come back through a float64 or JSON round trip)."""
    return (a.keys() == b.keys() and all(a[k] == b[k] for k in a if k != "latent_scale")
            and math.isclose(float(a["latent_scale"]), float(b["latent_scale"]), rel_tol=1e-6))


def precompute(models: dict, data: dict, dev: torch.device) -> dict:
    """CLIP image embeddings and scaled latents of every training image (the frozen stages' outputs); valid
    while CLIP and the autoencoder's *encoder* are unchanged (fine-tuning the latent decoder rewrites ae.pt
    but not the latents)."""
    spec = models["spec"]
    path = os.path.join(CACHE_DIR, f"pre_{data['cache_key']}_{spec.name}.pt")
    key = {"clip": weights_hash(models["clip"]), "ae_enc": weights_hash(models["ae_enc"]), "latent_scale": models["latent_scale"]}
    if os.path.exists(path):
        p = torch.load(path)
        if same_key(p["key"], key):
            return {k: v.to(dev) for k, v in p.items() if k != "key"}
    log("precomputing image embeddings and latents")
    clip, enc = models["clip"].eval(), models["ae_enc"].eval()
    emb = embed.embed_images(clip, data["img64"], dev)
    src = data["img64"] if spec.ae == "v1" else data["img128"]
    lat = []
    with torch.no_grad():
        for i in range(0, len(emb), 256):
            lat.append((enc(common.to_model_pixels(src[i:i + 256]).to(dev)) * models["latent_scale"]).half())
    out = {"emb": emb, "lat": torch.cat(lat)}
    torch.save({"key": key, **{k: v.cpu() for k, v in out.items()}}, path)
    return out


def weighted_loss(out: torch.Tensor, target: torch.Tensor, t: torch.Tensor, ac: torch.Tensor, gamma: float | None) -> torch.Tensor:
    """MSE of a v prediction, plain (gamma None) or min-SNR-γ weighted: the v error is (1 + SNR) times the x0
    error, so the weight min(SNR, γ) / (1 + SNR) on it puts min(SNR, γ) on the x0 error."""
    if gamma is None:
        return F.mse_loss(out, target)
    snr = ac[t] / (1 - ac[t])
    w = torch.clamp(snr, max=gamma) / (snr + 1)
    return (w * (out - target).pow(2).flatten(1).mean(1)).mean()


def train_diffusion(stage: str, minutes: float, data: dict, pre: dict, models: dict, dev: torch.device) -> None:
    spec = models["spec"]
    model = ckpt.new_diffusion(stage, spec).to(dev)
    ema = copy.deepcopy(model)
    c = ckpt.load_ckpt(stage, spec)
    state = {"seconds": 0.0, "steps": 0, "images": 0}
    if c:
        ckpt.load_into(model, c["model"])
        ckpt.load_into(ema, c["ema"])
        state = c["state"]
    for p in ema.parameters():
        p.requires_grad_(False)
    gamma = spec.min_snr_gamma if stage == "decoder" else None
    log(f"{stage}: {count_params(model) / 1e6:.2f} M params, {minutes:.1f} min, resuming at {state['seconds']:.0f} s"
        + (f", min-SNR-{gamma:g} weighting" if gamma else ""))
    base_lr = 5e-4 if stage == "decoder" else 3e-4
    opt = torch.optim.AdamW(model.parameters(), lr=base_lr, weight_decay=0.01)
    ac = torch.tensor(common.ALPHAS_CUMPROD, dtype=torch.float32, device=dev)
    clip = models["clip"].eval()
    rng = random.Random(state["steps"] + 7)
    n = len(data["scenes"])
    d = spec.embed_dim
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
            x0 = pre["lat"][idx].float()
            cond = pre["emb"][idx] * keep
            noise = torch.randn_like(x0)
            xt = common.q_sample(x0, t, noise, ac)
            target = common.v_target(x0, t, noise, ac)
        else:
            x0 = pre["emb"][idx] * math.sqrt(d)
            caps = [world.caption(data["scenes"][i], rng) for i in idx.tolist()]
            cond = embed.embed_texts(clip, caps, dev) * keep
            noise = torch.randn_like(x0)
            xt = common.q_sample(x0, t, noise, ac)
            target = x0
        model.train()
        out = model(xt, t.float(), cond)
        loss = weighted_loss(out, target, t, ac, gamma)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema_update(ema, model, 0.999 if state["steps"] > 2000 else 0.99)
        plain = float(F.mse_loss(out.detach(), target)) if gamma else loss.item()  # comparable across weightings
        loss_avg = plain if loss_avg is None else 0.98 * loss_avg + 0.02 * plain
        clock.tick(bs, f"loss {loss_avg:.4f} lr {opt.param_groups[0]['lr']:.2e}")
    clock.save()
    log(f"{stage}: saved after {state['steps']} steps, {state['seconds'] / 60:.1f} min in all")
