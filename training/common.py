"""Shared pieces: the word tokenizer (mirrors tokenizer.json exactly), the noise schedule, sampling with
DDIM, DPM-Solver++(2M) and UniPC (mirrors src/engine's sampler and schedulers: same trailing integer
timesteps, same steps), devices and threads."""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

import numpy as np
import torch

import world
from models import CONTEXT_LENGTH, PAD_ID

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SPECIALS = ["[PAD]", "[UNK]", "[BOS]", "[EOS]"]
VOCAB = SPECIALS + world.vocabulary()
WORD_TO_ID = {w: i for i, w in enumerate(VOCAB)}
UNK_ID, BOS_ID, EOS_ID = 1, 2, 3
T_STEPS = 1000

# Sampling defaults: written into pack.json (what the bot uses unless a user overrides them) and used by
# eval.py, so the card's numbers are those of the pack as shipped. tune.py measures the choices; for
# 0.2.0 (24 seen-triple prompts x 4 images) every prior guidance in 1-4 and decoder guidance in 2-5 drew
# colour, shape and background 100 % right, while diversity fell with prior guidance (smallest pairwise
# difference 0.0375 at 1.0, 0.0303 at 1.5, 0.0276 at 2.0), and variations kept shape 95.8 % at decoder
# guidance 2, 100 % at 3 and 5. So: no prior guidance, decoder guidance 3.
# The scheduler: UniPC 7 steps, measured on shapes-v1 through the TypeScript engine (npm run bench:quality,
# README's benchmarks: the fewest steps with every figure within 2 points of DDIM 25 with a margin; two
# seeds pooled, its closest figure −1.1 (UniPC 6: −1.65, DPM-Solver++ 10: −1.85); about 3x DDIM 25's speed).
# eval.py samples with the pack's default scheduler and steps (pack.json, as the bot does); tune.py with
# DDIM "ddim_steps".
SAMPLING = {"steps": 7, "scheduler": "unipc", "ddim_steps": 25, "prior_guidance": 1.0, "decoder_guidance": 3.0}
# Steps for a scheduler a pack names no steps for (src/engine/schedulers/index.ts ENGINE_DEFAULT_STEPS).
ENGINE_DEFAULT_STEPS = {"ddim": 25, "dpmsolver++": 10, "unipc": 7}


def log(*a) -> None:
    import time
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def device() -> torch.device:
    want = os.environ.get("UNCLIP_TRAIN_DEVICE")
    if want:
        return torch.device(want)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def setup_threads() -> None:
    torch.set_num_threads(int(os.environ.get("UNCLIP_TRAIN_THREADS", os.cpu_count() or 2)))


# ------------------------------------------------------------------------------------------ tokenizer

_NON_WORD = re.compile(r"[^a-z0-9\s]")


def tokenize(text: str) -> list[int]:
    """Same as tokenizer.json: Lowercase, non-alphanumerics -> space, whitespace split, WordLevel,
    [BOS] … [EOS], truncated to the context length."""
    words = _NON_WORD.sub(" ", text.lower()).split()
    ids = [WORD_TO_ID.get(w, UNK_ID) for w in words][: CONTEXT_LENGTH - 2]
    return [BOS_ID] + ids + [EOS_ID]


def tokenize_batch(texts: list[str], length: int | None = None) -> torch.Tensor:
    seqs = [tokenize(t) for t in texts]
    n = length or max(len(s) for s in seqs)
    out = torch.full((len(seqs), n), PAD_ID, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.tensor(s)
    return out


def tokenizer_json() -> dict:
    special = lambda i, t: {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                            "normalized": False, "special": True}
    return {
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": CONTEXT_LENGTH, "strategy": "LongestFirst", "stride": 0},
        "padding": None,
        "added_tokens": [special(i, t) for i, t in enumerate(SPECIALS)],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Lowercase"},
            {"type": "Replace", "pattern": {"Regex": "[^a-z0-9\\s]"}, "content": " "},
        ]},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[BOS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[EOS]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[BOS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "[EOS]", "type_id": 0}}],
            "special_tokens": {
                "[BOS]": {"id": "[BOS]", "ids": [BOS_ID], "tokens": ["[BOS]"]},
                "[EOS]": {"id": "[EOS]", "ids": [EOS_ID], "tokens": ["[EOS]"]},
            },
        },
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": WORD_TO_ID, "unk_token": "[UNK]"},
    }


# ------------------------------------------------------------------------------------------ diffusion

def cosine_alphas_cumprod(t_steps: int = T_STEPS, s: float = 0.008) -> np.ndarray:
    """Nichol & Dhariwal's cosine schedule, betas clipped at 0.999; float64, length T."""
    f = lambda t: math.cos((t / t_steps + s) / (1 + s) * math.pi / 2) ** 2
    betas = np.array([min(1 - f(i + 1) / f(i), 0.999) for i in range(t_steps)], dtype=np.float64)
    return np.cumprod(1.0 - betas)


ALPHAS_CUMPROD = cosine_alphas_cumprod()


def ddim_timesteps(n: int, t_steps: int = T_STEPS) -> list[int]:
    """Trailing spacing, integer arithmetic only (docs/PACK.md): t_i = floor((i+1)*T/n) - 1, descending."""
    return [((i + 1) * t_steps) // n - 1 for i in range(n - 1, -1, -1)]


def q_sample(x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor, ac: torch.Tensor) -> torch.Tensor:
    a = ac[t].view(-1, *([1] * (x0.dim() - 1)))
    return a.sqrt() * x0 + (1 - a).sqrt() * noise


def v_target(x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor, ac: torch.Tensor) -> torch.Tensor:
    a = ac[t].view(-1, *([1] * (x0.dim() - 1)))
    return a.sqrt() * noise - (1 - a).sqrt() * x0


@dataclass(frozen=True)
class Sampler:
    """A scheduler and its number of steps (for one diffusion model)."""
    scheduler: str = "ddim"
    steps: int = 25

    def __str__(self) -> str:
        return f"{self.scheduler} {self.steps}"


def pack_sampler(model_cfg: dict) -> Sampler:
    """What the engine runs for a request that names nothing, from a pack.json model ("prior" or
    "decoder"): default_scheduler (absent: ddim) for scheduler_steps[it], else default_steps."""
    name = model_cfg.get("default_scheduler", "ddim")
    return Sampler(name, int(model_cfg.get("scheduler_steps", {}).get(name, model_cfg["default_steps"])))


def steps_for(model_cfg: dict | None, name: str) -> int:
    """Steps for scheduler `name` when none are given (the engine's defaultStepsFor)."""
    if model_cfg is None:
        return ENGINE_DEFAULT_STEPS[name]
    if name in model_cfg.get("scheduler_steps", {}):
        return int(model_cfg["scheduler_steps"][name])
    return int(model_cfg["default_steps"]) if name == model_cfg.get("default_scheduler", "ddim") else ENGINE_DEFAULT_STEPS[name]


def sample(model, shape: tuple[int, ...], cond: torch.Tensor, prediction: str, sampler: Sampler, guidance: float,
           generator: torch.Generator | None = None, eta: float = 0.0, dev: torch.device | None = None) -> torch.Tensor:
    """Sampling with the scheduler `sampler` names; η applies to DDIM only (as the engine refuses it elsewhere)."""
    if sampler.scheduler == "ddim":
        return ddim_sample(model, shape, cond, prediction, sampler.steps, guidance, generator, eta=eta, dev=dev)
    if eta != 0:
        raise ValueError(f"eta applies to DDIM only, not {sampler.scheduler}")
    return multistep_sample(model, shape, cond, prediction, sampler, guidance, generator, dev=dev)


def _guided(model, x: torch.Tensor, t: int, cond: torch.Tensor, guidance: float) -> torch.Tensor:
    tt = torch.full((x.shape[0],), float(t), device=x.device)
    if guidance == 1.0:
        return model(x, tt, cond)
    u, c = model(torch.cat([x, x]), torch.cat([tt, tt]), torch.cat([torch.zeros_like(cond), cond])).chunk(2)
    return u + guidance * (c - u)


def _x0(prediction: str, out: torch.Tensor, x: torch.Tensor, a: float, s: float) -> torch.Tensor:
    """x0 from a model output at α = √ᾱ, σ = √(1−ᾱ)."""
    if prediction == "v":
        return a * x - s * out
    if prediction == "x0":
        return out
    return (x - s * out) / a


def _tables(t: int) -> tuple[float, float, float]:
    """α, σ, λ = log(α/σ) at timestep t (t = T: after the last step, ᾱ = 1, σ = 0, λ = ∞)."""
    ac = float(ALPHAS_CUMPROD[t]) if t < T_STEPS else 1.0
    a, s = math.sqrt(ac), math.sqrt(1 - ac)
    return a, s, (math.log(a) - math.log(s)) if s > 0 else math.inf


@torch.no_grad()
def multistep_sample(model, shape: tuple[int, ...], cond: torch.Tensor, prediction: str, sampler: Sampler,
                     guidance: float, generator: torch.Generator | None = None, dev: torch.device | None = None) -> torch.Tensor:
    """DPM-Solver++(2M) or UniPC (order 2, bh2, corrector on every step) on the data prediction D, as
    src/engine/schedulers/dpm-solver.ts and unipc.ts (and diffusers' DPMSolverMultistepScheduler /
    UniPCMultistepScheduler with final sigma 0): first order on the first and the last step."""
    dev = dev or cond.device
    x = torch.randn(shape, generator=generator).to(dev)
    ts = ddim_timesteps(sampler.steps) + [T_STEPS]
    n = sampler.steps
    unipc = sampler.scheduler == "unipc"
    if not unipc and sampler.scheduler != "dpmsolver++":
        raise ValueError(f"unknown scheduler {sampler.scheduler!r}")
    ds: list[torch.Tensor] = []  # D at the steps so far (the last two are used)
    last_x, last_order = None, 1
    for i in range(n):
        a_i, s_i, l_i = _tables(ts[i])
        d = _x0(prediction, _guided(model, x, ts[i], cond, guidance), x, a_i, s_i)
        if unipc and last_x is not None:  # UniC: redo step i-1 -> i with D at i too
            _, s_p, l_p = _tables(ts[i - 1])
            h = l_i - l_p
            bh = math.expm1(-h)
            m0 = ds[-1]
            if last_order == 2:
                r = (_tables(ts[i - 2])[2] - l_p) / h
                b1 = (bh / -h - 1) / bh
                b2 = 2 * ((bh / -h - 1) / -h - 0.5) / bh
                rho_p = (b1 - b2) / (1 - r)
                rho_c = b1 - rho_p
                corr = rho_p * (ds[-2] - m0) / r + rho_c * (d - m0)
            else:
                corr = 0.5 * (d - m0)
            x = s_i / s_p * last_x - a_i * bh * m0 - a_i * bh * corr
        a_n, s_n, l_n = _tables(ts[i + 1])
        h = l_n - l_i
        bh = math.expm1(-h)  # e^-h - 1; -1 at the last step (σ = 0)
        order = min(2, i + 1, n - i)
        x_next = s_n / s_i * x - a_n * bh * d
        if order == 2:
            r = (_tables(ts[i - 1])[2] - l_i) / h
            x_next = x_next - a_n * bh * 0.5 * (ds[-1] - d) / r
        ds = (ds + [d])[-2:]
        last_x, last_order = x, order
        x = x_next
    return x


@torch.no_grad()
def ddim_sample(model, shape: tuple[int, ...], cond: torch.Tensor, prediction: str, steps: int, guidance: float,
                generator: torch.Generator | None = None, eta: float = 0.0, dev: torch.device | None = None,
                clip_x0: float | None = None) -> torch.Tensor:
    """DDIM with classifier-free guidance ([uncond, cond] in one batch), as the TS engine does it."""
    dev = dev or cond.device
    ac = ALPHAS_CUMPROD
    x = torch.randn(shape, generator=generator).to(dev)
    ts = ddim_timesteps(steps)
    b = shape[0]
    for i, t in enumerate(ts):
        a = float(ac[t])
        a_prev = float(ac[ts[i + 1]]) if i + 1 < len(ts) else 1.0
        tt = torch.full((b,), float(t), device=dev)
        if guidance != 1.0:
            out = model(torch.cat([x, x]), torch.cat([tt, tt]), torch.cat([torch.zeros_like(cond), cond]))
            u, c = out.chunk(2)
            out = u + guidance * (c - u)
        else:
            out = model(x, tt, cond)
        if prediction == "v":
            x0 = math.sqrt(a) * x - math.sqrt(1 - a) * out
            eps = math.sqrt(1 - a) * x + math.sqrt(a) * out
        elif prediction == "x0":
            x0 = out
            eps = (x - math.sqrt(a) * x0) / math.sqrt(1 - a)
        else:
            eps = out
            x0 = (x - math.sqrt(1 - a) * eps) / math.sqrt(a)
        if clip_x0 is not None:
            x0 = x0.clamp(-clip_x0, clip_x0)
        sigma = eta * math.sqrt((1 - a_prev) / (1 - a)) * math.sqrt(max(0.0, 1 - a / a_prev))
        x = math.sqrt(a_prev) * x0 + math.sqrt(max(0.0, 1 - a_prev - sigma ** 2)) * eps
        if sigma > 0:
            x = x + sigma * torch.randn(shape, generator=generator).to(dev)
    return x


# ------------------------------------------------------------------------------------------ images

def to_model_pixels(img_uint8: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 [N, H, W, 3] -> float [N, 3, H, W] in [-1, 1] (preprocessor_config: rescale, mean=std=0.5)."""
    t = torch.as_tensor(img_uint8)
    return t.permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """[-1, 1] [N, 3, H, W] -> uint8 [N, H, W, 3], as docs/PACK.md maps it."""
    return ((x.clamp(-1, 1) + 1) / 2 * 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()


def downsample_box(x: torch.Tensor, factor: int = 2) -> torch.Tensor:
    return torch.nn.functional.avg_pool2d(x, factor)


def rate(xs: list[bool]) -> float:
    """The share of True, to 4 places (0 for none)."""
    return round(sum(xs) / max(1, len(xs)), 4)


def slerp(a: torch.Tensor, b: torch.Tensor, w: float) -> torch.Tensor:
    """Rows of a and b (normalized) at weight w of a, as src/engine/vectors.ts slerp: normalized result."""
    cos = (a * b).sum(-1, keepdim=True).clamp(-1, 1)
    theta = torch.acos(cos)
    s = torch.sin(theta).clamp(min=1e-6)
    ka, kb = torch.sin(w * theta) / s, torch.sin((1 - w) * theta) / s
    lin = theta < 1e-6
    out = torch.where(lin, w * a + (1 - w) * b, ka * a + kb * b)
    return torch.nn.functional.normalize(out, dim=-1)
