"""The autoencoder's stage: the latent space the diffusion decoder works in, and the latent decoder that
turns latents into the pixels people see.

shapes-v1: 64 px -> 16x16x4 -> 128 px, on whole images. shapes-v2: 128 px -> 32x32x4 -> 256 px, trained on
crops (64 px of input, 128 px of output, the loss on its interior) against scenes drawn crisp at 256 px on
the fly: the networks are fully convolutional with per-pixel norms, so crops teach them what whole images
need at a quarter of the cost. Once the diffusion decoder has learnt this encoder's latents only the latent
decoder trains (decoder_only), so the latent space and its scale stay as they are."""
from __future__ import annotations

import random

import numpy as np
import torch
import torch.nn.functional as F

import ckpt
import common
import world
from common import log
from loop import StageClock, lr_at
from models import count_params

MARGIN = 16  # output pixels at each side of a v2 crop left out of the loss (their receptive field is padding)


def grad_l1(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """L1 between image gradients: rewards crisp edges where plain L1/L2 settle for blur."""
    dx = lambda t: t[..., :, 1:] - t[..., :, :-1]
    dy = lambda t: t[..., 1:, :] - t[..., :-1, :]
    return F.l1_loss(dx(y), dx(x)) + F.l1_loss(dy(y), dy(x))


def render256(scenes: list) -> torch.Tensor:
    return torch.from_numpy(np.stack([np.asarray(world.render(s, 256, supersample=2)) for s in scenes]))


def recon_loss(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return F.l1_loss(y, x) + F.mse_loss(y, x) + 0.5 * grad_l1(y, x)


def v2_batch(data: dict, idx: list[int], rng: random.Random) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Crops: 64 px of the 128 px input (aligned to the 4 px latent cells), the 128 px of the 256 px scene
    that they decode to, and where the loss counts: not within MARGIN of a crop's side that cuts through
    the image (its receptive field there is padding), but up to the sides that are the image's own."""
    x128 = common.to_model_pixels(data["img128"][torch.tensor(idx)])
    y256 = common.to_model_pixels(render256([data["scenes"][i] for i in idx]))
    xs, ys, ms = [], [], []
    for k in range(len(idx)):
        cx, cy = 4 * rng.choice([0, 16] + list(range(1, 16))), 4 * rng.choice([0, 16] + list(range(1, 16)))
        xs.append(x128[k, :, cy:cy + 64, cx:cx + 64])
        ys.append(y256[k, :, 2 * cy:2 * cy + 128, 2 * cx:2 * cx + 128])
        m = torch.zeros(1, 128, 128)
        top, left = (0 if cy == 0 else MARGIN), (0 if cx == 0 else MARGIN)
        bottom, right = (128 if cy == 64 else 128 - MARGIN), (128 if cx == 64 else 128 - MARGIN)
        m[:, top:bottom, left:right] = 1
        ms.append(m)
    return torch.stack(xs), torch.stack(ys), torch.stack(ms)


def train_ae(minutes: float, data: dict, dev: torch.device, spec, decoder_only: bool = False) -> None:
    ae = ckpt.AE(*ckpt.new_ae(spec)).to(dev)
    c = ckpt.load_ckpt("ae", spec)
    state = {"seconds": 0.0, "steps": 0, "images": 0}
    if c:
        state = c["state"]
        if decoder_only and state.get("ae_decoder", {}) != spec.ae_decoder:
            # a new latent decoder on the frozen encoder: the encoder's weights (and so the latents, their scale
            # and what the diffusion decoder learnt) stay; the latent decoder starts from scratch
            ckpt.load_into(ae.enc, {k[4:]: v for k, v in c["model"].items() if k.startswith("enc.")})
            log(f"ae: a new latent decoder {spec.ae_decoder} (was {state.get('ae_decoder') or 'the first'}) on the frozen encoder")
            state = {**state, "ae_decoder": dict(spec.ae_decoder), "ae_decoder_since_step": state["steps"]}
        else:
            ckpt.load_into(ae, c["model"], tuple("dec." + k for k in getattr(ae.dec, "ADDED", ())))
    log(f"ae ({spec.ae}): {count_params(ae) / 1e6:.2f} M params, {minutes:.1f} min, resuming at {state['seconds']:.0f} s"
        + (" (latent decoder only)" if decoder_only else ""))
    opt = torch.optim.AdamW(ae.dec.parameters() if decoder_only else ae.parameters(), lr=1e-3, weight_decay=0.0)
    if decoder_only:
        ae.enc.requires_grad_(False)
    n = len(data["scenes"])
    rng = random.Random(state["steps"] + 11)
    bs = (32 if spec.ae == "v1" else 16) * (4 if dev.type == "cuda" else 1)
    clock = StageClock("ae", minutes, state, ae)
    while clock.running():
        for g in opt.param_groups:
            g["lr"] = lr_at(clock.frac(), 1e-3)
        idx = [rng.randrange(n) for _ in range(bs)]
        mask = None
        if spec.ae == "v1":
            x = common.to_model_pixels(data["img64"][torch.tensor(idx)]).to(dev)
            target = common.to_model_pixels(data["img128"][torch.tensor(idx)]).to(dev)
        else:
            x, target, mask = (t.to(dev) for t in v2_batch(data, idx, rng))
        ae.train()
        if decoder_only:
            ae.enc.eval()
        z = ae.enc(x)
        zn = z + 0.1 * z.detach().std() * torch.randn_like(z)  # robust to a diffusion model's small errors
        y = ae.dec(zn)
        if mask is not None:  # outside the mask the output is made equal to the target: no loss, no gradient
            y = y * mask + target * (1 - mask)
        loss = recon_loss(y, target) + 1e-4 * z.pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        clock.tick(bs, f"loss {loss.item():.4f} z std {z.std().item():.3f}")
    clock.save()
    measure(ae, data, dev, spec, state, set_scale=not decoder_only)


def measure(ae, data: dict, dev: torch.device, spec, state: dict, set_scale: bool) -> None:
    """The latent scale (1 / std of the latents, so the diffusion decoder sees unit variance) and the
    reconstruction L1, written into the checkpoint. train.py runs it again before the decoder first
    trains, in case the autoencoder's last run was stopped before its end."""
    ae.eval()
    n = len(data["scenes"])
    with torch.no_grad():
        idx = list(range(min(n, 512)))
        src = data["img64"] if spec.ae == "v1" else data["img128"]
        z = torch.cat([ae.enc(common.to_model_pixels(src[i:i + 64]).to(dev)) for i in range(0, len(idx), 64)])
        if set_scale:
            state["latent_scale"] = float(1.0 / z.std())
            state["scale_steps"] = state["steps"]
        y = ae.dec(z[:64])
        truth = data["img128"][:64] if spec.ae == "v1" else render256(data["scenes"][:64])
        state["recon_l1"] = float(F.l1_loss(y, common.to_model_pixels(truth).to(dev)))
    log(f"ae latent_scale {state['latent_scale']:.3f} recon L1 {state['recon_l1']:.4f}")
    ckpt.save_ckpt("ae", ae, None, state, spec)


def remeasure(data: dict, dev: torch.device, spec) -> None:
    c = ckpt.load_ckpt("ae", spec)
    if not c or c["state"].get("scale_steps") == c["state"]["steps"]:
        # none yet, or measured at the end of the autoencoder's last run: measuring again would change the
        # scale in its last digits (threaded convolutions do not sum in one order) and miss precompute's cache
        return
    ae = ckpt.AE(*ckpt.new_ae(spec)).to(dev)
    ckpt.load_into(ae, c["model"])
    measure(ae, data, dev, spec, c["state"], set_scale=True)
