/**
 * decoder.blend_curve: a blend's ratio read off the pack's measured curve as the slerp weight of the
 * first image. The parser names what is wrong; the real bundled pack, given a curve, blends at the
 * curve's weight (the same embedding and image as the plain ratio of that weight).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blendWeight, parseBlendCurve } from '../../src/engine/blend-curve.ts';
import { Engine, PackError } from '../../src/engine/index.ts';
import { PACK_DIR, packCopy, packLoadError } from './pack-fixture.ts';

describe('parseBlendCurve', () => {
  const parse = (v: unknown) => parseBlendCurve(v, 'pack.json');
  it('takes an increasing curve from [0, 0] to [100, 1], and no curve as null', () => {
    expect(parse([[0, 0], [30, 0.45], [50, 0.6], [100, 1]])).toEqual([[0, 0], [30, 0.45], [50, 0.6], [100, 1]]);
    expect(parse(undefined)).toBeNull();
    expect(parse(null)).toBeNull();
  });

  it.each([
    ['not an array', { 30: 0.4 }, /decoder\.blend_curve must be an array of at least 2 \[ratio, weight\] points/],
    ['one point', [[0, 0]], /at least 2/],
    ['a point that is not a pair', [[0, 0], [50], [100, 1]], /decoder\.blend_curve\[1\] must be \[ratio, weight\]/],
    ['a ratio past 100', [[0, 0], [120, 0.5], [100, 1]], /\[1\]: the ratio must be in \[0, 100\] \(got 120\)/],
    ['a weight past 1', [[0, 0], [50, 1.5], [100, 1]], /\[1\]: the weight must be in \[0, 1\] \(got 1.5\)/],
    ['ratios out of order', [[0, 0], [60, 0.5], [40, 0.6], [100, 1]], /\[2\]: the ratios must increase \(40 after 60\)/],
    ['a falling weight', [[0, 0], [40, 0.6], [60, 0.5], [100, 1]], /\[2\]: the weights must not decrease \(0.5 after 0.6\)/],
    ['wrong ends', [[0, 0.1], [100, 1]], /must start at \[0, 0\] and end at \[100, 1\]/],
  ])('refuses %s, naming the field', (_, raw, message) => {
    const err = (() => {
      try {
        parse(raw);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PackError);
    expect((err as Error).message).toMatch(message);
  });
});

describe('blendWeight', () => {
  const curve = parseBlendCurve([[0, 0], [30, 0.45], [50, 0.6], [100, 1]], 'pack.json');
  it('reads the curve piecewise linearly', () => {
    expect(blendWeight(curve, 0)).toBe(0);
    expect(blendWeight(curve, 30)).toBeCloseTo(0.45, 12);
    expect(blendWeight(curve, 15)).toBeCloseTo(0.225, 12);
    expect(blendWeight(curve, 40)).toBeCloseTo(0.525, 12);
    expect(blendWeight(curve, 75)).toBeCloseTo(0.8, 12);
    expect(blendWeight(curve, 100)).toBe(1);
  });
  it('is ratio / 100 without a curve', () => {
    expect(blendWeight(null, 30)).toBe(0.3);
    expect(blendWeight(null, 100)).toBe(1);
  });
});

describe('a pack with a blend curve', () => {
  let root: string;
  let plain: Engine;
  let curved: Engine;
  let red: Buffer;
  let blue: Buffer;
  const FAST = { steps: 4, priorSteps: 4, seed: 3 };

  const packWith = (name: string, edit: (pack: Record<string, Record<string, unknown>>) => void) => packCopy(join(root, name), { edit });
  const png = (body: string, bg: string) =>
    sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="100%" height="100%" fill="${bg}"/>${body}</svg>`)).png().toBuffer();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'unclip-blend-curve-'));
    plain = await Engine.load({ packDir: await packWith('plain', (p) => delete p.decoder!['blend_curve']) });
    curved = await Engine.load({ packDir: await packWith('curved', (p) => (p.decoder!['blend_curve'] = [[0, 0], [30, 0.5], [100, 1]])) });
    red = await png('<circle cx="32" cy="32" r="16" fill="rgb(220,40,40)"/>', 'rgb(245,245,245)');
    blue = await png('<rect x="16" y="16" width="32" height="32" fill="rgb(40,90,220)"/>', 'rgb(240,220,40)');
  });
  afterAll(async () => {
    await plain?.close();
    await curved?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('blends at the weight the curve gives the ratio (a copy without a curve: weight = ratio / 100)', async () => {
    const viaCurve = await curved.blend(red, blue, { ...FAST, ratio: 30 });
    const atHalf = await plain.blend(red, blue, { ...FAST, ratio: 50 });
    const atThirty = await plain.blend(red, blue, { ...FAST, ratio: 30 });
    expect(Array.from(viaCurve.blended)).toEqual(Array.from(atHalf.blended));
    expect(viaCurve.images[0]!.equals(atHalf.images[0]!)).toBe(true);
    expect(Array.from(viaCurve.blended)).not.toEqual(Array.from(atThirty.blended));
    // The ends stay the images themselves.
    const [ea] = await plain.embedImages([red]);
    expect(Array.from((await curved.blend(red, blue, { ...FAST, ratio: 100 })).blended)).toEqual(Array.from(ea!));
  });

  it('refuses to load a pack whose curve is malformed, naming the field', async () => {
    const dir = await packWith('bad-curve', (p) => (p.decoder!['blend_curve'] = [[0, 0], [50, 0.7], [40, 0.8], [100, 1]]));
    const err = await packLoadError(dir);
    expect(err).toBeInstanceOf(PackError);
    expect((err as Error).message).toMatch(/pack\.json: decoder\.blend_curve\[2\]: the ratios must increase \(40 after 50\)/);
  });
});
