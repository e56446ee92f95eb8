/**
 * UniPC (Zhao et al. 2023, arXiv:2302.04867), multistep, order 2, on the data prediction: the
 * algorithm of diffusers' UniPCMultistepScheduler with its defaults `solver_order=2`, `solver_type="bh2"`,
 * `predict_x0=True`, `lower_order_final=True`, `disable_corrector=[]`, `final_sigmas_type="zero"`, and
 * the pack's "trailing" timesteps. Epsilon, v and x0 models all go through their x0: D = x0(model output).
 *
 * With α = √ᾱ, σ = √(1 − ᾱ), λ = log(α/σ), h = λ_next − λ_now and B(h) = e^−h − 1 ("bh2"):
 *   predictor (UniP), order 1 = DDIM:  x_next = (σ_next/σ_now)·x − α_next·B(h)·D
 *   predictor, order 2:                x_next = (σ_next/σ_now)·x − α_next·B(h)·(D + ½·D1),
 *                                      D1 = (D − D_prev)·h / (λ_now − λ_prev)  (= DPM-Solver++(2M))
 *   corrector (UniC), at the next step, once the model has seen x_next: x_next is recomputed from the
 *   same x with the new model output D_next as well,
 *                                      x_next = (σ_next/σ_now)·x − α_next·B(h)·(D + ρ_p·D1 + ρ_c·(D_next − D))
 *   where order 1 has ρ_c = ½ (no D1 term) and order 2 solves [[1, 1], [r, 1]]·(ρ_p, ρ_c) = (b1, b2),
 *   r = (λ_prev − λ_now)/h, b1 = (φ1(−h)/(−h) − 1)/B(h), b2 = 2·((φ1(−h)/(−h) − 1)/(−h) − ½)/B(h),
 *   φ1(−h) = e^−h − 1.
 * The corrector runs with the order the predictor had at that step; the predictor's order is
 * min(2, steps done + 1, steps left): first order on the first step and on the last, which goes to σ = 0
 * and lands on D. The model is evaluated at the predicted (uncorrected) sample, as in diffusers; the
 * corrected one is what the next predictor starts from. Outputs equal diffusers' to 1e-5 on the same
 * model outputs (test/engine/scheduler-parity.test.ts).
 *
 * Stateful across a run (the last two D, the last corrected sample): `setTimesteps` starts a new run, and
 * `step` must be called on the run's timesteps in order.
 */
import { MultistepScheduler } from './multistep.ts';
import { toX0Eps, type NoiseTables } from './schedule.ts';
import type { NoiseSchedule, Scheduler, StepOptions, StepResult } from './types.ts';

interface History {
  /** The data predictions of the previous step and of the one before (undefined after one step). */
  d1: Float32Array;
  d2: Float32Array | undefined;
  /** The sample the previous predictor started from (after its correction). */
  x: Float32Array;
  /** The previous predictor's order: the corrector's. */
  order: 1 | 2;
}

export class UniPCMultistepScheduler extends MultistepScheduler implements Scheduler {
  readonly name = 'unipc';
  protected readonly label = 'UniPC';
  private history: History | undefined;

  constructor(schedule: NoiseSchedule | NoiseTables) {
    super(schedule);
  }

  protected reset(): void {
    this.history = undefined;
  }

  /** The tables' index of step `i` of the run (T after the last step). */
  private indexAt(i: number): number {
    return i < this.timesteps.length ? this.timesteps[i]! : this.tables.trainSteps;
  }

  private lambdaAt(i: number): number {
    return this.tables.lambda[this.indexAt(i)]!;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, opts: StepOptions = {}): StepResult {
    const i = this.takeStep(modelOutput, timestep, sample, opts);
    const tb = this.tables;
    const s0 = this.timesteps[i]!;
    const d0 = new Float32Array(sample.length);
    for (let k = 0; k < sample.length; k++) d0[k] = toX0Eps(tb.prediction, modelOutput[k]!, sample[k]!, tb.alpha[s0]!, tb.sigma[s0]!)[0];

    const prev = this.history;
    const x = prev ? this.correct(i, prev, d0, sample) : sample;
    const order = Math.min(2, i + 1, this.timesteps.length - i) as 1 | 2;
    const prevSample = this.predict(i, order, x, d0, prev?.d1);
    this.history = { d1: d0, d2: prev?.d1, x, order };
    return { prevSample, predOriginal: d0 };
  }

  /** UniP from step i to i + 1: x_next from x and D (and the previous D at order 2). */
  private predict(i: number, order: 1 | 2, x: Float32Array, d0: Float32Array, dPrev: Float32Array | undefined): Float32Array {
    const tb = this.tables;
    const t = this.indexAt(i + 1);
    const s0 = this.timesteps[i]!;
    const h = this.lambdaAt(i + 1) - this.lambdaAt(i);
    const ratio = tb.sigma[t]! / tb.sigma[s0]!; // 0 at the final step (σ = 0)
    const aB = tb.alpha[t]! * Math.expm1(-h); // α_next·B(h); −α_next at σ = 0
    const out = new Float32Array(x.length);
    if (order === 2) {
      const r = (this.lambdaAt(i - 1) - this.lambdaAt(i)) / h;
      for (let k = 0; k < x.length; k++) {
        const D1 = (dPrev![k]! - d0[k]!) / r;
        out[k] = ratio * x[k]! - aB * d0[k]! - aB * 0.5 * D1;
      }
    } else {
      for (let k = 0; k < x.length; k++) out[k] = ratio * x[k]! - aB * d0[k]!;
    }
    return out;
  }

  /** UniC at step i: the step i − 1 → i again, from the same x, with the model output at i (D_next) too. */
  private correct(i: number, prev: History, dNext: Float32Array, sample: Float32Array): Float32Array {
    const tb = this.tables;
    const t = this.timesteps[i]!;
    const s0 = this.timesteps[i - 1]!;
    const lambdaS0 = this.lambdaAt(i - 1);
    const h = this.lambdaAt(i) - lambdaS0;
    const hh = -h;
    const phi1 = Math.expm1(hh);
    const bh = phi1; // bh2
    const ratio = tb.sigma[t]! / tb.sigma[s0]!;
    const a = tb.alpha[t]!;
    const m0 = prev.d1;
    const x = prev.x;
    const out = new Float32Array(sample.length);
    if (prev.order === 2) {
      const r = (this.lambdaAt(i - 2) - lambdaS0) / h;
      const hPhi1 = phi1 / hh - 1;
      const b1 = hPhi1 / bh;
      const b2 = (2 * (hPhi1 / hh - 0.5)) / bh;
      // [[1, 1], [r, 1]]·(ρp, ρc) = (b1, b2)
      const rhoP = (b1 - b2) / (1 - r);
      const rhoC = b1 - rhoP;
      const m1 = prev.d2!;
      for (let k = 0; k < sample.length; k++) {
        const D1 = (m1[k]! - m0[k]!) / r;
        out[k] = ratio * x[k]! - a * phi1 * m0[k]! - a * bh * (rhoP * D1 + rhoC * (dNext[k]! - m0[k]!));
      }
    } else {
      for (let k = 0; k < sample.length; k++) out[k] = ratio * x[k]! - a * phi1 * m0[k]! - a * bh * 0.5 * (dNext[k]! - m0[k]!);
    }
    return out;
  }
}
