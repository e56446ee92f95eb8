/**
 * The schedulers by name. A diffusion model's `Schedulers` is built once from its pack.json schedule
 * (the float64 tables of ᾱ, α, σ, λ); `get(name)` hands out a fresh scheduler over those tables for
 * one sampling run (multistep schedulers keep per-run state, and requests may overlap).
 */
import { DDIMScheduler } from './ddim.ts';
import { DPMSolverMultistepScheduler } from './dpm-solver.ts';
import { UserInputError } from '../errors.ts';
import { NoiseTables } from './schedule.ts';
import { SCHEDULER_NAMES, type NoiseSchedule, type Scheduler, type SchedulerName } from './types.ts';

export { SCHEDULER_NAMES, type Scheduler, type SchedulerName } from './types.ts';
export { DDIMScheduler } from './ddim.ts';
export { DPMSolverMultistepScheduler } from './dpm-solver.ts';

export function isSchedulerName(v: unknown): v is SchedulerName {
  return typeof v === 'string' && (SCHEDULER_NAMES as readonly string[]).includes(v);
}

export class Schedulers {
  private readonly tables: NoiseTables;

  constructor(schedule: NoiseSchedule) {
    this.tables = new NoiseTables(schedule);
  }

  get(name: SchedulerName): Scheduler {
    switch (name) {
      case 'ddim':
        return new DDIMScheduler(this.tables);
      case 'dpmsolver++':
        return new DPMSolverMultistepScheduler(this.tables);
    }
  }
}

/**
 * Steps for a scheduler when a request gives none: the pack's `scheduler_steps[name]`, else its
 * `default_steps` for its default scheduler, else the engine's measured default for that scheduler.
 */
export const ENGINE_DEFAULT_STEPS: Readonly<Record<SchedulerName, number>> = { ddim: 25, 'dpmsolver++': 10 };

export function defaultStepsFor(
  config: { defaultScheduler: SchedulerName; defaultSteps: number; schedulerSteps: Partial<Record<SchedulerName, number>> },
  name: SchedulerName,
): number {
  return config.schedulerSteps[name] ?? (name === config.defaultScheduler ? config.defaultSteps : ENGINE_DEFAULT_STEPS[name]);
}

/** A request's scheduler name, checked (UserInputError names the choices). */
export function validateScheduler(v: unknown): SchedulerName {
  if (isSchedulerName(v)) return v;
  throw new UserInputError(`Unknown scheduler ${JSON.stringify(v)}: choose ${SCHEDULER_NAMES.map((n) => `"${n}"`).join(' or ')}.`);
}
