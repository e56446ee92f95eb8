"""What each bundled pack is made of: its networks' sizes, its latent grid, its display size, where its
checkpoints live and where it is exported. One PackSpec per pack, so shapes-v1 stays loadable (for
evaluation and comparison) while shapes-v2 trains.

    UNCLIP_TRAIN_PACK=shapes-v1 /usr/bin/python3 training/eval.py     # the old pack's numbers
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


@dataclass(frozen=True)
class PackSpec:
    name: str
    version: str
    ckpt_dir: str
    out_dir: str
    embed_dim: int
    clip: dict = field(default_factory=dict)  # CLIP(**clip): text_width, text_layers, pool, image_widths
    ae: str = "v1"  # v1: 64 px -> 16x16x4 -> 128 px; v2: 128 px -> 32x32x4 -> 256 px
    ae_decoder: dict = field(default_factory=dict)  # AEDecoderV2(**ae_decoder): widths, blocks at 32/64/128 px
    latent: tuple[int, int, int] = (4, 16, 16)
    ae_input: int = 64  # side of the image the autoencoder's encoder sees
    image_size: int = 128  # side of the latent decoder's output (what people see)
    unet: dict = field(default_factory=dict)
    prior: dict = field(default_factory=dict)
    p_two_objects: float = 0.4  # share of two-object scenes in the training data
    hard_negatives: bool = False  # CLIP: colours/shapes swapped, relation reversed in every batch
    compact_ckpt: bool = False  # checkpoints keep only the EMA of stages that have one (ckpt.save_ckpt)
    # The decoder's loss weighting: None, the plain v loss (weight 1 + SNR on the x0 error); a number γ,
    # min-SNR-γ (Hang et al. 2023, "Efficient Diffusion Training via Min-SNR Weighting"; diffusers'
    # snr_gamma): the x0 error weighted by min(SNR, γ), so nearly clean steps stop dominating the gradient.
    min_snr_gamma: float | None = None
    # The decoder's steps with the default scheduler (None: common.SAMPLING's, as the prior's): what /imagine
    # costs is mostly decoder steps, so a pack may sample its decoder in fewer where eval.py shows no loss.
    decoder_steps: int | None = None


SPECS = {
    "shapes-v1": PackSpec(
        name="shapes-v1", version="0.2.0", ckpt_dir=os.path.join(HERE, "checkpoints"),
        out_dir=os.path.join(ROOT, "models", "shapes-v1"), embed_dim=128,
        clip=dict(text_width=128, text_layers=3, pool="mean", image_widths=(32, 64, 128, 128))),
    # shapes-v2: a CLIP that binds (end-token pooling, hard negatives, more two-object scenes), a 32x32 latent
    # grid (a small object spans 6-9 cells instead of 3-4) and 256 px images straight from the latent decoder.
    "shapes-v2": PackSpec(
        name="shapes-v2", version="0.1.0", ckpt_dir=os.path.join(HERE, "checkpoints", "shapes-v2"),
        out_dir=os.path.join(ROOT, "models", "shapes-v2"), embed_dim=int(os.environ.get("UNCLIP_TRAIN_DIM", 128)),
        clip=dict(text_width=128, text_layers=4, pool="eos", image_widths=(32, 64, 128, 160)),
        ae="v2", latent=(4, 32, 32), ae_input=128, image_size=256,
        # The decoder: shapes-v1's UNet (64/128/192 at 16/8/4) with a 32-channel level at 32x32 in front. The
        # first v2 decoder (48/96/160/192) cost 2.6x 0.2.0's /imagine (bar: 1.5x) and trained at 25 steps/min.
        unet=dict(ch=(32, 64, 128, 192)), prior=dict(width=352, depth=5),  # the whole pack <= 30 MB
        # The latent decoder to 256 px: 96/48/32 channels, 2/1/0 blocks (0.97 GMAC an image); the first one
        # (128/64/32, 2/2/1: 2.2 GMAC) took 230 ms of /imagine's 4 images where 0.2.0's whole latent decoder takes 50.
        ae_decoder=dict(widths=(96, 48, 32), blocks=(2, 1, 0)),
        p_two_objects=0.5, hard_negatives=True, compact_ckpt=True, min_snr_gamma=5.0,
        # UniPC 5 for the decoder (the prior keeps 7): /imagine 1.23x 0.2.0's in one bench run (7 steps: 1.66x,
        # bar 1.5x); the quick eval at 3482 decoder steps was the same at 5 and 7 (colour 72 / 72 %, shape 53 / 53 %).
        decoder_steps=5),
}


def current() -> PackSpec:
    """The pack being trained/evaluated: $UNCLIP_TRAIN_PACK, shapes-v2 by default; $UNCLIP_TRAIN_CKPT
    overrides its checkpoint folder (smoke tests)."""
    name = os.environ.get("UNCLIP_TRAIN_PACK", "shapes-v2")
    if name not in SPECS:
        raise SystemExit(f"UNCLIP_TRAIN_PACK={name!r}: not one of {', '.join(SPECS)}")
    spec = SPECS[name]
    ck = os.environ.get("UNCLIP_TRAIN_CKPT")
    if ck:
        spec = PackSpec(**{**spec.__dict__, "ckpt_dir": ck})
    return spec
