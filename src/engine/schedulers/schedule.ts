/**
 * What every scheduler shares: the pack's "trailing" timesteps, the noise schedule's per-timestep
 * tables (computed once, in float64, from the shipped ᾱ), and the conversion of a model output to
 * x0 and ε.
 */
import type { NoiseSchedule, Prediction } from './types.ts';

/**
 * "Trailing" timestep spacing of PACK.md: t_i = floor((i + 1)·T / n) − 1 for i = n−1 … 0.
 * Integer arithmetic only, so Python and JS agree exactly. The first timestep is always T−1.
 * (diffusers' `timestep_spacing="trailing"` rounds (i + 1)·T / n instead of flooring it: the same
 * timesteps whenever n divides T, e.g. 8, 10, 20, 25 of 1000; one apart at some steps otherwise.)
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

/** The schedule's values at each training timestep, and after the final step (index T). */
export class NoiseTables {
  readonly trainSteps: number;
  readonly prediction: Prediction;
  /** ᾱ_t for t = 0 … T−1, then the final ᾱ at index T. */
  readonly alphaCumprod: Float64Array;
  /** α_t = √ᾱ_t and σ_t = √(1 − ᾱ_t) (DPM-Solver's notation; DDIM's √ᾱ and √(1−ᾱ)). */
  readonly alpha: Float64Array;
  readonly sigma: Float64Array;
  /** λ_t = log(α_t / σ_t), the half log-SNR (+∞ where σ = 0). */
  readonly lambda: Float64Array;

  constructor(schedule: NoiseSchedule) {
    const ac = schedule.alphasCumprod;
    const T = ac.length;
    if (T < 1) throw new RangeError('the noise schedule is empty');
    this.trainSteps = T;
    this.prediction = schedule.prediction;
    this.alphaCumprod = new Float64Array(T + 1);
    this.alphaCumprod.set(ac);
    this.alphaCumprod[T] = schedule.finalAlphaCumprod ?? 1;
    this.alpha = this.alphaCumprod.map(Math.sqrt);
    this.sigma = this.alphaCumprod.map((a) => Math.sqrt(1 - a));
    this.lambda = this.alpha.map((a, i) => Math.log(a) - Math.log(this.sigma[i]!));
  }

  /** The index into the tables of the timestep after step `i` of `timesteps` (T after the last). */
  nextIndex(timesteps: readonly number[], i: number): number {
    return timesteps[i + 1] ?? this.trainSteps;
  }
}

/** Checks a step's arrays and returns the index of `timestep` in the run, for the schedulers' `step`. */
export function stepIndexOf(timesteps: readonly number[], timestep: number, modelOutput: Float32Array, sample: Float32Array): number {
  if (timesteps.length === 0) throw new RangeError('setTimesteps(n) must be called before step()');
  if (modelOutput.length !== sample.length) throw new RangeError('model output and sample differ in size');
  const i = timesteps.indexOf(timestep);
  if (i < 0) throw new RangeError(`timestep ${timestep} is not one of this run's (${timesteps.join(', ')})`);
  return i;
}
