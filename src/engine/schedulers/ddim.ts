/**
 * DDIM (Song et al. 2020) with η, exactly as written in docs/PACK.md; the same outputs as diffusers'
 * DDIMScheduler (`set_alpha_to_one`, no clipping, "trailing" spacing) wherever their timesteps agree
 * (test/engine/scheduler-parity.test.ts).
 */
import { NoiseTables, stepIndexOf, toX0Eps, trailingTimesteps } from './schedule.ts';
import type { NoiseSchedule, Scheduler, StepOptions, StepResult } from './types.ts';

export class DDIMScheduler implements Scheduler {
  readonly name = 'ddim';
  readonly initNoiseSigma = 1;
  timesteps: readonly number[] = [];
  private readonly tables: NoiseTables;

  constructor(schedule: NoiseSchedule | NoiseTables) {
    this.tables = schedule instanceof NoiseTables ? schedule : new NoiseTables(schedule);
  }

  setTimesteps(steps: number): void {
    this.timesteps = trailingTimesteps(this.tables.trainSteps, steps);
  }

  /** ᾱ at step `stepIndex` and at the timestep after it. */
  alphaAt(stepIndex: number): { a: number; aPrev: number } {
    const t = this.timesteps[stepIndex];
    if (t === undefined) throw new RangeError(`step index ${stepIndex} out of range`);
    const ac = this.tables.alphaCumprod;
    return { a: ac[t]!, aPrev: ac[this.tables.nextIndex(this.timesteps, stepIndex)]! };
  }

  /** σ of the step: η·√((1−ᾱ_prev)/(1−ᾱ))·√(1−ᾱ/ᾱ_prev). */
  private sigma(stepIndex: number, eta: number): number {
    if (!(eta > 0)) return 0;
    const { a, aPrev } = this.alphaAt(stepIndex);
    return eta * Math.sqrt((1 - aPrev) / (1 - a)) * Math.sqrt(Math.max(0, 1 - a / aPrev));
  }

  needsNoise(stepIndex: number, eta: number): boolean {
    return this.sigma(stepIndex, eta) > 0;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, opts: StepOptions = {}): StepResult {
    const i = stepIndexOf(this.timesteps, timestep, modelOutput, sample);
    const eta = opts.eta ?? 0;
    if (!(eta >= 0)) throw new RangeError(`eta must be ≥ 0, got ${eta}`);
    const { a, aPrev } = this.alphaAt(i);
    const sqrtA = Math.sqrt(a);
    const sqrt1mA = Math.sqrt(1 - a);
    const sigma = this.sigma(i, eta);
    const noise = opts.noise;
    if (sigma > 0 && (!noise || noise.length !== sample.length)) throw new RangeError('DDIM with eta > 0 needs noise of the sample size');
    const sqrtAPrev = Math.sqrt(aPrev);
    const dirCoef = Math.sqrt(Math.max(0, 1 - aPrev - sigma * sigma));
    const prediction = this.tables.prediction;
    const prevSample = new Float32Array(sample.length);
    const predOriginal = new Float32Array(sample.length);
    for (let k = 0; k < sample.length; k++) {
      const [x0, eps] = toX0Eps(prediction, modelOutput[k]!, sample[k]!, sqrtA, sqrt1mA);
      predOriginal[k] = x0;
      let xp = sqrtAPrev * x0 + dirCoef * eps;
      if (sigma > 0) xp += sigma * noise![k]!;
      prevSample[k] = xp;
    }
    return { prevSample, predOriginal };
  }
}
