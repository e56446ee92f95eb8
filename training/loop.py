"""The pieces every training stage shares: its time budget and checkpoints (StageClock), the learning-rate
schedule and the EMA update."""
from __future__ import annotations

import math
import time

import torch

import ckpt
from common import log

SAVE_EVERY_S = 120


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
        ckpt.save_ckpt(self.stage, self.model, self.ema, self.state)


def lr_at(frac: float, base: float, warm: float = 0.03, floor: float = 0.05) -> float:
    if frac < warm:
        return base * frac / warm
    p = min(1.0, (frac - warm) / (1 - warm))
    return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p)))


def ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    with torch.no_grad():
        for pe, pm in zip(ema.parameters(), model.parameters()):
            pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
