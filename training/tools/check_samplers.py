"""Checks training/common.py's samplers (DDIM, DPM-Solver++(2M), UniPC) against diffusers' schedulers on a
toy guided model: the same initial noise, the same model, every scheduler's final sample compared.

    /work/pyenv/bin/python training/tools/check_samplers.py     # diffusers 0.27.2 (+ huggingface_hub 0.25.2), torch

diffusers is configured as the engine runs (test/fixtures/schedulers/make_fixtures.py): trailing timesteps
(PACK.md's floor where diffusers' rounding differs: those timesteps and their sigmas are given to it), final
sigma 0 (ᾱ = 1 after the last step), DDIM with set_alpha_to_one and only for n dividing T. v and x0 on the
packs' cosine schedule, epsilon on Stable Diffusion's scaled_linear (on the cosine one an epsilon model's x0
divides by √ᾱ_999 ≈ 5e-5, and float32 rounding alone moves it by more than the tolerance).
Exits 1 if any case differs by more than 1e-5.
"""
from __future__ import annotations

import math
import os
import sys

import numpy as np
import torch
from diffusers import DDIMScheduler, DPMSolverMultistepScheduler, UniPCMultistepScheduler

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import common  # noqa: E402  (training/)

TOLERANCE = 1e-5
SHAPE = (2, 4, 2, 2)
GUIDANCE = 3.0


def toy_model(ac: np.ndarray, prediction: str):
    """out(x, t, cond) from x0_hat = cond·(1 + 0.3·sin(t/150)) + 0.05·cos(t/70 + k) + 0.2·tanh(x) (x in it, so the
    last step's output, which an x0 model's sample lands on, depends on the trajectory)."""
    k = torch.arange(16, dtype=torch.float32).view(1, 4, 2, 2)

    def model(x: torch.Tensor, tt: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        t = tt.view(-1, 1, 1, 1).double()
        x0 = cond.view(x.shape).double() * (1 + 0.3 * torch.sin(t / 150)) + 0.05 * torch.cos(t / 70 + k) + 0.2 * torch.tanh(x.double())
        a = torch.tensor(ac, dtype=torch.float64)[tt.long()].view(-1, 1, 1, 1)
        sa, s1 = a.sqrt(), (1 - a).sqrt()
        eps = (x.double() - sa * x0) / s1
        return {"x0": x0, "epsilon": eps, "v": sa * eps - s1 * x0}[prediction].float()

    return model


def diffusers_scheduler(kind: str, ac: np.ndarray, prediction: str, steps: int):
    common_cfg = dict(num_train_timesteps=common.T_STEPS, timestep_spacing="trailing",
                      prediction_type={"x0": "sample", "v": "v_prediction", "epsilon": "epsilon"}[prediction])
    if kind == "ddim":
        s = DDIMScheduler(**common_cfg, clip_sample=False, set_alpha_to_one=True)
    elif kind == "dpmsolver++":
        s = DPMSolverMultistepScheduler(**common_cfg, algorithm_type="dpmsolver++", solver_order=2, solver_type="midpoint",
                                        lower_order_final=True, final_sigmas_type="zero")
    else:
        s = UniPCMultistepScheduler(**common_cfg, solver_order=2, solver_type="bh2", predict_x0=True, lower_order_final=True)
    s.alphas_cumprod = torch.tensor(ac, dtype=torch.float32)
    if kind != "ddim":
        s.alpha_t, s.sigma_t = torch.sqrt(s.alphas_cumprod), torch.sqrt(1 - s.alphas_cumprod)
        s.lambda_t = torch.log(s.alpha_t) - torch.log(s.sigma_t)
    s.set_timesteps(steps)
    ours = common.ddim_timesteps(steps)
    if kind != "ddim":  # the pack's timesteps, and σ = 0 after the last one
        sig = np.array(((1 - s.alphas_cumprod) / s.alphas_cumprod) ** 0.5)
        s.sigmas = torch.from_numpy(np.concatenate([np.interp(ours, np.arange(len(sig)), sig), [0.0]]).astype(np.float32))
        s.timesteps = torch.tensor(ours, dtype=torch.int64)
        s.num_inference_steps = steps
    assert s.timesteps.tolist() == ours, (kind, steps)
    return s


def reference(kind: str, ac: np.ndarray, prediction: str, steps: int, cond: torch.Tensor, seed: int) -> torch.Tensor:
    model = toy_model(ac, prediction)
    s = diffusers_scheduler(kind, ac, prediction, steps)
    x = torch.randn(SHAPE, generator=torch.Generator().manual_seed(seed))
    for t in s.timesteps.tolist():
        out = common._guided(model, x, t, cond, GUIDANCE)
        x = s.step(out, t, x).prev_sample
    return x


def main() -> int:
    cosine = common.ALPHAS_CUMPROD
    scaled = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear").alphas_cumprod.double().numpy()
    cond = torch.from_numpy(np.random.default_rng(0).uniform(-1, 1, (SHAPE[0], 16)).astype(np.float32))
    worst: dict[str, float] = {}
    seed = 0
    for kind in ("ddim", "dpmsolver++", "unipc"):
        for prediction, ac in (("v", cosine), ("x0", cosine), ("epsilon", scaled)):
            for steps in ([1, 2, 4, 5, 8, 10, 20, 25] if kind == "ddim" else [1, 2, 3, 5, 6, 8, 10, 12, 15, 20, 25]):
                seed += 1
                want = reference(kind, ac, prediction, steps, cond, seed)
                common.ALPHAS_CUMPROD = ac  # what common's samplers read
                try:
                    got = common.sample(toy_model(ac, prediction), SHAPE, cond, prediction, common.Sampler(kind, steps), GUIDANCE,
                                        torch.Generator().manual_seed(seed))
                finally:
                    common.ALPHAS_CUMPROD = cosine
                err = float((got - want).abs().max())
                assert math.isfinite(err), (kind, prediction, steps)
                key = f"{kind} {prediction}"
                worst[key] = max(worst.get(key, 0.0), err)
    for k, v in worst.items():
        print(f"{k}: max abs error {v:.2e}")
    bad = {k: v for k, v in worst.items() if v > TOLERANCE}
    if bad:
        print(f"over {TOLERANCE}: {bad}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
