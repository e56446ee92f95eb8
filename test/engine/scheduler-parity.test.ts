/**
 * The engine's schedulers against diffusers' (DDIMScheduler, DPMSolverMultistepScheduler,
 * UniPCMultistepScheduler), on the same
 * model outputs: test/fixtures/schedulers/diffusers.json, written by make_fixtures.py next to it with
 * diffusers (configurations, schedules and the toy model are described there). Each case runs our
 * scheduler along its own trajectory from the same initial sample, fed diffusers' model outputs, and
 * every step's sample must equal diffusers' to 1e-5.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Schedulers } from '../../src/engine/schedulers/index.ts';
import { trailingTimesteps } from '../../src/engine/schedulers/schedule.ts';
import type { Prediction, SchedulerName } from '../../src/engine/schedulers/types.ts';

interface Case {
  scheduler: SchedulerName;
  schedule: string;
  prediction: Prediction;
  steps: number;
  eta: number;
  diffusers_timesteps: number[];
  timesteps: number[];
  sample: number[];
  model_outputs: number[][];
  noises: (number[] | null)[];
  prev_samples: number[][];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/schedulers/diffusers.json', import.meta.url), 'utf8')) as {
  generated_by: string;
  schedules: Record<string, number[]>;
  cases: Case[];
};

const TOLERANCE = 1e-5;
const name = (c: Case) => `${c.scheduler}, ${c.prediction} on ${c.schedule}, ${c.steps} steps${c.eta ? `, η ${c.eta}` : ''}`;

function maxError(c: Case): number {
  const schedulers = new Schedulers({ alphasCumprod: fixture.schedules[c.schedule]!, prediction: c.prediction, finalAlphaCumprod: 1 });
  const s = schedulers.get(c.scheduler);
  s.setTimesteps(c.steps);
  expect(s.timesteps).toEqual(c.timesteps);
  let x: Float32Array = Float32Array.from(c.sample);
  let worst = 0;
  c.timesteps.forEach((t, i) => {
    const noise = c.noises[i];
    const { prevSample } = s.step(Float32Array.from(c.model_outputs[i]!), t, x, {
      eta: c.eta,
      ...(noise && s.needsNoise(i, c.eta) ? { noise: Float32Array.from(noise) } : {}),
    });
    const want = c.prev_samples[i]!;
    for (let k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(prevSample[k]! - want[k]!));
    x = prevSample;
  });
  return worst;
}

describe(`schedulers = diffusers (${fixture.generated_by})`, () => {
  it('has cases for DDIM, DPM-Solver++ and UniPC over epsilon, v and x0 predictions', () => {
    for (const sched of ['ddim', 'dpmsolver++', 'unipc']) {
      for (const pred of ['epsilon', 'v', 'x0']) expect(fixture.cases.some((c) => c.scheduler === sched && c.prediction === pred), `${sched} ${pred}`).toBe(true);
    }
  });

  for (const c of fixture.cases) {
    it(`${name(c)}: every step within ${TOLERANCE}`, () => {
      const err = maxError(c);
      expect(err, name(c)).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  it("uses diffusers' own trailing timesteps wherever n divides T, and PACK.md's floor otherwise", () => {
    for (const c of fixture.cases) {
      expect(c.timesteps).toEqual(trailingTimesteps(1000, c.steps));
      if (1000 % c.steps === 0) expect(c.diffusers_timesteps, name(c)).toEqual(c.timesteps);
    }
    // e.g. 15 steps: diffusers rounds 866.67 to 867 (→ 866), PACK.md floors it to 866 (→ 865).
    expect(fixture.cases.some((c) => 1000 % c.steps !== 0 && c.diffusers_timesteps.join() !== c.timesteps.join())).toBe(true);
  });

  for (const name of ['dpmsolver++', 'unipc'] as const) {
    it(`refuses steps out of order, η > 0 for ${name}, and a step before setTimesteps`, () => {
      const schedulers = new Schedulers({ alphasCumprod: fixture.schedules['cosine']!, prediction: 'v' });
      const s = schedulers.get(name);
      const x = new Float32Array(4);
      expect(() => s.step(x, 999, x)).toThrow(/setTimesteps/);
      s.setTimesteps(10);
      expect(() => s.step(x, s.timesteps[1]!, x)).toThrow(/in order/);
      expect(() => s.step(x, 999, x, { eta: 0.5 })).toThrow(/eta/);
      expect(() => s.step(x, 998, x)).toThrow(/not one of/);
    });
  }

  it('a new run (setTimesteps) forgets the previous one: the same outputs twice give the same samples', () => {
    const c = fixture.cases.find((k) => k.scheduler === 'unipc' && k.steps === 8)!;
    const s = new Schedulers({ alphasCumprod: fixture.schedules[c.schedule]!, prediction: c.prediction }).get('unipc');
    const run = () => {
      s.setTimesteps(c.steps);
      let x: Float32Array = Float32Array.from(c.sample);
      c.timesteps.forEach((t, i) => (x = s.step(Float32Array.from(c.model_outputs[i]!), t, x).prevSample));
      return x;
    };
    const first = run();
    expect(run()).toEqual(first);
  });

  it("UniPC's corrector changes the trajectory: it is not DPM-Solver++(2M), whose predictor it shares", () => {
    const c = fixture.cases.find((k) => k.scheduler === 'unipc' && k.steps === 10 && k.prediction === 'v')!;
    const sch = new Schedulers({ alphasCumprod: fixture.schedules[c.schedule]!, prediction: c.prediction });
    const [uni, dpm] = [sch.get('unipc'), sch.get('dpmsolver++')];
    uni.setTimesteps(c.steps);
    dpm.setTimesteps(c.steps);
    const x = Float32Array.from(c.sample);
    let diff = 0;
    c.timesteps.forEach((t, i) => {
      // the same x and model output at every step: both are DDIM on step 0; from step 1 on, UniPC first
      // corrects x with the new model output
      const out = Float32Array.from(c.model_outputs[i]!);
      const a = uni.step(out, t, x).prevSample;
      const b = dpm.step(out, t, x).prevSample;
      if (i === 0) expect(a).toEqual(b);
      else diff = Math.max(diff, ...a.map((v, k) => Math.abs(v - b[k]!)));
    });
    expect(diff).toBeGreaterThan(1e-3);
  });
});

// Printed for the report: the largest error per scheduler and prediction.
describe('summary', () => {
  it('prints the largest error per scheduler and prediction', () => {
    const worst = new Map<string, number>();
    for (const c of fixture.cases) {
      const k = `${c.scheduler} ${c.prediction}`;
      worst.set(k, Math.max(worst.get(k) ?? 0, maxError(c)));
    }
    console.log([...worst].map(([k, v]) => `${k}: ${v.toExponential(2)}`).join('; '));
    expect(worst.size).toBe(9);
  });
});
