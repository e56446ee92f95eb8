"""The networks of the pack: CLIP (text + image encoders), the latent autoencoder, the diffusion
prior and the latent diffusion decoder (a small conditional UNet). All are export-friendly: no
data-dependent control flow, GroupNorm rather than BatchNorm, explicit attention masks."""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

EMBED_DIM = 128
CONTEXT_LENGTH = 32
PAD_ID = 0


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding of (float) timesteps 0..T-1, [B] -> [B, dim]."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


# --------------------------------------------------------------------------------------------- CLIP

class Attention(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)

    def forward(self, x: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
        b, n, w = x.shape
        h = self.heads
        q, k, v = self.qkv(x).reshape(b, n, 3, h, w // h).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(w // h))
        if bias is not None:
            att = att + bias
        y = att.softmax(dim=-1) @ v
        return self.out(y.transpose(1, 2).reshape(b, n, w))


class Block(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.ln2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), bias)
        return x + self.mlp(self.ln2(x))


class TextEncoder(nn.Module):
    """Word-level transformer; masks PAD itself, so the embedding does not depend on padding length.

    pool="mean" (shapes-v1) averages the words: word order is lost, so "a red star and a blue circle" and
    "a blue star and a red circle" get nearly the same embedding. pool="eos" (shapes-v2, as CLIP does) reads
    the embedding off the [EOS] token, which attends to every word in its place; a sequence without [EOS]
    (truncated by hand) falls back to the mean."""

    def __init__(self, vocab_size: int, width: int = 128, layers: int = 3, heads: int = 4, dim: int = EMBED_DIM,
                 pool: str = "mean", eos_id: int = 3):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, width)
        self.pos = nn.Parameter(torch.randn(CONTEXT_LENGTH, width) * 0.02)
        self.blocks = nn.ModuleList([Block(width, heads) for _ in range(layers)])
        self.ln = nn.LayerNorm(width)
        self.proj = nn.Linear(width, dim, bias=False)
        self.pool, self.eos_id = pool, eos_id

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        n = input_ids.shape[1]
        keep = (input_ids != PAD_ID).float()  # [B, n]
        x = self.tok(input_ids) + self.pos[:n][None]
        bias = ((1.0 - keep) * -1e4)[:, None, None, :]  # [B, 1, 1, n]
        for blk in self.blocks:
            x = blk(x, bias)
        x = self.ln(x)
        w = keep
        if self.pool == "eos":
            eos = (input_ids == self.eos_id).float()
            has = eos.sum(1, keepdim=True).clamp(max=1.0)
            w = eos + (1.0 - has) * keep
        pooled = (x * w[..., None]).sum(1) / w.sum(1, keepdim=True).clamp(min=1.0)
        return self.proj(pooled)


def conv_block(cin: int, cout: int, stride: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1), nn.GroupNorm(8, cout), nn.SiLU())


class ImageEncoder(nn.Module):
    """CNN: four stride-2 stages from 64x64 to a 4x4 map, flattened (not pooled, so position survives)."""

    def __init__(self, widths=(32, 64, 128, 128), dim: int = EMBED_DIM, image_size: int = 64):
        super().__init__()
        layers: list[nn.Module] = []
        cin = 3
        for i, w in enumerate(widths):
            layers += [conv_block(cin, w, 2)] + ([conv_block(w, w, 1)] if i > 0 else [])
            cin = w
        self.features = nn.Sequential(*layers)
        side = image_size // 2 ** len(widths)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(cin * side * side, 512), nn.GELU(), nn.Linear(512, dim))

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(pixel_values))


class CLIP(nn.Module):
    def __init__(self, vocab_size: int, dim: int = EMBED_DIM, text_width: int = 128, text_layers: int = 3,
                 pool: str = "mean", image_widths=(32, 64, 128, 128)):
        super().__init__()
        self.text = TextEncoder(vocab_size, text_width, text_layers, dim=dim, pool=pool)
        self.image = ImageEncoder(image_widths, dim)
        self.log_scale = nn.Parameter(torch.tensor(math.log(10.0)))

    def logit_scale(self) -> torch.Tensor:
        return self.log_scale.exp().clamp(max=100.0)


# ---------------------------------------------------------------------------------------- autoencoder

class ResBlock(nn.Module):
    """Residual block; optional conditioning vector gives a scale and shift (FiLM) after the first norm."""

    def __init__(self, cin: int, cout: int, cond_dim: int = 0):
        super().__init__()
        self.norm1 = nn.GroupNorm(8, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1)
        self.norm2 = nn.GroupNorm(8, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.film = nn.Linear(cond_dim, 2 * cout) if cond_dim else None
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.norm2(h)
        if self.film is not None and cond is not None:
            scale, shift = self.film(cond)[:, :, None, None].chunk(2, dim=1)
            h = h * (1 + scale) + shift
        h = self.conv2(F.silu(h))
        return self.skip(x) + h


LATENT_CHANNELS = 4
LATENT_SIZE = 16


# ------------------------------------------------------------------------------------------- decoder

class UNet(nn.Module):
    """Latent diffusion decoder: sample [B, 4, 16, 16], timestep [B], image_embeds [B, D] (normalized)
    -> v prediction. The embedding is scaled by sqrt(D) (measured: unscaled, the conditioning is too weak
    otherwise), joins the timestep embedding (FiLM in every block) and is also projected to a 4x4
    map added at the bottleneck so it can say *where* things are."""

    def __init__(self, ch=(64, 128, 192), dim: int = EMBED_DIM):
        super().__init__()
        c1, c2, c3 = ch
        cond = 256
        self.dim = dim
        self.t_mlp = nn.Sequential(nn.Linear(128, cond), nn.SiLU(), nn.Linear(cond, cond))
        self.e_mlp = nn.Sequential(nn.Linear(dim, cond), nn.SiLU(), nn.Linear(cond, cond))
        self.e_map = nn.Linear(dim, c3 * 16)
        self.inp = nn.Conv2d(LATENT_CHANNELS, c1, 3, 1, 1)
        self.d1 = nn.ModuleList([ResBlock(c1, c1, cond), ResBlock(c1, c1, cond)])
        self.down1 = nn.Conv2d(c1, c2, 3, 2, 1)  # 8
        self.d2 = nn.ModuleList([ResBlock(c2, c2, cond), ResBlock(c2, c2, cond)])
        self.down2 = nn.Conv2d(c2, c3, 3, 2, 1)  # 4
        self.m1 = ResBlock(c3, c3, cond)
        self.attn_norm = nn.GroupNorm(8, c3)
        self.attn = Attention(c3, 4)
        self.m2 = ResBlock(c3, c3, cond)
        self.up2 = nn.Conv2d(c3, c2, 3, 1, 1)
        self.u2 = nn.ModuleList([ResBlock(2 * c2, c2, cond), ResBlock(c2, c2, cond)])
        self.up1 = nn.Conv2d(c2, c1, 3, 1, 1)
        self.u1 = nn.ModuleList([ResBlock(2 * c1, c1, cond), ResBlock(c1, c1, cond)])
        self.out_norm = nn.GroupNorm(8, c1)
        self.out = nn.Conv2d(c1, LATENT_CHANNELS, 3, 1, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        self.c3 = c3

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, image_embeds: torch.Tensor) -> torch.Tensor:
        e = image_embeds * math.sqrt(self.dim)
        cond = self.t_mlp(timestep_embedding(timestep, 128)) + self.e_mlp(e)
        h = self.inp(sample)
        for blk in self.d1:
            h = blk(h, cond)
        s1 = h
        h = self.down1(h)
        for blk in self.d2:
            h = blk(h, cond)
        s2 = h
        h = self.down2(h)
        h = h + self.e_map(e).reshape(-1, self.c3, 4, 4)
        h = self.m1(h, cond)
        b, c, hh, ww = h.shape
        a = self.attn(self.attn_norm(h).reshape(b, c, hh * ww).transpose(1, 2))
        h = h + a.transpose(1, 2).reshape(b, c, hh, ww)
        h = self.m2(h, cond)
        h = self.up2(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        h = torch.cat([h, s2], 1)
        for blk in self.u2:
            h = blk(h, cond)
        h = self.up1(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        h = torch.cat([h, s1], 1)
        for blk in self.u1:
            h = blk(h, cond)
        return self.out(F.silu(self.out_norm(h)))


class UNetV2(nn.Module):
    """shapes-v2's latent diffusion decoder: any number of levels (ch[i] channels at size / 2**i), two
    FiLM-conditioned residual blocks per level down and up, self-attention at the bottleneck, and the
    embedding projected to a map added at the bottleneck (where things are). Same inputs and output as
    UNet: sample [B, C, s, s], timestep [B], image_embeds [B, D] (normalized) -> v prediction."""

    def __init__(self, ch=(48, 96, 160, 192), dim: int = EMBED_DIM, latent=(4, 32, 32), cond: int = 256,
                 blocks: tuple[int, ...] | None = None):
        super().__init__()
        blocks = tuple(blocks or (2,) * (len(ch) - 1))  # residual blocks per level, down and up alike
        if len(blocks) != len(ch) - 1:
            raise ValueError(f"blocks {blocks}: one count per level above the bottleneck ({len(ch) - 1})")
        self.dim, self.ch = dim, tuple(ch)
        c_lat, side = latent[0], latent[1]
        self.bottom = side // 2 ** (len(ch) - 1)
        self.t_mlp = nn.Sequential(nn.Linear(128, cond), nn.SiLU(), nn.Linear(cond, cond))
        self.e_mlp = nn.Sequential(nn.Linear(dim, cond), nn.SiLU(), nn.Linear(cond, cond))
        self.e_map = nn.Linear(dim, ch[-1] * self.bottom ** 2)
        self.inp = nn.Conv2d(c_lat, ch[0], 3, 1, 1)
        self.down = nn.ModuleList([nn.ModuleList([ResBlock(c, c, cond) for _ in range(n)]) for c, n in zip(ch[:-1], blocks)])
        self.downs = nn.ModuleList([nn.Conv2d(a, b, 3, 2, 1) for a, b in zip(ch[:-1], ch[1:])])
        c3 = ch[-1]
        self.m1 = ResBlock(c3, c3, cond)
        self.attn_norm = nn.GroupNorm(8, c3)
        self.attn = Attention(c3, 4)
        self.m2 = ResBlock(c3, c3, cond)
        self.ups = nn.ModuleList([nn.Conv2d(b, a, 3, 1, 1) for a, b in zip(ch[:-1], ch[1:])])
        self.up = nn.ModuleList([nn.ModuleList([ResBlock(2 * c, c, cond)] + [ResBlock(c, c, cond) for _ in range(n - 1)])
                                 for c, n in zip(ch[:-1], blocks)])
        self.out_norm = nn.GroupNorm(8, ch[0])
        self.out = nn.Conv2d(ch[0], c_lat, 3, 1, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, image_embeds: torch.Tensor) -> torch.Tensor:
        e = image_embeds * math.sqrt(self.dim)
        cond = self.t_mlp(timestep_embedding(timestep, 128)) + self.e_mlp(e)
        h = self.inp(sample)
        skips = []
        for blocks, down in zip(self.down, self.downs):
            for blk in blocks:
                h = blk(h, cond)
            skips.append(h)
            h = down(h)
        h = h + self.e_map(e).reshape(-1, self.ch[-1], self.bottom, self.bottom)
        h = self.m1(h, cond)
        b, c, hh, ww = h.shape
        a = self.attn(self.attn_norm(h).reshape(b, c, hh * ww).transpose(1, 2))
        h = h + a.transpose(1, 2).reshape(b, c, hh, ww)
        h = self.m2(h, cond)
        for i in reversed(range(len(self.ups))):
            h = torch.cat([self.ups[i](F.interpolate(h, scale_factor=2.0, mode="nearest")), skips[i]], 1)
            for blk in self.up[i]:
                h = blk(h, cond)
        return self.out(F.silu(self.out_norm(h)))


# --------------------------------------------------------------------------------------------- prior

class PriorBlock(nn.Module):
    def __init__(self, width: int, cond: int):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.film = nn.Linear(cond, 2 * width)
        self.mlp = nn.Sequential(nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, width))

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        scale, shift = self.film(c).chunk(2, dim=-1)
        return x + self.mlp(self.norm(x) * (1 + scale) + shift)


class Prior(nn.Module):
    """Diffusion prior (DALL·E 2 style, predicts the clean embedding x0): x_t [B, D] (normalized image
    embedding x sqrt(D), noised), timestep [B], text_embeds [B, D] (normalized; zero = unconditional)."""

    def __init__(self, dim: int = EMBED_DIM, width: int = 384, depth: int = 4):
        super().__init__()
        self.dim = dim
        cond = 256
        self.t_mlp = nn.Sequential(nn.Linear(128, cond), nn.SiLU(), nn.Linear(cond, cond))
        self.c_mlp = nn.Sequential(nn.Linear(dim, cond), nn.SiLU(), nn.Linear(cond, cond))
        self.inp = nn.Linear(2 * dim, width)
        self.blocks = nn.ModuleList([PriorBlock(width, cond) for _ in range(depth)])
        self.norm = nn.LayerNorm(width)
        self.out = nn.Linear(width, dim)

    def forward(self, x_t: torch.Tensor, timestep: torch.Tensor, text_embeds: torch.Tensor) -> torch.Tensor:
        e = text_embeds * math.sqrt(self.dim)
        c = F.silu(self.t_mlp(timestep_embedding(timestep, 128)) + self.c_mlp(e))
        h = self.inp(torch.cat([x_t, e], dim=-1))
        for blk in self.blocks:
            h = blk(h, c)
        return self.out(self.norm(h))


def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


if __name__ == "__main__":
    from autoencoders import AEDecoder, AEDecoderV2, AEEncoder, AEEncoderV2
    import time
    torch.set_num_threads(2)
    for name, m, args in [
        ("text", TextEncoder(40), (torch.randint(0, 40, (256, 20)),)),
        ("image", ImageEncoder(), (torch.randn(256, 3, 64, 64),)),
        ("ae_enc", AEEncoder(), (torch.randn(32, 3, 64, 64),)),
        ("ae_dec", AEDecoder(), (torch.randn(32, 4, 16, 16),)),
        ("unet", UNet(), (torch.randn(64, 4, 16, 16), torch.rand(64) * 999, torch.randn(64, 128))),
        ("prior", Prior(), (torch.randn(256, 128), torch.rand(256) * 999, torch.randn(256, 128))),
        ("text_v2", TextEncoder(40, 128, 4, pool="eos"), (torch.randint(0, 40, (768, 20)),)),
        ("image_v2", ImageEncoder((32, 64, 128, 160)), (torch.randn(256, 3, 64, 64),)),
        ("ae_enc_v2", AEEncoderV2(), (torch.randn(16, 3, 64, 64),)),
        ("ae_dec_v2 (crops)", AEDecoderV2(), (torch.randn(16, 4, 16, 16),)),
        ("unet_v2 32-96", UNetV2((32, 96, 160, 192)), (torch.randn(64, 4, 32, 32), torch.rand(64) * 999, torch.randn(64, 128))),
        ("unet_v2", UNetV2(), (torch.randn(64, 4, 32, 32), torch.rand(64) * 999, torch.randn(64, 128))),
        ("prior_v2", Prior(depth=6), (torch.randn(256, 128), torch.rand(256) * 999, torch.randn(256, 128))),
    ]:
        opt = torch.optim.AdamW(m.parameters())
        out = m(*args); out.float().pow(2).mean().backward(); opt.step()
        t = time.time()
        for _ in range(3):
            opt.zero_grad(); out = m(*args); out.float().pow(2).mean().backward(); opt.step()
        dt = (time.time() - t) / 3
        print(f"{name}: {count_params(m)/1e6:.2f} M params, {args[0].shape[0]/dt:.0f} samples/s train")
