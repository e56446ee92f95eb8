/** What a diffusion model predicts (pack.json `prediction`). */
export type Prediction = 'epsilon' | 'v' | 'x0';

export interface NoiseSchedule {
  /** ᾱ_t for t = 0 … T-1, as shipped in pack.json (never recomputed). */
  alphasCumprod: readonly number[];
  prediction: Prediction;
  /** ᾱ after the final step (PACK.md: 1.0). */
  finalAlphaCumprod?: number;
}

export interface StepResult {
  /** x at the next (less noisy) timestep. */
  prevSample: Float32Array;
  /** The current estimate of the clean sample (used for previews). */
  predOriginal: Float32Array;
}

/**
 * A sampler: `timesteps` to visit (from noisy to clean), and `step` from one to the next.
 * `noise` is the fresh standard-normal z for stochastic samplers (η > 0); it may be omitted when η = 0.
 */
export interface Scheduler {
  readonly timesteps: readonly number[];
  readonly needsNoise: boolean;
  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, noise?: Float32Array): StepResult;
}
