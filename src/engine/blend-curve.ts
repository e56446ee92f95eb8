/**
 * A blend's ratio as people read it, turned into the slerp weight of the first image.
 *
 * A slerp weight of 0.3 on the first image does not give a picture that is 30 % the first image: a
 * decoder follows one embedding more than the other until well past the middle (measured on the shapes
 * packs). `training/eval.py` measures, over pairs of images that differ in colour, shape and background,
 * the share of those attributes that a blend takes from the first image at several weights, and writes
 * the inverse as pack.json `decoder.blend_curve`: [ratio, weight] points from [0, 0] to [100, 1]. The
 * engine reads the weight for a ratio off that curve (piecewise linear); without a curve, weight = ratio / 100.
 */
import { PackError } from './errors.ts';

export type BlendCurve = readonly (readonly [ratio: number, weight: number])[];

/** Validates pack.json `decoder.blend_curve` (absent or null: no curve). */
export function parseBlendCurve(raw: unknown, file: string, field = 'decoder.blend_curve'): BlendCurve | null {
  if (raw === undefined || raw === null) return null;
  const fail = (what: string): never => {
    throw new PackError(file, `${field}${what}`);
  };
  if (!Array.isArray(raw) || raw.length < 2) fail(' must be an array of at least 2 [ratio, weight] points');
  const points = (raw as unknown[]).map((p, i): [number, number] => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) fail(`[${i}] must be [ratio, weight] (two numbers)`);
    const [r, w] = p as [number, number];
    if (r < 0 || r > 100) fail(`[${i}]: the ratio must be in [0, 100] (got ${r})`);
    if (w < 0 || w > 1) fail(`[${i}]: the weight must be in [0, 1] (got ${w})`);
    return [r, w];
  });
  points.forEach(([r, w], i) => {
    if (i === 0) return;
    const [r0, w0] = points[i - 1]!;
    if (r <= r0) fail(`[${i}]: the ratios must increase (${r} after ${r0})`);
    if (w < w0) fail(`[${i}]: the weights must not decrease (${w} after ${w0})`);
  });
  const [first, last] = [points[0]!, points[points.length - 1]!];
  if (first[0] !== 0 || first[1] !== 0 || last[0] !== 100 || last[1] !== 1) fail(' must start at [0, 0] and end at [100, 1] (a ratio of 0 is the second image, 100 the first)');
  return points;
}

/** The slerp weight of the first image for `ratio` (0–100): read off the curve, or ratio / 100 without one. */
export function blendWeight(curve: BlendCurve | null, ratio: number): number {
  if (!curve) return ratio / 100;
  const r = Math.min(100, Math.max(0, ratio));
  const k = curve.findIndex(([x]) => x >= r);
  if (k <= 0) return curve[0]![1];
  const [x0, y0] = curve[k - 1]!;
  const [x1, y1] = curve[k]!;
  return y0 + ((y1 - y0) * (r - x0)) / (x1 - x0);
}
