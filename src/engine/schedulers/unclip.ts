/**
 * diffusers' UnCLIPScheduler (Karlo's and Kandinsky's prior scheduler): DDPM posterior steps between
 * the timesteps round(i·(T−1)/(n−1)), n−1 … 0, with β recomputed for the skipped steps, the x0
 * estimate clipped to ±clip_sample, and the "fixed_small_log" variance σ = √(β̃) times fresh noise at
 * every step but the last (t = 0). The ᾱ and β tables are the pack's (never recomputed).
 */
import { toX0Eps } from './schedule.ts';
import type { Prediction, StepOptions, StepResult } from './types.ts';

export interface UnCLIPStepOptions extends StepOptions {
  /** The model's variance channels (learned_range), in [−1, 1], the sample's size. */
  predictedVariance?: Float32Array;
}

export interface UnCLIPConfig {
  alphasCumprod: readonly number[];
  prediction: Prediction;
  /** |x0| is clipped to this (null: no clipping). */
  clipSample: number | null;
  /** "fixed_small_log" (σ = √β̃) or "learned_range" (log σ² between log β̃ and log β, from the model's variance channels). */
  variance?: 'fixed_small_log' | 'learned_range';
  /** β_t as diffusers stores it (float32), used when a step goes from t to t − 1; else 1 − ᾱ_t/ᾱ_{t−1}. */
  betas?: readonly number[];
}

export class UnCLIPScheduler {
  readonly name = 'unclip';
  readonly initNoiseSigma = 1;
  timesteps: readonly number[] = [];
  private readonly ac: Float64Array;

  constructor(private readonly config: UnCLIPConfig) {
    this.ac = Float64Array.from(config.alphasCumprod);
    if (this.ac.length < 2) throw new RangeError('the UnCLIP schedule needs at least 2 training steps');
  }

  setTimesteps(steps: number): void {
    const T = this.ac.length;
    if (!Number.isInteger(steps) || steps < 2 || steps > T) throw new RangeError(`steps must be an integer in [2, ${T}], got ${steps}`);
    const ratio = (T - 1) / (steps - 1);
    const out: number[] = [];
    // numpy's round: half to even.
    for (let i = steps - 1; i >= 0; i--) out.push(roundHalfEven(i * ratio));
    this.timesteps = out;
  }

  /** The step at `stepIndex` adds noise unless its timestep is 0. */
  needsNoise(stepIndex: number): boolean {
    return (this.timesteps[stepIndex] ?? 0) > 0;
  }

  /** ᾱ at t and at the timestep after it (the pipeline's prev_timestep; t − 1 after the last step). */
  private alphas(i: number): { t: number; a: number; aPrev: number; beta: number; alpha: number } {
    const f = Math.fround;
    const t = this.timesteps[i]!;
    const prev = i + 1 < this.timesteps.length ? this.timesteps[i + 1]! : t - 1;
    const a = f(this.ac[t]!);
    const aPrev = prev >= 0 ? f(this.ac[prev]!) : 1;
    // diffusers takes its float32 betas[t] when prev = t − 1; at t = 0 that differs from 1 − ᾱ_0 by 1e-3 relative.
    const beta = prev === t - 1 && this.config.betas ? f(this.config.betas[t]!) : f(1 - f(a / aPrev));
    return { t, a, aPrev, beta, alpha: f(1 - beta) };
  }

  /** Whether steps need the model's variance channels. */
  get usesVariance(): boolean {
    return this.config.variance === 'learned_range';
  }

  /**
   * One step, in float32 arithmetic operation by operation as diffusers computes it on float32 tensors:
   * at t = T−1, x0 = (x − √(1−ᾱ)·ε)/√ᾱ divides by √ᾱ ≈ 5e-5, so float64 coefficients alone would
   * already move the result by more than the model's own rounding.
   */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, opts: UnCLIPStepOptions = {}): StepResult {
    const i = this.timesteps.indexOf(timestep);
    if (i < 0) throw new RangeError(`timestep ${timestep} is not one of this run's (${this.timesteps.join(', ')})`);
    if (modelOutput.length !== sample.length) throw new RangeError('model output and sample differ in size');
    const f = Math.fround;
    const { t, a, aPrev, beta, alpha } = this.alphas(i);
    const betaProd = f(1 - a);
    const betaProdPrev = f(1 - aPrev);
    const x0Coef = f(f(f(Math.sqrt(aPrev)) * beta) / betaProd);
    const xCoef = f(f(f(Math.sqrt(alpha)) * betaProdPrev) / betaProd);
    const fixedVariance = f(f(betaProdPrev / betaProd) * beta);
    const sigma = t > 0 ? f(Math.exp(f(0.5 * f(Math.log(Math.max(fixedVariance, 1e-20)))))) : 0;
    const learned = this.usesVariance && t > 0;
    const pv = opts.predictedVariance;
    if (learned && (!pv || pv.length !== sample.length)) throw new RangeError('the learned_range UnCLIP step needs the predicted variance of the sample size');
    const minLog = f(Math.log(fixedVariance));
    const maxLog = f(Math.log(beta));
    const noise = opts.noise;
    if (sigma > 0 && (!noise || noise.length !== sample.length)) throw new RangeError('the UnCLIP step needs noise of the sample size');
    const clip = this.config.clipSample;
    const sqrtA = f(Math.sqrt(a));
    const sqrt1mA = f(Math.sqrt(betaProd));
    const epsilon = this.config.prediction === 'epsilon';
    const prevSample = new Float32Array(sample.length);
    const predOriginal = new Float32Array(sample.length);
    for (let k = 0; k < sample.length; k++) {
      const x = sample[k]!;
      let x0 = epsilon ? f(f(x - f(sqrt1mA * modelOutput[k]!)) / sqrtA) : toX0Eps(this.config.prediction, modelOutput[k]!, x, sqrtA, sqrt1mA)[0];
      if (clip !== null) x0 = Math.min(clip, Math.max(-clip, x0));
      predOriginal[k] = x0;
      let xp = f(f(x0Coef * x0) + f(xCoef * x));
      if (learned) {
        const frac = f(f(pv![k]! + 1) / 2);
        const logVar = f(f(frac * maxLog) + f(f(1 - frac) * minLog));
        xp = f(xp + f(f(Math.exp(f(0.5 * logVar))) * noise![k]!));
      } else if (sigma > 0) xp = f(xp + f(sigma * noise![k]!));
      prevSample[k] = xp;
    }
    return { prevSample, predOriginal };
  }
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
