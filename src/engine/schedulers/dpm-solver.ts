/**
 * DPM-Solver++ (Lu et al. 2022, arXiv:2211.01095), multistep, order 2 ("2M"), midpoint form: the
 * algorithm of diffusers' DPMSolverMultistepScheduler with `algorithm_type="dpmsolver++"`,
 * `solver_order=2`, `solver_type="midpoint"`, `lower_order_final=True`, `final_sigmas_type="zero"`,
 * and the pack's "trailing" timesteps. It integrates the data (x0) prediction, so epsilon, v and x0
 * models all go through their x0: D = x0(model output).
 *
 * With λ = log(α/σ), h = λ_next − λ_now, one step is
 *   first order (DDIM):  x_next = (σ_next/σ_now)·x − α_next·(e^−h − 1)·D0
 *   second order:        x_next = (σ_next/σ_now)·x − α_next·(e^−h − 1)·(D0 + ½·D1),
 *                        D1 = (D0 − D_prev)·h / h_prev
 * The first step has no previous output (first order); the last step goes to σ = 0, where it is first
 * order and lands on D0 (diffusers: `final_sigmas_type="zero"` forces the lower order there). Outputs
 * equal diffusers' to 1e-5 on the same model outputs (test/engine/scheduler-parity.test.ts).
 *
 * Stateful across a run (it keeps the previous step's D): `setTimesteps` starts a new run, and `step`
 * must be called on the run's timesteps in order.
 */
import { MultistepScheduler } from './multistep.ts';
import { toX0Eps, type NoiseTables } from './schedule.ts';
import type { NoiseSchedule, Scheduler, StepOptions, StepResult } from './types.ts';

export class DPMSolverMultistepScheduler extends MultistepScheduler implements Scheduler {
  readonly name = 'dpmsolver++';
  protected readonly label = 'DPM-Solver++';
  /** The data prediction of the previous step (undefined on a run's first step). */
  private previous: Float32Array | undefined;

  constructor(
    schedule: NoiseSchedule | NoiseTables,
    /** 1 (= DDIM in DPM-Solver's form) or 2. */
    readonly solverOrder: 1 | 2 = 2,
  ) {
    super(schedule);
  }

  protected reset(): void {
    this.previous = undefined;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, opts: StepOptions = {}): StepResult {
    const i = this.takeStep(modelOutput, timestep, sample, opts);
    const tb = this.tables;
    const s0 = this.timesteps[i]!;
    const t = tb.nextIndex(this.timesteps, i);
    const last = i === this.timesteps.length - 1;
    const secondOrder = this.solverOrder === 2 && this.previous !== undefined && !last;

    // The data prediction D0 = x0 at this step (diffusers' convert_model_output).
    const prediction = tb.prediction;
    const aS0 = tb.alpha[s0]!;
    const sS0 = tb.sigma[s0]!;
    const d0 = new Float32Array(sample.length);
    for (let k = 0; k < sample.length; k++) d0[k] = toX0Eps(prediction, modelOutput[k]!, sample[k]!, aS0, sS0)[0];

    const h = tb.lambda[t]! - tb.lambda[s0]!;
    const ratio = tb.sigma[t]! / sS0; // 0 at the final step (σ = 0)
    const coef = -tb.alpha[t]! * Math.expm1(-h); // α_t·(1 − e^−h); α_t at σ = 0
    const prevSample = new Float32Array(sample.length);
    if (secondOrder) {
      const s1 = this.timesteps[i - 1]!;
      const r0 = (tb.lambda[s0]! - tb.lambda[s1]!) / h;
      const m1 = this.previous!;
      for (let k = 0; k < sample.length; k++) {
        const D0 = d0[k]!;
        const D1 = (D0 - m1[k]!) / r0;
        prevSample[k] = ratio * sample[k]! + coef * D0 + 0.5 * coef * D1;
      }
    } else {
      for (let k = 0; k < sample.length; k++) prevSample[k] = ratio * sample[k]! + coef * d0[k]!;
    }
    this.previous = d0;
    return { prevSample, predOriginal: d0 };
  }
}
