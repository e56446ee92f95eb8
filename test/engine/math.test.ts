import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.ts';
import { applyGuidance } from '../../src/engine/sampler.ts';
import { DDIMScheduler } from '../../src/engine/schedulers/ddim.ts';
import { toX0Eps, trailingTimesteps } from '../../src/engine/schedulers/schedule.ts';
import { l2normalize, slerp, softmax, dot } from '../../src/engine/vectors.ts';

describe('Rng', () => {
  it('reproduces the same sequence for the same seed and stream, and differs otherwise', () => {
    const a = new Rng(42).fillNormal(new Float32Array(64));
    const b = new Rng(42).fillNormal(new Float32Array(64));
    expect(Buffer.from(a.buffer)).toEqual(Buffer.from(b.buffer));
    const c = new Rng(43).fillNormal(new Float32Array(64));
    const d = new Rng(42, 1).fillNormal(new Float32Array(64));
    expect(Array.from(c)).not.toEqual(Array.from(a));
    expect(Array.from(d)).not.toEqual(Array.from(a));
  });

  it('draws standard normal samples', () => {
    const x = new Rng(7).fillNormal(new Float32Array(200_000));
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(x.filter((v) => Math.abs(v) > 1.96).length / x.length).toBeCloseTo(0.05, 2);
  });

  it('rejects seeds outside [0, 2^32)', () => {
    expect(() => new Rng(-1)).toThrow(RangeError);
    expect(() => new Rng(2 ** 32)).toThrow(RangeError);
    expect(() => new Rng(1.5)).toThrow(RangeError);
  });
});

describe('trailing timesteps (PACK.md)', () => {
  it('follows t_i = floor((i+1)·T/n) − 1 for i = n−1 … 0', () => {
    expect(trailingTimesteps(1000, 4)).toEqual([999, 749, 499, 249]);
    expect(trailingTimesteps(1000, 3)).toEqual([999, 665, 332]);
    expect(trailingTimesteps(10, 10)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(trailingTimesteps(1000, 1)).toEqual([999]);
    const t = trailingTimesteps(1000, 25);
    expect(t).toHaveLength(25);
    expect(t[0]).toBe(999);
    expect(t.at(-1)).toBe(39);
  });
  it('refuses more steps than the schedule has', () => {
    expect(() => trailingTimesteps(10, 11)).toThrow(RangeError);
    expect(() => trailingTimesteps(10, 0)).toThrow(RangeError);
  });
});

describe('DDIM', () => {
  const T = 1000;
  const alphas = Array.from({ length: T }, (_, t) => Math.cos(((t / T + 0.008) / 1.008) * (Math.PI / 2)) ** 2 / Math.cos((0.008 / 1.008) * (Math.PI / 2)) ** 2);

  it('converts v and epsilon predictions consistently with the forward process', () => {
    const a = 0.3;
    const sa = Math.sqrt(a);
    const s1 = Math.sqrt(1 - a);
    const x0 = 0.7;
    const eps = -1.2;
    const xt = sa * x0 + s1 * eps;
    const v = sa * eps - s1 * x0;
    for (const [kind, out] of [['v', v], ['epsilon', eps], ['x0', x0]] as const) {
      const [gx0, geps] = toX0Eps(kind, out, xt, sa, s1);
      expect(gx0).toBeCloseTo(x0, 12);
      expect(geps).toBeCloseTo(eps, 12);
    }
  });

  it('lands exactly on the predicted x0 at the final step (ᾱ_prev = 1)', () => {
    const s = new DDIMScheduler({ alphasCumprod: alphas, prediction: 'x0' });
    s.setTimesteps(5);
    const x0 = Float32Array.from([0.25, -0.5, 1]);
    const xt = Float32Array.from([0.1, 0.2, 0.3]);
    const { prevSample, predOriginal } = s.step(x0, s.timesteps[4]!, xt);
    expect(Array.from(predOriginal)).toEqual(Array.from(x0));
    expect(Array.from(prevSample)).toEqual(Array.from(x0));
  });

  it('is deterministic with η = 0 and follows the DDIM formula', () => {
    const s = new DDIMScheduler({ alphasCumprod: alphas, prediction: 'epsilon' });
    s.setTimesteps(10);
    const [t, tp] = [s.timesteps[0]!, s.timesteps[1]!];
    const x = Float32Array.from([0.9]);
    const e = Float32Array.from([0.4]);
    const a = alphas[t]!;
    const ap = alphas[tp]!;
    const x0 = (0.9 - Math.sqrt(1 - a) * Math.fround(0.4)) / Math.sqrt(a);
    const want = Math.sqrt(ap) * x0 + Math.sqrt(1 - ap) * Math.fround(0.4);
    expect(s.step(e, t, x).prevSample[0]).toBeCloseTo(want, 5);
  });

  it('adds σ·z with η > 0 and needs the noise', () => {
    const s = new DDIMScheduler({ alphasCumprod: alphas, prediction: 'epsilon' });
    s.setTimesteps(10);
    expect(s.needsNoise(0, 1)).toBe(true);
    expect(s.needsNoise(0, 0)).toBe(false);
    const x = Float32Array.from([0.9]);
    const e = Float32Array.from([0.4]);
    const t = s.timesteps[0]!;
    expect(() => s.step(e, t, x, { eta: 1 })).toThrow(RangeError);
    const withZero = s.step(e, t, x, { eta: 1, noise: Float32Array.from([0]) }).prevSample[0]!;
    const withOne = s.step(e, t, x, { eta: 1, noise: Float32Array.from([1]) }).prevSample[0]!;
    const { a, aPrev } = s.alphaAt(0);
    const sigma = Math.sqrt((1 - aPrev) / (1 - a)) * Math.sqrt(1 - a / aPrev);
    expect(withOne - withZero).toBeCloseTo(sigma, 5);
  });

  it('applies classifier-free guidance on [uncond…, cond…]', () => {
    const out = Float32Array.from([1, 2, 3, 5]);
    expect(Array.from(applyGuidance(out, 1))).toEqual([3, 5]);
    expect(Array.from(applyGuidance(out, 0))).toEqual([1, 2]);
    expect(Array.from(applyGuidance(out, 3))).toEqual([7, 11]);
  });
});

describe('vectors', () => {
  const a = l2normalize(Float32Array.from([1, 2, 3, 4]));
  const b = l2normalize(Float32Array.from([-2, 1, 0, 1]));

  it('slerp returns the endpoints exactly and unit vectors between', () => {
    expect(Array.from(slerp(a, b, 1))).toEqual(Array.from(a));
    expect(Array.from(slerp(a, b, 0))).toEqual(Array.from(b));
    const m = slerp(a, b, 0.3);
    expect(Math.sqrt(dot(m, m))).toBeCloseTo(1, 6);
    // 30 % of a: the angle to a is 70 % of the whole angle.
    const theta = Math.acos(dot(a, b));
    expect(Math.acos(Math.min(1, dot(m, a)))).toBeCloseTo(0.7 * theta, 5);
  });

  it('softmax sums to 1 and is stable for large logits', () => {
    const p = softmax([1000, 1001, 999]);
    expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(p[1]).toBeGreaterThan(p[0]!);
    expect(p.every(Number.isFinite)).toBe(true);
  });
});
