import type { NoiseSchedule, Prediction, Scheduler, StepResult } from './types.ts';

/**
 * "Trailing" timestep spacing of PACK.md: t_i = floor((i + 1)·T / n) − 1 for i = n−1 … 0.
 * Integer arithmetic only, so Python and JS agree exactly. The first timestep is always T−1.
 */
export function trailingTimesteps(trainSteps: number, steps: number): number[] {
  if (!Number.isInteger(trainSteps) || trainSteps < 1) throw new RangeError(`train steps must be a positive integer, got ${trainSteps}`);
  if (!Number.isInteger(steps) || steps < 1 || steps > trainSteps) {
    throw new RangeError(`steps must be an integer in [1, ${trainSteps}], got ${steps}`);
  }
  const out: number[] = [];
  for (let i = steps - 1; i >= 0; i--) out.push(Math.floor(((i + 1) * trainSteps) / steps) - 1);
  return out;
}

/** x0 and ε from a model output at ᾱ (float64 scalars; per-element values computed in float64). */
export function toX0Eps(
  prediction: Prediction,
  out: number,
  x: number,
  sqrtA: number,
  sqrt1mA: number,
): [x0: number, eps: number] {
  switch (prediction) {
    case 'epsilon':
      return [(x - sqrt1mA * out) / sqrtA, out];
    case 'v':
      return [sqrtA * x - sqrt1mA * out, sqrt1mA * x + sqrtA * out];
    case 'x0':
      return [out, (x - sqrtA * out) / sqrt1mA];
  }
}

/** DDIM (Song et al. 2020) with η, exactly as written in docs/PACK.md. */
export class DDIMScheduler implements Scheduler {
  readonly timesteps: readonly number[];
  readonly needsNoise: boolean;
  private readonly schedule: NoiseSchedule;

  constructor(schedule: NoiseSchedule, steps: number, readonly eta = 0) {
    if (!(eta >= 0)) throw new RangeError(`eta must be ≥ 0, got ${eta}`);
    this.schedule = schedule;
    this.timesteps = trailingTimesteps(schedule.alphasCumprod.length, steps);
    this.needsNoise = eta > 0;
  }

  alphaAt(stepIndex: number): { a: number; aPrev: number } {
    const ac = this.schedule.alphasCumprod;
    const t = this.timesteps[stepIndex];
    if (t === undefined) throw new RangeError(`step index ${stepIndex} out of range`);
    const next = this.timesteps[stepIndex + 1];
    return { a: ac[t]!, aPrev: next === undefined ? (this.schedule.finalAlphaCumprod ?? 1) : ac[next]! };
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, noise?: Float32Array): StepResult {
    if (modelOutput.length !== sample.length) throw new RangeError('model output and sample differ in size');
    const { a, aPrev } = this.alphaAt(stepIndex);
    const sqrtA = Math.sqrt(a);
    const sqrt1mA = Math.sqrt(1 - a);
    const sigma = this.eta > 0 ? this.eta * Math.sqrt((1 - aPrev) / (1 - a)) * Math.sqrt(Math.max(0, 1 - a / aPrev)) : 0;
    if (sigma > 0 && (!noise || noise.length !== sample.length)) throw new RangeError('DDIM with eta > 0 needs noise of the sample size');
    const sqrtAPrev = Math.sqrt(aPrev);
    const dirCoef = Math.sqrt(Math.max(0, 1 - aPrev - sigma * sigma));
    const prediction = this.schedule.prediction;
    const prevSample = new Float32Array(sample.length);
    const predOriginal = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const [x0, eps] = toX0Eps(prediction, modelOutput[i]!, sample[i]!, sqrtA, sqrt1mA);
      predOriginal[i] = x0;
      let xp = sqrtAPrev * x0 + dirCoef * eps;
      if (sigma > 0) xp += sigma * noise![i]!;
      prevSample[i] = xp;
    }
    return { prevSample, predOriginal };
  }
}

/**
 * Classifier-free guidance on a [uncond…, cond…] batch output: out = u + g·(c − u).
 * Returns the B guided rows (the first half's size).
 */
export function applyGuidance(output: Float32Array, guidance: number): Float32Array {
  const half = output.length / 2;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const u = output[i]!;
    out[i] = u + guidance * (output[half + i]! - u);
  }
  return out;
}
