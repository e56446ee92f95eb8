/**
 * What the deterministic multistep solvers (DPM-Solver++, UniPC) share: the noise tables, the run's
 * trailing timesteps, and the rule that a run's steps come in order with η = 0. Each solver keeps its
 * own history of model outputs, cleared by `reset` when `setTimesteps` starts a new run.
 */
import { NoiseTables, stepIndexOf, trailingTimesteps } from './schedule.ts';
import type { NoiseSchedule, StepOptions } from './types.ts';

export abstract class MultistepScheduler {
  readonly initNoiseSigma = 1;
  timesteps: readonly number[] = [];
  protected readonly tables: NoiseTables;
  /** The run's index of the step expected next. */
  #next = 0;

  constructor(schedule: NoiseSchedule | NoiseTables) {
    this.tables = schedule instanceof NoiseTables ? schedule : new NoiseTables(schedule);
  }

  /** The solver's name in its error messages. */
  protected abstract readonly label: string;
  /** Forgets the previous run's history. */
  protected abstract reset(): void;

  setTimesteps(steps: number): void {
    this.timesteps = trailingTimesteps(this.tables.trainSteps, steps);
    this.reset();
    this.#next = 0;
  }

  needsNoise(): boolean {
    return false;
  }

  /** The run's index of `timestep`, refused unless it is the step expected next and η is 0; the step after it is expected next. */
  protected takeStep(modelOutput: Float32Array, timestep: number, sample: Float32Array, opts: StepOptions): number {
    const i = stepIndexOf(this.timesteps, timestep, modelOutput, sample);
    if (i !== this.#next) throw new RangeError(`${this.label} steps must follow the run's timesteps in order: expected timestep ${this.timesteps[this.#next]}, got ${timestep}`);
    if ((opts.eta ?? 0) !== 0) throw new RangeError(`${this.label} is deterministic: eta must be 0 (η applies to DDIM)`);
    this.#next = i + 1;
    return i;
  }
}
