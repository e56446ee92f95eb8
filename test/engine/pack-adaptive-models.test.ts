/**
 * What the engine takes from the pack it runs (issue 14 item 4), on real ONNX packs without a world
 * (test/engine/tiny-packs.ts): a CLIP-only pack's prompt limit from its tokenizer, describe's general
 * labels or the pack's own label list, no unknown-word warnings, and a format-2 pack's sampling
 * defaults (steps and guidance) as pack.json sets them.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERAL_LABELS } from '../../src/engine/captions.ts';
import { Engine, UserInputError, type Progress } from '../../src/engine/index.ts';
import { checkPromptTokens, unknownWordsFor } from '../../src/engine/vocabulary.ts';
import { REAL_WEIGHTS } from './real-weights-parity.ts';
import { TINY_DEFAULTS, TINY_LABELS, tinyClipOnlyPack, tinyKandinskyPack, type TinyPack } from './tiny-packs.ts';

const image = readFileSync(`${REAL_WEIGHTS}first.png`);
const words = (n: number) => Array.from({ length: n }, () => 'a').join(' ');

describe('a CLIP-only pack (no pack.json) whose tokenizer reads at most 16 tokens', () => {
  let pack: TinyPack;
  let engine: Engine;
  beforeAll(async () => {
    pack = tinyClipOnlyPack({ model_max_length: 16 });
    engine = await Engine.load({ packDir: pack.dir, threads: 1 });
  });
  afterAll(async () => {
    await engine?.close();
    pack?.remove();
  });

  it('takes its prompt limit from the tokenizer, and refuses a longer prompt with it', () => {
    expect(engine.pack).toMatchObject({ contextLength: 16, canGenerate: false, world: null });
    expect(engine.summary).toMatchObject({ contextLength: 16, canGenerate: false, hasWorld: false, defaultGuidance: null });
    expect(() => checkPromptTokens(engine, words(14))).not.toThrow(); // 14 words + the start and end markers
    const refused = (() => {
      try {
        checkPromptTokens(engine, words(15));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(refused).toBeInstanceOf(UserInputError);
    expect(refused).toMatchObject({
      message: 'The prompt is too long (17 tokens; this model reads at most 16): shorten it.',
      detail: { code: 'prompt-tokens', tokens: 17, max: 16 }, // what the bot says in the person's language
    });
  });

  it('has no world: no word of a prompt is unknown', () => {
    expect(unknownWordsFor(engine, 'a cat riding a bicycle')).toEqual([]);
  });

  it('describe ranks the general labels, each in "a photo of {}"', async () => {
    expect(engine.pack.describe.kind).toBe('general');
    const top = await engine.describe(image, { top: 5 });
    expect(top).toHaveLength(5);
    for (const { caption } of top) expect(GENERAL_LABELS.map((l) => `a photo of ${l}`)).toContain(caption);
    expect(top.map((c) => c.score)).toEqual([...top.map((c) => c.score)].sort((a, b) => b - a));
    await expect(engine.imagine('a red star')).rejects.toThrow(/is CLIP-only: it can classify and describe, but not imagine/);
  });
});

describe('a format-2 pack with sampling defaults and a label list (tiny Kandinsky 2.2)', () => {
  let pack: TinyPack;
  let engine: Engine;
  beforeAll(async () => {
    pack = tinyKandinskyPack();
    engine = await Engine.load({ packDir: pack.dir, threads: 1 });
  });
  afterAll(async () => {
    await engine?.close();
    pack?.remove();
  });

  it('describe ranks the pack\'s labels in its template', async () => {
    expect(engine.pack.describe).toMatchObject({ kind: 'labels', template: 'a photo of {}' });
    const all = await engine.describe(image, { top: 20 });
    expect(all.map((c) => c.caption).sort()).toEqual(TINY_LABELS.map((l) => `a photo of ${l}`).sort());
    expect(all.reduce((n, c) => n + c.score, 0)).toBeCloseTo(1, 5);
  });

  it('a request that names no steps or guidance runs the pack\'s', async () => {
    expect(engine.summary).toMatchObject({ contextLength: 77, canGenerate: true, hasWorld: false, defaultGuidance: TINY_DEFAULTS.guidance });
    const defaults = engine.samplingDefaults();
    expect([defaults.prior.steps, defaults.decoder.steps]).toEqual([TINY_DEFAULTS.priorSteps, TINY_DEFAULTS.steps]);
    const seen: Progress[] = [];
    const plain = await engine.imagine('a red star', { n: 1, seed: 3, onProgress: (p) => seen.push(p) });
    expect(seen.filter((p) => p.stage === 'prior').map((p) => p.steps)).toEqual(Array(TINY_DEFAULTS.priorSteps).fill(TINY_DEFAULTS.priorSteps));
    expect(seen.filter((p) => p.stage === 'decoder').map((p) => p.steps)).toEqual(Array(TINY_DEFAULTS.steps).fill(TINY_DEFAULTS.steps));
    // The same picture as with the pack's values spelt out; another guidance (the original pack's 4) differs.
    const spelt = await engine.imagine('a red star', { n: 1, seed: 3, steps: TINY_DEFAULTS.steps, priorSteps: TINY_DEFAULTS.priorSteps, guidance: TINY_DEFAULTS.guidance });
    expect(spelt.images[0]!.equals(plain.images[0]!)).toBe(true);
    const other = await engine.imagine('a red star', { n: 1, seed: 3, guidance: 4 });
    expect(other.images[0]!.equals(plain.images[0]!)).toBe(false);
  });
});
