/**
 * The scheduler interface, in diffusers' shape: a scheduler is built once from a diffusion model's
 * noise schedule (pack.json), `setTimesteps(n)` chooses the n timesteps of one sampling run, and
 * `step(modelOutput, t, sample, { eta, noise })` goes from the sample at timestep t to the next one.
 * Classifier-free guidance is not the scheduler's business: the sampling loop (sampler.ts) applies it
 * to the model output before calling `step`.
 */

/** What a diffusion model predicts (pack.json `prediction`). */
export type Prediction = 'epsilon' | 'v' | 'x0';

/** The schedulers the engine has, by the names pack.json, the CLI and requests use. */
export const SCHEDULER_NAMES = ['ddim', 'dpmsolver++', 'unipc'] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

export interface NoiseSchedule {
  /** ᾱ_t for t = 0 … T-1, as shipped in pack.json (never recomputed). */
  alphasCumprod: readonly number[];
  prediction: Prediction;
  /** ᾱ after the final step (PACK.md: 1.0). */
  finalAlphaCumprod?: number;
}

export interface StepOptions {
  /** DDIM's η (0 = deterministic). Schedulers without a stochastic variant refuse η > 0. */
  eta?: number;
  /** Fresh standard-normal z of the sample's size, for a stochastic step (`needsNoise`). */
  noise?: Float32Array;
}

export interface StepResult {
  /** x at the next (less noisy) timestep. */
  prevSample: Float32Array;
  /** The current estimate of the clean sample (used for previews). */
  predOriginal: Float32Array;
}

export interface Scheduler {
  readonly name: SchedulerName;
  /** The timesteps of the run set by `setTimesteps`, from noisy to clean. */
  readonly timesteps: readonly number[];
  /** Multiplies the initial standard-normal noise (1 for the variance-preserving schedules of PACK.md). */
  readonly initNoiseSigma: number;
  /** Chooses the timesteps of a run of `steps` steps and forgets any previous run's state. */
  setTimesteps(steps: number): void;
  /** Whether the step at `stepIndex` adds noise with this η (the sampler draws it only then). */
  needsNoise(stepIndex: number, eta: number): boolean;
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, opts?: StepOptions): StepResult;
}
