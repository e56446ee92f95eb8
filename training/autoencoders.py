"""The pack's autoencoders: the latent space the diffusion decoder works in and the latent decoder that
turns latents into pixels (shapes-v1: 64 px -> 16x16x4 -> 128 px; shapes-v2: 128 px -> 32x32x4 -> 256 px,
fully convolutional with per-pixel norms so it trains on crops)."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from models import LATENT_CHANNELS, ResBlock


class AEEncoder(nn.Module):
    """64x64 image in [-1, 1] -> latent [4, 16, 16]."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 64, 4, 2, 1),  # 32
            ResBlock(64, 64),
            nn.Conv2d(64, 128, 4, 2, 1),  # 16
            ResBlock(128, 128),
            nn.GroupNorm(8, 128), nn.SiLU(),
            nn.Conv2d(128, LATENT_CHANNELS, 3, 1, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class AEDecoder(nn.Module):
    """Latent [4, 16, 16] -> 128x128 image in [-1, 1] (the pack's latent_decoder)."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Conv2d(LATENT_CHANNELS, 128, 3, 1, 1)
        self.r16 = ResBlock(128, 128)
        self.up32 = nn.Conv2d(128, 64, 3, 1, 1)
        self.r32 = ResBlock(64, 64)
        self.up64 = nn.Conv2d(64, 32, 3, 1, 1)
        # added in 0.2.0 for crisper edges (more work at 64 px before the pixel shuffle); zero-initialized
        # second convolutions make them identities, so a 0.1.0 checkpoint loads and keeps its output
        self.r64a = ResBlock(32, 32)
        self.r64b = ResBlock(32, 32)
        for r in (self.r64a, self.r64b):
            nn.init.zeros_(r.conv2.weight)
            nn.init.zeros_(r.conv2.bias)
        self.out_norm = nn.GroupNorm(8, 32)
        self.out = nn.Conv2d(32, 12, 3, 1, 1)  # pixel shuffle x2 -> 128x128x3

    ADDED = ("r64a.", "r64b.")  # parameters a 0.1.0 checkpoint lacks

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.r16(self.inp(z))
        h = self.r32(self.up32(F.interpolate(h, scale_factor=2.0, mode="nearest")))
        h = self.r64b(self.r64a(self.up64(F.interpolate(h, scale_factor=2.0, mode="nearest"))))
        h = self.out(F.silu(self.out_norm(h)))
        return torch.tanh(F.pixel_shuffle(h, 2))


class LatentDecoderExport(nn.Module):
    """What onnx/latent_decoder.onnx holds: un-scales the diffusion latent, then decodes."""

    def __init__(self, dec: AEDecoder, latent_scale: float):
        super().__init__()
        self.dec = dec
        self.latent_scale = latent_scale

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        return self.dec(latents / self.latent_scale)


class PixelNorm(nn.Module):
    """LayerNorm over the channels of each pixel: unlike GroupNorm it does not depend on the rest of the
    image, so a fully convolutional network trained on crops behaves the same on whole images."""

    def __init__(self, c: int):
        super().__init__()
        self.ln = nn.LayerNorm(c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.ln(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class PixResBlock(nn.Module):
    """ResBlock with PixelNorm (the shapes-v2 autoencoder, trained on crops)."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.norm1, self.conv1 = PixelNorm(cin), nn.Conv2d(cin, cout, 3, 1, 1)
        self.norm2, self.conv2 = PixelNorm(cout), nn.Conv2d(cout, cout, 3, 1, 1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        return self.skip(x) + self.conv2(F.silu(self.norm2(h)))


class AEEncoderV2(nn.Module):
    """shapes-v2: 128x128 image in [-1, 1] -> latent [C, 32, 32] (a small object spans 6-9 cells).
    Fully convolutional with per-pixel norms, so it trains on crops."""

    def __init__(self, channels: int = 4):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 32, 4, 2, 1),  # 64
            PixResBlock(32, 32),
            nn.Conv2d(32, 64, 4, 2, 1),  # 32
            PixResBlock(64, 64),
            PixelNorm(64), nn.SiLU(),
            nn.Conv2d(64, channels, 3, 1, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class AEDecoderV2(nn.Module):
    """shapes-v2: latent [C, 32, 32] -> 256x256 image in [-1, 1]: residual blocks at 32, 64 and 128 px,
    then a pixel shuffle to 256 (sub-pixel edges: the world is crisp polygons). Fully convolutional with
    per-pixel norms, so it trains on crops and decodes whole images the same way."""

    ADDED: tuple[str, ...] = ()

    def __init__(self, channels: int = 4, widths: tuple[int, int, int] = (128, 64, 32), blocks: tuple[int, int, int] = (2, 2, 1)):
        super().__init__()
        w32, w64, w128 = widths
        self.inp = nn.Conv2d(channels, w32, 3, 1, 1)
        self.r32 = nn.Sequential(*[PixResBlock(w32, w32) for _ in range(blocks[0])])
        self.up64 = nn.Conv2d(w32, w64, 3, 1, 1)
        self.r64 = nn.Sequential(*[PixResBlock(w64, w64) for _ in range(blocks[1])])
        self.up128 = nn.Conv2d(w64, w128, 3, 1, 1)
        # one block stays a bare module (not a Sequential), as the first v2 checkpoints name it
        self.r128 = PixResBlock(w128, w128) if blocks[2] == 1 else nn.Sequential(*[PixResBlock(w128, w128) for _ in range(blocks[2])])
        self.out_norm = PixelNorm(w128)
        self.out = nn.Conv2d(w128, 12, 3, 1, 1)  # pixel shuffle x2 -> 256x256x3

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.r32(self.inp(z))
        h = self.r64(self.up64(F.interpolate(h, scale_factor=2.0, mode="nearest")))
        h = self.r128(self.up128(F.interpolate(h, scale_factor=2.0, mode="nearest")))
        h = self.out(F.silu(self.out_norm(h)))
        return torch.tanh(F.pixel_shuffle(h, 2))
