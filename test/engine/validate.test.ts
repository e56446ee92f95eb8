import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/engine/errors.ts';
import { parseManifest } from '../../src/engine/manifest.ts';
import { parsePreprocessor, resizeTarget } from '../../src/engine/preprocess.ts';
import { parseLabels, validatePrompt, validateRatio, validateCount, validateSeed } from '../../src/engine/validate.ts';
import { DEFAULT_WORLD, describeCaptions } from '../../src/engine/world.ts';
import { readFileSync } from 'node:fs';

describe('labels', () => {
  it('splits, trims and drops empty entries', () => {
    expect(parseLabels(' cat ,dog,, a  red star ,', 20)).toEqual(['cat', 'dog', 'a red star']);
  });
  it.each([
    ['cat', 20, /at least 2 labels/],
    ['cat, , ', 20, /at least 2 labels, separated by commas \(got 1\)/],
    ['cat, dog, Cat', 20, /Duplicate label "Cat"/],
    [Array.from({ length: 21 }, (_, i) => `l${i}`).join(','), 20, /Too many labels: 21 \(at most 20\)/],
    [`cat, ${'x'.repeat(101)}`, 20, /too long/],
  ])('refuses %j (cap %i)', (input, cap, message) => {
    expect(() => parseLabels(input, cap)).toThrow(UserInputError);
    expect(() => parseLabels(input, cap)).toThrow(message);
  });
  it('accepts up to the cap the caller passes', () => {
    expect(parseLabels(Array.from({ length: 1000 }, (_, i) => `l${i}`), 1000)).toHaveLength(1000);
  });
});

describe('numbers and prompts', () => {
  it('refuses empty and over-long prompts, normalizes spaces', () => {
    expect(() => validatePrompt('   ')).toThrow(/prompt is empty/);
    expect(() => validatePrompt('a'.repeat(301))).toThrow(/too long/);
    expect(validatePrompt('  a  red\nstar ')).toBe('a red star');
  });
  it('checks ranges with the name of the field', () => {
    expect(() => validateRatio(101)).toThrow(/ratio must be a number from 0 to 100/);
    expect(() => validateRatio(-1)).toThrow(UserInputError);
    expect(() => validateRatio(Number.NaN)).toThrow(UserInputError);
    expect(validateRatio(0)).toBe(0);
    expect(() => validateCount(5)).toThrow(/number of images/);
    expect(() => validateCount(2.5)).toThrow(UserInputError);
    expect(() => validateSeed(2 ** 32)).toThrow(/seed/);
  });
});

describe('pack.json validation', () => {
  const good = JSON.parse(readFileSync(new URL('../../models/shapes-v1/pack.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  it('accepts the bundled pack', () => {
    const m = parseManifest(good);
    expect(m.embeddingDim).toBe(128);
    expect(m.decoder?.sampleShape).toHaveLength(3);
    expect(m.prior?.alphasCumprod).toHaveLength(m.prior!.trainSteps);
  });
  it.each([
    [{ format: 3 }, /format must be 1 or 2 \(got 3\)/],
    [{ logit_scale: -1 }, /logit_scale must be > 0/],
    [{ prior: { ...(good['prior'] as object), prediction: 'sample' } }, /prior\.prediction must be/],
    [{ decoder: { ...(good['decoder'] as object), alphas_cumprod: [0.5] } }, /decoder\.alphas_cumprod must be an array of train_steps/],
    [{ decoder: { ...(good['decoder'] as object), sample_shape: [4, 16] } }, /decoder\.sample_shape/],
    [{ clip: {} }, /clip\.context_length/],
  ])('names the field of a malformed pack.json (%#)', (patch, message) => {
    expect(() => parseManifest({ ...good, ...patch })).toThrow(message);
    expect(() => parseManifest({ ...good, ...patch })).toThrow(/^pack\.json: /);
  });
});

describe('preprocessor_config.json', () => {
  it('reads both the old (integers) and new (objects) forms', () => {
    const old = parsePreprocessor({ size: 224, crop_size: 224, do_center_crop: true, resample: 3 });
    expect(old.size).toEqual({ shortestEdge: 224 });
    expect(old.cropSize).toEqual({ height: 224, width: 224 });
    expect(old.mean[0]).toBeCloseTo(0.4815, 4);
    const neu = parsePreprocessor({ size: { shortest_edge: 64 }, crop_size: { height: 64, width: 64 }, image_mean: 0.5, image_std: [0.5, 0.5, 0.5] });
    expect(neu.mean).toEqual([0.5, 0.5, 0.5]);
    expect(() => parsePreprocessor({ size: 'big' })).toThrow(/size/);
  });
  it('resizes the shortest edge like transformers.js', () => {
    const p = parsePreprocessor({ size: 224, crop_size: 224 });
    expect(resizeTarget(p, 640, 480)).toEqual([298, 224]);
    expect(resizeTarget(p, 100, 300)).toEqual([224, 672]);
  });
});

describe('describe captions', () => {
  it('covers every size (and none), colour, shape and background ≠ colour', () => {
    const caps = describeCaptions(DEFAULT_WORLD);
    expect(caps).toHaveLength(3 * 11 * 5 * 10);
    expect(caps).toContain('a big red star on a blue background');
    expect(caps).toContain('a green heart on a white background');
    expect(caps.some((c) => /a (\w+ )?(\w+) \w+ on a \2 background/.test(c))).toBe(false);
  });
});
