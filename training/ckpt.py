"""Checkpoints (fp16 weights + EMA + training state, small enough to commit) and building every network
of a pack from them."""
from __future__ import annotations

import os
import time

import torch

import common
import packs
from autoencoders import AEDecoder, AEDecoderV2, AEEncoder, AEEncoderV2
from models import CLIP, Prior, UNet, UNetV2


def log(*a) -> None:
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def ckpt_path(stage: str, spec: packs.PackSpec | None = None) -> str:
    return os.path.join((spec or packs.current()).ckpt_dir, f"{stage}.pt")


def save_ckpt(stage: str, model: torch.nn.Module, ema: torch.nn.Module | None, state: dict,
              spec: packs.PackSpec | None = None) -> None:
    path = ckpt_path(stage, spec)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    spec = spec or packs.current()
    half = lambda m: {k: (v.half() if v.is_floating_point() else v).cpu() for k, v in m.state_dict().items()}
    # compact (shapes-v2): a stage with an EMA keeps only the EMA, which training resumes from; the whole
    # working tree must stay under 64 MiB to travel to a lent GPU machine, and each file under 16 MiB
    keep_model = ema is None or not spec.compact_ckpt
    blob = {"model": half(model) if keep_model else None, "ema": half(ema) if ema is not None else None, "state": state}
    torch.save(blob, path + ".tmp")
    os.replace(path + ".tmp", path)


def load_ckpt(stage: str, spec: packs.PackSpec | None = None) -> dict | None:
    p = ckpt_path(stage, spec)
    if not os.path.exists(p):
        return None
    c = torch.load(p, map_location="cpu")
    if c.get("model") is None:
        c["model"] = c["ema"]
    return c


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


def new_clip(spec: packs.PackSpec) -> CLIP:
    return CLIP(len(common.VOCAB), dim=spec.embed_dim, **spec.clip)


def new_ae(spec: packs.PackSpec) -> tuple[torch.nn.Module, torch.nn.Module]:
    if spec.ae == "v1":
        return AEEncoder(), AEDecoder()
    return AEEncoderV2(spec.latent[0]), AEDecoderV2(spec.latent[0], **spec.ae_decoder)


def new_diffusion(stage: str, spec: packs.PackSpec) -> torch.nn.Module:
    if stage == "prior":
        return Prior(spec.embed_dim, **spec.prior)
    if spec.ae == "v1":
        return UNet(dim=spec.embed_dim)
    return UNetV2(dim=spec.embed_dim, latent=spec.latent, **spec.unet)


class AE(torch.nn.Module):
    def __init__(self, enc: torch.nn.Module, dec: torch.nn.Module):
        super().__init__()
        self.enc, self.dec = enc, dec


class UntrainedLatentDecoder(torch.nn.Module):
    """Stands in for a latent decoder the pack names but the autoencoder stage has not trained yet (ae.pt
    holds another): the diffusion stages do not need it; exporting or evaluating says what to run."""

    def __init__(self, spec: packs.PackSpec):
        super().__init__()
        self.what = f"{spec.name}: the latent decoder {spec.ae_decoder} has not been trained yet (ae.pt holds another)"

    def forward(self, *_):
        raise RuntimeError(self.what + ": run train.py --stages ae (it trains on the frozen encoder) first")


def build_models(dev: torch.device, spec: packs.PackSpec | None = None) -> dict:
    """Every network, from its checkpoint where there is one (EMA weights for prior and decoder)."""
    spec = spec or packs.current()
    out: dict = {"spec": spec}
    clip = new_clip(spec)
    c = load_ckpt("clip", spec)
    if c:
        load_into(clip, c["model"])
    out["clip"] = clip.to(dev)
    enc, dec = new_ae(spec)
    c = load_ckpt("ae", spec)
    out["latent_scale"] = 1.0
    if c:
        load_into(enc, {k[4:]: v for k, v in c["model"].items() if k.startswith("enc.")})
        if c["state"].get("ae_decoder", {}) == spec.ae_decoder:
            load_into(dec, {k[4:]: v for k, v in c["model"].items() if k.startswith("dec.")}, getattr(dec, "ADDED", ()))
        else:  # the pack names a latent decoder the autoencoder stage has not trained yet
            dec = None
        out["latent_scale"] = c["state"].get("latent_scale", 1.0)
    out.update(ae_enc=enc.to(dev), ae_dec=dec.to(dev) if dec is not None else UntrainedLatentDecoder(spec))
    for name in ("prior", "decoder"):
        m = new_diffusion(name, spec)
        c = load_ckpt(name, spec)
        if c:
            load_into(m, c["ema"] or c["model"])
        out[name] = m.to(dev)
    return out
