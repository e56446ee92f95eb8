/**
 * The engine façade on a format-2 pack (the tiny Kandinsky 2.2): imagine / vary / blend / classify as the
 * bot calls them, the seeds' determinism, and pack.json format-2 validation errors that name the field.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, PackError, similarity, UserInputError } from '../../src/engine/index.ts';
import { parseManifest } from '../../src/engine/manifest.ts';
import { REAL_WEIGHTS } from './real-weights-parity.ts';

const PACK = `${REAL_WEIGHTS}kandinsky-2-2-tiny`;
let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load({ packDir: PACK, threads: 1 });
});
afterAll(async () => {
  await engine.close();
});

describe('the engine on a format-2 pack (tiny Kandinsky 2.2)', () => {
  it('imagine: n images at the pack size, the same for the same seed, different for another', async () => {
    const opts = { n: 2, seed: 7, steps: 3, priorSteps: 3 };
    const a = await engine.imagine('a red star', opts);
    expect(a.images).toHaveLength(2);
    const meta = await sharp(a.images[0]!).metadata();
    expect([meta.width, meta.height]).toEqual([64, 64]);
    expect((await sharp(a.grid).metadata()).width).toBe(128);
    const b = await engine.imagine('a red star', opts);
    expect(b.images.map((x) => x.toString('base64'))).toEqual(a.images.map((x) => x.toString('base64')));
    const c = await engine.imagine('a red star', { ...opts, seed: 8 });
    expect(c.images[0]!.equals(a.images[0]!)).toBe(false);
    expect(a.images[0]!.equals(a.images[1]!)).toBe(false);
    // Raw CLIP embeddings (the pack says "embeddings": "raw"): not unit vectors, similarity still a cosine.
    const norm = Math.hypot(...a.embeddings[0]!);
    expect(Math.abs(norm - 1)).toBeGreaterThan(1e-3);
    expect(similarity(a.embeddings[0]!, a.embeddings[0]!)).toBeCloseTo(1, 6);
  });

  it('vary from a stored embedding decodes that embedding; blend and its animation run', async () => {
    const src = await engine.imagine('a blue circle', { n: 1, seed: 3, steps: 3, priorSteps: 3 });
    const v1 = await engine.vary(src.embeddings[0]!, { n: 1, seed: 5, steps: 3 });
    const v2 = await engine.vary(src.images[0]!, { n: 1, seed: 5, steps: 3 });
    expect(v1.images[0]!.length).toBeGreaterThan(0);
    // The stored embedding is the output's CLIP embedding, so both ways decode (almost) the same conditioning.
    expect(similarity(v1.embeddings[0]!, v2.embeddings[0]!)).toBeGreaterThan(0.99);
    const blend = await engine.blend(src.images[0]!, v1.images[0]!, { ratio: 30, frames: 3, seed: 1, steps: 2 });
    expect(blend.animation!.subarray(0, 4).toString()).toBe('RIFF');
    expect(blend.blended).toHaveLength(32);
  });

  it('classify ranks labels with the pack CLIP; a one-step prior is refused clearly', async () => {
    const png = await readFile(`${REAL_WEIGHTS}second.png`);
    const scores = await engine.classify(png, ['a red star', 'a blue circle']);
    expect(scores.reduce((s, x) => s + x.score, 0)).toBeCloseTo(1, 6);
    await expect(engine.imagine('a red star', { n: 1, priorSteps: 1 })).rejects.toThrow(UserInputError);
  });
});

describe('pack.json format 2 validation', () => {
  const base = async () => JSON.parse(await readFile(`${PACK}/pack.json`, 'utf8')) as Record<string, any>;
  it('accepts the converter output and reads every model field', async () => {
    const m = parseManifest(await base());
    expect(m.format).toBe(2);
    expect(m.v2!.decoder.outputChannels).toBe(8);
    expect(m.v2!.prior.scheduler.type).toBe('unclip');
    expect(m.v2!.decoder.scheduler).toMatchObject({ type: 'ddim', timestepSpacing: 'leading', stepsOffset: 1 });
  });
  const bad: [string, (p: Record<string, any>) => void, RegExp][] = [
    ['an unknown scheduler', (p) => (p['prior'].scheduler.type = 'euler'), /prior\.scheduler\.type must be one of "unclip", "ddim"/],
    ['a short null embedding', (p) => (p['decoder'].null_embedding = [0, 1]), /decoder\.null_embedding must be an array of embedding_dim \(32\)/],
    ['odd output channels', (p) => (p['decoder'].output_channels = 5), /decoder\.output_channels must be 4 or 8/],
    ['a cascade stage that does not enlarge', (p) => (p['cascade'] = [{ image_size: 32 }]), /cascade\[0\]\.image_size must be an integer above the previous stage's 64/],
    ['a cascade stage without its model', (p) => (p['cascade'] = [{ image_size: 128, model: '../x.onnx' }]), /cascade\[0\]\.model must be the name of an \.onnx file/],
    ['an unknown variance', (p) => (p['prior'].scheduler.variance = 'fixed_large'), /prior\.scheduler\.variance must be one of/],
    ['a format 3', (p) => (p['format'] = 3), /format must be 1 or 2/],
  ];
  for (const [what, mutate, message] of bad) {
    it(`refuses ${what}`, async () => {
      const p = await base();
      mutate(p);
      expect(() => parseManifest(p)).toThrow(message);
    });
  }
  it('a pack whose decoder.onnx is missing names the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'v2-pack-'));
    try {
      await cp(PACK, dir, { recursive: true });
      await rm(join(dir, 'onnx', 'decoder.onnx'));
      await expect(Engine.load({ packDir: dir })).rejects.toThrow(PackError);
      await expect(Engine.load({ packDir: dir })).rejects.toThrow(/decoder\.onnx: missing/);
      await writeFile(join(dir, 'pack.json'), JSON.stringify({ ...(await base()), prior: { scheduler: {} } }));
      await expect(Engine.load({ packDir: dir })).rejects.toThrow(/prior\.scheduler\.type/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
