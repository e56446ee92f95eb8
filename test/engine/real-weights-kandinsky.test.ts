/**
 * Kandinsky 2.2 parity: the engine on the tiny random-weight pack (diffusers' fast-test architecture,
 * converted by training/convert) reproduces diffusers 0.27.2's KandinskyV22PriorPipeline and
 * KandinskyV22Pipeline from the same noise to ≤ 1e-3 (max abs; images in 0–1, embeddings normalized):
 * text → image, image variation, interpolation of two images, CLIP zero-shot scores. Fixtures:
 * test/fixtures/real-weights/kandinsky-2-2.json, written by training/convert/fixtures.py.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clip } from '../../src/engine/clip.ts';
import { decodeImage } from '../../src/engine/images.ts';
import { loadPack, releasePack, type LoadedPack } from '../../src/engine/pack.ts';
import { UnclipPipeline } from '../../src/engine/pipelines/unclip.ts';
import { maxAbsError, readFixture, REAL_WEIGHTS, ReplayNoise, stdev, TOLERANCE, toUnit, unitNorm } from './real-weights-parity.ts';

interface Fixture {
  settings: { prior_steps: number; prior_guidance: number; steps: number; guidance: number };
  cases: {
    text_to_image: { prompt: string; prior_noise: number[][]; image_embeds: number[]; negative_image_embeds: number[]; noise: number[][]; image: number[] };
    variation: { image: string; image_embeds: number[]; noise: number[][]; output: number[] };
    interpolate: { images: string[]; weights: number[]; image_embeds: number[]; noise: number[][]; output: number[] };
    zero_shot: { image: string; labels: string[]; scores: number[] };
  };
}

const fx = readFixture<Fixture>('kandinsky-2-2.json');
const { settings: st, cases } = fx;
let pack: LoadedPack;
let clip: Clip;
let unclip: UnclipPipeline;
const errors: Record<string, number> = {};

async function image(file: string) {
  return decodeImage(readFileSync(`${REAL_WEIGHTS}${file}`));
}

beforeAll(async () => {
  pack = await loadPack(`${REAL_WEIGHTS}kandinsky-2-2-tiny`, { threads: 1 });
  clip = new Clip(pack);
  const s = pack.sessions;
  unclip = new UnclipPipeline(clip, pack.manifest!.v2!, { text: s.text, prior: s.prior!, decoder: s.decoder!, latentDecoder: s.latentDecoder! }, pack.info.embeddingDim);
});
afterAll(async () => {
  await releasePack(pack);
  console.log('Kandinsky 2.2 tiny: max abs error vs diffusers', errors);
});

describe('Kandinsky 2.2 (tiny random weights) = diffusers', () => {
  it('loads as a format-2 pack that generates 64 px images', () => {
    expect(pack.manifest!.format).toBe(2);
    expect(pack.info.canGenerate).toBe(true);
    expect(pack.info.imageSize).toBe(64);
    expect(pack.info.sampleShape).toEqual([4, 32, 32]);
  });

  it('the pack null embedding is diffusers\' zero-image embedding', () => {
    expect(maxAbsError(pack.manifest!.v2!.decoder.nullEmbedding, cases.text_to_image.negative_image_embeds)).toBeLessThan(1e-6);
  });

  it('text → image: the prior, then the decoder and MoVQ, from diffusers\' noise', async () => {
    const c = cases.text_to_image;
    const noise = new ReplayNoise(c.prior_noise);
    const [emb] = await unclip.prior(c.prompt, { steps: st.prior_steps, guidance: st.prior_guidance, noise: [noise] });
    expect(noise.used).toBe(c.prior_noise.length);
    errors['prior embedding'] = maxAbsError(unitNorm(emb!), unitNorm(c.image_embeds));
    errors['prior embedding (raw)'] = maxAbsError(emb!, c.image_embeds);
    expect(errors['prior embedding']).toBeLessThanOrEqual(TOLERANCE);
    const images = await unclip.decode([emb!], { steps: st.steps, guidance: st.guidance, noise: [new ReplayNoise(c.noise)] });
    const unit = toUnit(images);
    expect(stdev(unit)).toBeGreaterThan(0.01);
    errors['text → image'] = maxAbsError(unit, c.image);
    expect(errors['text → image']).toBeLessThanOrEqual(TOLERANCE);
  });

  it('image variation: the CLIP image embedding decoded again', async () => {
    const c = cases.variation;
    const [emb] = await unclip.imageEmbeds([await image(c.image)]);
    errors['image embedding'] = maxAbsError(unitNorm(emb!), unitNorm(c.image_embeds));
    expect(errors['image embedding']).toBeLessThanOrEqual(TOLERANCE);
    const out = toUnit(await unclip.decode([emb!], { steps: st.steps, guidance: st.guidance, noise: [new ReplayNoise(c.noise)] }));
    errors['variation'] = maxAbsError(out, c.output);
    expect(errors['variation']).toBeLessThanOrEqual(TOLERANCE);
  });

  it('interpolate: 30 % of the first image, 70 % of the second', async () => {
    const c = cases.interpolate;
    const embs = await unclip.imageEmbeds(await Promise.all(c.images.map(image)));
    const mixed = unclip.mix(embs, c.weights);
    errors['interpolated embedding'] = maxAbsError(unitNorm(mixed), unitNorm(c.image_embeds));
    expect(errors['interpolated embedding']).toBeLessThanOrEqual(TOLERANCE);
    const out = toUnit(await unclip.decode([mixed], { steps: st.steps, guidance: st.guidance, noise: [new ReplayNoise(c.noise)] }));
    errors['interpolate'] = maxAbsError(out, c.output);
    expect(errors['interpolate']).toBeLessThanOrEqual(TOLERANCE);
  });

  it('a request may run the decoder with DPM-Solver++ or UniPC instead of the pack\'s DDIM (the same noise, other images)', async () => {
    const c = cases.variation;
    const [emb] = await unclip.imageEmbeds([await image(c.image)]);
    const run = (scheduler?: 'dpmsolver++' | 'unipc') =>
      unclip.decode([emb!], { steps: st.steps, guidance: st.guidance, noise: [new ReplayNoise(c.noise)], ...(scheduler ? { scheduler } : {}) }).then(toUnit);
    const [ddim, dpm, unipc] = await Promise.all([run(), run('dpmsolver++'), run('unipc')]);
    for (const x of [dpm, unipc]) {
      expect(stdev(x)).toBeGreaterThan(0.01);
      expect(maxAbsError(x, ddim)).toBeGreaterThan(1e-3);
    }
    expect(maxAbsError(unipc, dpm)).toBeGreaterThan(1e-4);
  });

  it('CLIP zero-shot scores', async () => {
    const c = cases.zero_shot;
    const [img] = await clip.embedImages([await image(c.image)]);
    const scores = clip.scores(img!, await clip.embedTexts(c.labels));
    errors['zero-shot'] = maxAbsError(scores, c.scores);
    expect(errors['zero-shot']).toBeLessThanOrEqual(TOLERANCE);
  });
});
