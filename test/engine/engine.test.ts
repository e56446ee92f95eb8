/** The façade on the real bundled ONNX pack (no mocked runtime). The Engine is loaded once. */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, UserInputError, type Progress } from '../../src/engine/index.ts';
import { dot } from '../../src/engine/vectors.ts';
import { PACK_DIR } from './pack-fixture.ts';

let engine: Engine;
// Few steps keep the suite fast; reproducibility does not depend on the step count.
const FAST = { steps: 4, priorSteps: 4 };
let red: Buffer;
let blue: Buffer;

function shapePng(shape: string, bg: string, size = 64): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="${bg}"/>${shape}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

beforeAll(async () => {
  engine = await Engine.load({ packDir: PACK_DIR });
  red = await shapePng('<circle cx="32" cy="32" r="16" fill="rgb(220,40,40)"/>', 'rgb(245,245,245)');
  blue = await shapePng('<rect x="16" y="16" width="32" height="32" fill="rgb(40,90,220)"/>', 'rgb(240,220,40)');
});
afterAll(() => engine?.close());

const sameBytes = (a: Buffer[], b: Buffer[]) => a.length === b.length && a.every((x, i) => x.equals(b[i]!));
const isUnit = (v: Float32Array) => Math.abs(Math.sqrt(dot(v, v)) - 1) < 1e-5;

describe('close', () => {
  it('can be called twice', async () => {
    const other = await Engine.load({ packDir: PACK_DIR });
    await other.close();
    await expect(other.close()).resolves.toBeUndefined();
  });
});

describe('pack info', () => {
  it('describes the bundled pack', () => {
    expect(engine.pack).toMatchObject({ name: 'shapes-v1', embeddingDim: 128, canGenerate: true, imageSize: 128, clipImageSize: 64, contextLength: 32, device: 'cpu' });
    expect(engine.pack.world!.shapes).toContain('star');
  });
});

describe('imagine', () => {
  it('makes 4 images as PNGs, a 2×2 grid and normalized embeddings', async () => {
    const gen = await engine.imagine('a big red star on a blue background', { ...FAST, seed: 5 });
    expect(gen.images).toHaveLength(4);
    for (const png of gen.images) expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 128, height: 128 });
    expect(await sharp(gen.grid).metadata()).toMatchObject({ format: 'png', width: 256, height: 256 });
    expect(gen.embeddings).toHaveLength(4);
    expect(gen.embeddings.every((e) => e.length === 128 && isUnit(e))).toBe(true);
    expect(gen.seed).toBe(5);
    expect(gen.timings['total']).toBeGreaterThan(0);
    expect(Object.keys(gen.timings)).toEqual(expect.arrayContaining(['text', 'prior', 'decoder', 'png_and_embed', 'total']));
    // The 4 images differ (each has its own noise).
    expect(new Set(gen.images.map((b) => b.toString('base64'))).size).toBe(4);
    // The embeddings are the CLIP embeddings of the output images.
    const again = await engine.embedImages([gen.images[2]!]);
    expect(dot(again[0]!, gen.embeddings[2]!)).toBeGreaterThan(0.99999);
  });

  it('reproduces images bit for bit from a seed, and a different seed gives different images', async () => {
    const a = await engine.imagine('a small green heart', { ...FAST, seed: 123456789, n: 2 });
    const b = await engine.imagine('a small green heart', { ...FAST, seed: 123456789, n: 2 });
    expect(sameBytes(a.images, b.images)).toBe(true);
    expect(a.grid.equals(b.grid)).toBe(true);
    expect(Buffer.from(a.embeddings[1]!.buffer).equals(Buffer.from(b.embeddings[1]!.buffer))).toBe(true);
    const c = await engine.imagine('a small green heart', { ...FAST, seed: 123456790, n: 2 });
    expect(c.images[0]!.equals(a.images[0]!)).toBe(false);
  });

  it('returns the image itself as the grid for n = 1, and a random seed when none is given', async () => {
    const gen = await engine.imagine('a white square', { ...FAST, n: 1 });
    expect(gen.images).toHaveLength(1);
    expect(gen.grid.equals(gen.images[0]!)).toBe(true);
    expect(Number.isInteger(gen.seed)).toBe(true);
    const again = await engine.imagine('a white square', { ...FAST, n: 1, seed: gen.seed });
    expect(again.images[0]!.equals(gen.images[0]!)).toBe(true);
  });

  it('reports progress for both stages, with a preview PNG of the decoder x0 estimate on demand', async () => {
    const seen: Progress[] = [];
    let preview: Buffer | undefined;
    await engine.imagine('a black circle', {
      seed: 1,
      steps: 3,
      priorSteps: 2,
      n: 4,
      onProgress: (p) => {
        seen.push(p);
        if (p.stage === 'decoder' && p.step === 2) void p.preview!().then((b) => (preview = b));
      },
    });
    expect(seen.map((p) => `${p.stage}:${p.step}/${p.steps}`)).toEqual(['prior:1/2', 'prior:2/2', 'decoder:1/3', 'decoder:2/3', 'decoder:3/3']);
    expect(seen.filter((p) => p.stage === 'prior').every((p) => p.preview === undefined)).toBe(true);
    await expect.poll(() => preview).toBeDefined();
    expect(await sharp(preview!).metadata()).toMatchObject({ format: 'png', width: 128, height: 128 });
  });

  it('stops when the signal aborts', async () => {
    const ac = new AbortController();
    const run = engine.imagine('a pink star', {
      seed: 1,
      steps: 10,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.stage === 'decoder' && p.step === 1) ac.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
  });
});

describe('vary', () => {
  it('accepts an image or its stored embedding, with the same result', async () => {
    const [emb] = await engine.embedImages([red]);
    const fromImage = await engine.vary(red, { ...FAST, seed: 9, n: 2 });
    const fromEmbedding = await engine.vary(emb!, { ...FAST, seed: 9, n: 2 });
    expect(fromImage.images).toHaveLength(2);
    expect(sameBytes(fromImage.images, fromEmbedding.images)).toBe(true);
    const other = await engine.vary(red, { ...FAST, seed: 10, n: 2 });
    expect(other.images[0]!.equals(fromImage.images[0]!)).toBe(false);
  });
});

describe('sampling options', () => {
  it('guidance 1 (no unconditional half) is reproducible, and guidance changes the images exactly when the conditioning does', async () => {
    const opts = { ...FAST, seed: 4, n: 1 };
    const g1 = await engine.vary(red, { ...opts, guidance: 1 });
    expect((await engine.vary(red, { ...opts, guidance: 1 })).images[0]!.equals(g1.images[0]!)).toBe(true);
    const g3 = await engine.vary(red, { ...opts, guidance: 3 });
    // A decoder that ignores its embedding (an untrained one) gives the same images at any guidance.
    const conditioningMatters = !(await engine.vary(blue, { ...opts, guidance: 3 })).images[0]!.equals(g3.images[0]!);
    expect(g1.images[0]!.equals(g3.images[0]!)).toBe(!conditioningMatters);
  });

  it('η > 0 (stochastic DDIM) is reproducible from the seed and differs from η = 0', async () => {
    const ddim = { ...FAST, seed: 8, n: 1, scheduler: 'ddim' } as const;
    const a = await engine.vary(red, { ...ddim, eta: 0.8 });
    const b = await engine.vary(red, { ...ddim, eta: 0.8 });
    const c = await engine.vary(red, { ...ddim, eta: 0 });
    expect(a.images[0]!.equals(b.images[0]!)).toBe(true);
    expect(a.images[0]!.equals(c.images[0]!)).toBe(false);
  });
});

describe('schedulers', () => {
  it('DPM-Solver++ and UniPC are reproducible from the seed and differ from DDIM and from each other', async () => {
    const opts = { ...FAST, seed: 12, n: 2 };
    const prompt = 'a big red star on a blue background';
    const dpm = await engine.imagine(prompt, { ...opts, scheduler: 'dpmsolver++' });
    const again = await engine.imagine(prompt, { ...opts, scheduler: 'dpmsolver++' });
    const ddim = await engine.imagine(prompt, { ...opts, scheduler: 'ddim' });
    const unipc = await engine.imagine(prompt, { ...opts, scheduler: 'unipc' });
    const unipcAgain = await engine.imagine(prompt, { ...opts, scheduler: 'unipc' });
    expect(sameBytes(dpm.images, again.images)).toBe(true);
    expect(sameBytes(unipc.images, unipcAgain.images)).toBe(true);
    expect(dpm.images[0]!.equals(ddim.images[0]!)).toBe(false);
    expect(unipc.images[0]!.equals(ddim.images[0]!)).toBe(false);
    expect(unipc.images[0]!.equals(dpm.images[0]!)).toBe(false);
  });

  it('refuses an unknown scheduler and η with a deterministic one, saying what to change', async () => {
    await expect(engine.imagine('a red star', { ...FAST, scheduler: 'euler' as never })).rejects.toThrow(/Unknown scheduler "euler": choose "ddim", "dpmsolver\+\+" or "unipc"/);
    await expect(engine.vary(red, { ...FAST, scheduler: 'dpmsolver++', eta: 0.5 })).rejects.toThrow(UserInputError);
    await expect(engine.vary(red, { ...FAST, scheduler: 'dpmsolver++', eta: 0.5 })).rejects.toThrow(/DDIM scheduler only/);
    await expect(engine.vary(red, { ...FAST, scheduler: 'unipc', eta: 0.5 })).rejects.toThrow(/the unipc scheduler is deterministic/);
  });
});

describe('blend', () => {
  it('at 100 and 0 reproduces the first and the second image embeddings', async () => {
    const [ea, eb] = await engine.embedImages([red, blue]);
    const all = await engine.blend(red, blue, { ...FAST, seed: 3, ratio: 100 });
    const none = await engine.blend(red, blue, { ...FAST, seed: 3, ratio: 0 });
    expect(Array.from(all.blended)).toEqual(Array.from(ea!));
    expect(Array.from(none.blended)).toEqual(Array.from(eb!));
    // …so blending at 100 decodes exactly what varying the first image does.
    const varied = await engine.vary(red, { ...FAST, seed: 3, n: 1 });
    expect(all.images[0]!.equals(varied.images[0]!)).toBe(true);
  });

  it('interpolates in between (30 % of the first) and makes an animated walk', async () => {
    const [ea, eb] = await engine.embedImages([red, blue]);
    const mid = await engine.blend(red, blue, { ...FAST, seed: 3, ratio: 30, frames: 3 });
    expect(dot(mid.blended, eb!)).toBeGreaterThan(dot(mid.blended, ea!));
    expect(isUnit(mid.blended)).toBe(true);
    const meta = await sharp(mid.animation!, { animated: true }).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 128 });
    // libwebp merges consecutive identical frames (an untrained decoder can make them so).
    expect(meta.pages ?? 1).toBeLessThanOrEqual(3);
    expect(meta.pageHeight ?? meta.height).toBe(128);
  });
});

describe('classify and describe', () => {
  it('returns sorted scores that sum to 1', async () => {
    const scores = await engine.classify(red, ['a red circle', 'a blue square', 'a green heart'], { template: 'a photo of {}' });
    expect(scores.map((s) => s.label).sort()).toEqual(['a blue square', 'a green heart', 'a red circle']);
    expect(scores.reduce((s, x) => s + x.score, 0)).toBeCloseTo(1, 10);
    for (let i = 1; i < scores.length; i++) expect(scores[i - 1]!.score).toBeGreaterThanOrEqual(scores[i]!.score);
  });

  it('accepts a comma-separated string and caps the labels at what the caller passes', async () => {
    expect(await engine.classify(red, 'cat, dog')).toHaveLength(2);
    const many = Array.from({ length: 25 }, (_, i) => `label ${i}`);
    await expect(engine.classify(red, many)).rejects.toThrow(/Too many labels: 25 \(at most 20\)/);
    expect(await engine.classify(red, many, { maxLabels: 1000 })).toHaveLength(25);
  });

  it('describes with captions of the world, best first', async () => {
    const top = await engine.describe(red, { top: 3 });
    expect(top).toHaveLength(3);
    for (const { caption } of top) expect(caption).toMatch(/^a ((small|big) )?\w+ (circle|square|triangle|star|heart) on a \w+ background$/);
    expect(top[0]!.score).toBeGreaterThanOrEqual(top[2]!.score);
  });
});

describe('bad input: each gets its UserInputError', () => {
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['empty prompt', () => engine.imagine('  '), /prompt is empty/],
    ['over-long prompt', () => engine.imagine(Array.from({ length: 40 }, () => 'red').join(' ')), /prompt is too long \(42 tokens; this model reads at most 32\)/],
    ['n out of range', () => engine.imagine('a red star', { n: 5 }), /number of images must be a whole number from 1 to 4/],
    ['negative seed', () => engine.imagine('a red star', { seed: -1 }), /seed/],
    ['too many steps', () => engine.imagine('a red star', { steps: 5000 }), /number of steps/],
    ['zero-byte image', () => engine.vary(Buffer.alloc(0)), /empty \(0 bytes\)/],
    ['not an image', () => engine.classify(Buffer.from('GIF89a but not really'), ['a', 'b']), /not a readable image|corrupt/],
    ['embedding of the wrong size', () => engine.vary(new Float32Array(5)), /128 finite numbers \(got 5\)/],
    ['ratio out of range', () => engine.blend(red, blue, { ratio: 150 }), /ratio must be a number from 0 to 100/],
    ['second image bad', () => engine.blend(red, Buffer.from('nope')), /The second image is not a readable image/],
    ['one label', () => engine.classify(red, ['cat']), /at least 2 labels/],
    ['duplicate labels', () => engine.classify(red, ['cat', 'dog', 'cat']), /Duplicate label "cat"/],
    ['template without {}', () => engine.classify(red, ['cat', 'dog'], { template: 'a photo' }), /template must contain \{\}/],
    ['frames out of range', () => engine.blend(red, blue, { frames: 100 }), /number of frames/],
  ];
  it.each(cases)('%s', async (_, run, message) => {
    const err = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserInputError);
    expect((err as Error).message).toMatch(message);
  });
});
