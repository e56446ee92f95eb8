/** Shared by the real-weights parity tests: the fixtures diffusers wrote, replayed noise, errors. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NoiseSource } from '../../src/engine/pipelines/denoise.ts';

export const REAL_WEIGHTS = fileURLToPath(new URL('../fixtures/real-weights/', import.meta.url));
export const TOLERANCE = 1e-3;

export function readFixture<T>(file: string): T {
  return JSON.parse(readFileSync(`${REAL_WEIGHTS}${file}`, 'utf8')) as T;
}

/** diffusers' standard-normal draws, handed out in the order diffusers made them. */
export class ReplayNoise implements NoiseSource {
  private next = 0;
  constructor(private readonly draws: readonly number[][]) {}
  fillNormal(out: Float32Array): Float32Array {
    const draw = this.draws[this.next++];
    if (!draw) throw new Error(`diffusers made ${this.draws.length} draws; the engine asked for another`);
    if (draw.length !== out.length) throw new Error(`draw ${this.next - 1} has ${draw.length} values; the engine asked for ${out.length}`);
    out.set(draw);
    return out;
  }
  get used(): number {
    return this.next;
  }
}

export function maxAbsError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Engine images in [−1, 1] → diffusers' output_type="np" values: clamp(x/2 + 1/2, 0, 1). */
export function toUnit(images: Float32Array): Float32Array {
  return images.map((x) => Math.min(1, Math.max(0, x * 0.5 + 0.5)));
}

export function unitNorm(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Float32Array.from(v, (x) => x / Math.sqrt(s));
}

export function stdev(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i]!;
  m /= v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i]! - m) ** 2;
  return Math.sqrt(s / v.length);
}
