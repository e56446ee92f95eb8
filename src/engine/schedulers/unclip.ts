/**
 * diffusers' UnCLIPScheduler (Karlo's and Kandinsky's prior scheduler): DDPM posterior steps between
 * the timesteps round(i·(T−1)/(n−1)), n−1 … 0, with β recomputed for the skipped steps, the x0
 * estimate clipped to ±clip_sample, and the "fixed_small_log" variance σ = √(β̃) times fresh noise at
 * every step but the last (t = 0). The ᾱ and β tables are the pack's (never recomputed).
 */
import { toX0Eps } from './schedule.ts';
import type { Prediction, StepOptions, StepResult } from './types.ts';

export interface UnCLIPConfig {
  alphasCumprod: readonly number[];
  prediction: Prediction;
  /** |x0| is clipped to this (null: no clipping). */
  clipSample: number | null;
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
  private alphas(i: number): { t: number; a: number; aPrev: number; beta: number } {
    const t = this.timesteps[i]!;
    const prev = i + 1 < this.timesteps.length ? this.timesteps[i + 1]! : t - 1;
    const a = this.ac[t]!;
    const aPrev = prev >= 0 ? this.ac[prev]! : 1;
    // diffusers takes its float32 betas[t] when prev = t − 1; at t = 0 that differs from 1 − ᾱ_0 by 1e-3 relative.
    const beta = prev === t - 1 && this.config.betas ? this.config.betas[t]! : 1 - a / aPrev;
    return { t, a, aPrev, beta };
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, opts: StepOptions = {}): StepResult {
    const i = this.timesteps.indexOf(timestep);
    if (i < 0) throw new RangeError(`timestep ${timestep} is not one of this run's (${this.timesteps.join(', ')})`);
    if (modelOutput.length !== sample.length) throw new RangeError('model output and sample differ in size');
    const { t, a, aPrev, beta } = this.alphas(i);
    const alpha = 1 - beta;
    const x0Coef = (Math.sqrt(aPrev) * beta) / (1 - a);
    const xCoef = (Math.sqrt(alpha) * (1 - aPrev)) / (1 - a);
    const sigma = t > 0 ? Math.sqrt(Math.max((((1 - aPrev) / (1 - a)) * beta), 1e-20)) : 0;
    const noise = opts.noise;
    if (sigma > 0 && (!noise || noise.length !== sample.length)) throw new RangeError('the UnCLIP step needs noise of the sample size');
    const clip = this.config.clipSample;
    const sqrtA = Math.sqrt(a);
    const sqrt1mA = Math.sqrt(1 - a);
    const prevSample = new Float32Array(sample.length);
    const predOriginal = new Float32Array(sample.length);
    for (let k = 0; k < sample.length; k++) {
      let [x0] = toX0Eps(this.config.prediction, modelOutput[k]!, sample[k]!, sqrtA, sqrt1mA);
      if (clip !== null) x0 = Math.min(clip, Math.max(-clip, x0));
      predOriginal[k] = x0;
      let xp = x0Coef * x0 + xCoef * sample[k]!;
      if (sigma > 0) xp += sigma * noise![k]!;
      prevSample[k] = xp;
    }
    return { prevSample, predOriginal };
  }
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
