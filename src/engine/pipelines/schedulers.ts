/**
 * The scheduler a format-2 model's pack configuration asks for: diffusers' UnCLIPScheduler, or DDIM
 * with the pack's timestep spacing ("leading" + steps_offset, diffusers' default; or "trailing"); a
 * request may choose DPM-Solver++ or UniPC for the decoder instead (their own "trailing" timesteps).
 */
import { DDIMScheduler } from '../schedulers/ddim.ts';
import { DPMSolverMultistepScheduler } from '../schedulers/dpm-solver.ts';
import { UniPCMultistepScheduler } from '../schedulers/unipc.ts';
import { NoiseTables, trailingTimesteps } from '../schedulers/schedule.ts';
import type { SchedulerName, StepOptions, StepResult } from '../schedulers/types.ts';
import { UnCLIPScheduler, type UnCLIPStepOptions } from '../schedulers/unclip.ts';
import type { SchedulerConfigV2 } from './pack-v2.ts';

/** What the denoising loop needs of a scheduler (the engine's Scheduler, whatever its name). */
export interface DenoiseScheduler {
  readonly name: string;
  readonly timesteps: readonly number[];
  readonly initNoiseSigma: number;
  setTimesteps(steps: number): void;
  needsNoise(stepIndex: number, eta: number): boolean;
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, opts?: StepOptions & UnCLIPStepOptions): StepResult;
  /** Steps take the model's variance channels (UnCLIP "learned_range"). */
  readonly usesVariance?: boolean;
}

/** diffusers' "leading" spacing: (i · ⌊T/n⌋) + offset for i = n−1 … 0. */
export function leadingTimesteps(trainSteps: number, steps: number, offset: number): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > trainSteps) throw new RangeError(`steps must be an integer in [1, ${trainSteps}], got ${steps}`);
  const ratio = Math.floor(trainSteps / steps);
  const out: number[] = [];
  for (let i = steps - 1; i >= 0; i--) out.push(i * ratio + offset);
  if (out[0]! >= trainSteps) throw new RangeError(`steps_offset ${offset} puts the first timestep past ${trainSteps - 1}`);
  return out;
}

class SpacedDDIM extends DDIMScheduler {
  constructor(
    private readonly trainSteps: number,
    tables: NoiseTables,
    private readonly spacing: 'leading' | 'trailing',
    private readonly offset: number,
  ) {
    super(tables);
  }
  override setTimesteps(steps: number): void {
    // diffusers steps from t to t − ⌊T/n⌋: the run's next timestep in both spacings (when n divides T for "trailing").
    const T = this.trainSteps;
    this.timesteps = this.spacing === 'leading' ? leadingTimesteps(T, steps, this.offset) : trailingTimesteps(T, steps);
  }
}

/** Builds a fresh scheduler (per sampling run) from a model's pack configuration. */
export function schedulerFor(config: SchedulerConfigV2, override?: SchedulerName): DenoiseScheduler {
  if (config.type === 'unclip') {
    return new UnCLIPScheduler({
      alphasCumprod: config.alphasCumprod,
      prediction: config.prediction,
      clipSample: config.clipSample,
      variance: config.variance,
      ...(config.betas ? { betas: config.betas } : {}),
    });
  }
  const tables = new NoiseTables({ alphasCumprod: config.alphasCumprod, prediction: config.prediction, finalAlphaCumprod: config.finalAlphaCumprod });
  if (override === 'dpmsolver++') return new DPMSolverMultistepScheduler(tables);
  if (override === 'unipc') return new UniPCMultistepScheduler(tables);
  return new SpacedDDIM(config.trainSteps, tables, config.timestepSpacing, config.stepsOffset);
}
