/**
 * The schedulers by name. A diffusion model's `Schedulers` is built once from its pack.json schedule
 * (the float64 tables of ᾱ, α, σ, λ); `get(name)` hands out a fresh scheduler over those tables for
 * one sampling run (multistep schedulers keep per-run state, and requests may overlap).
 */
import { DDIMScheduler } from './ddim.ts';
import { DPMSolverMultistepScheduler } from './dpm-solver.ts';
import { UniPCMultistepScheduler } from './unipc.ts';
import { UserInputError } from '../errors.ts';
import { NoiseTables } from './schedule.ts';
import { SCHEDULER_NAMES, type NoiseSchedule, type Scheduler, type SchedulerName } from './types.ts';

export { SCHEDULER_NAMES, type Scheduler, type SchedulerName } from './types.ts';
export { DDIMScheduler } from './ddim.ts';
export { DPMSolverMultistepScheduler } from './dpm-solver.ts';
export { UniPCMultistepScheduler } from './unipc.ts';

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
      case 'unipc':
        return new UniPCMultistepScheduler(this.tables);
    }
  }
}

/**
 * Steps for a scheduler when a request gives none: the pack's `scheduler_steps[name]`, else its
 * `default_steps` for its default scheduler, else the engine's default for that scheduler: the fewest
 * steps with every figure of `npm run bench:quality` on shapes-v1 within 2 points of DDIM 25 (two seeds
 * pooled: DPM-Solver++ 10, the closest −1.85; UniPC 7, the closest −1.1; README's benchmarks).
 */
export const ENGINE_DEFAULT_STEPS: Readonly<Record<SchedulerName, number>> = { ddim: 25, 'dpmsolver++': 10, unipc: 7 };

export function defaultStepsFor(
  config: { defaultScheduler: SchedulerName; defaultSteps: number; schedulerSteps: Partial<Record<SchedulerName, number>> },
  name: SchedulerName,
): number {
  return config.schedulerSteps[name] ?? (name === config.defaultScheduler ? config.defaultSteps : ENGINE_DEFAULT_STEPS[name]);
}

/** A request's scheduler name, checked (UserInputError names the choices). */
export function validateScheduler(v: unknown): SchedulerName {
  if (isSchedulerName(v)) return v;
  const quoted = SCHEDULER_NAMES.map((n) => `"${n}"`);
  throw new UserInputError(`Unknown scheduler ${JSON.stringify(v)}: choose ${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}.`);
}
