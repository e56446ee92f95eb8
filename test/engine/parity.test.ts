/**
 * Our CLIP path against transformers.js on the same ONNX files (the reference implementation of
 * CLIP in JavaScript): same token ids, same pixel values, same embeddings (max |diff| ≤ 1e-4).
 */
import {
  AutoProcessor,
  AutoTokenizer,
  CLIPTextModelWithProjection,
  CLIPVisionModelWithProjection,
  RawImage,
  env,
  type PreTrainedTokenizer,
  type Processor,
  type PreTrainedModel,
} from '@huggingface/transformers';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { decodeImage } from '../../src/engine/images.ts';
import { PACK_DIR, PACK_NAME, MODELS_DIR } from './pack-fixture.ts';

let engine: Engine;
let tokenizer: PreTrainedTokenizer;
let processor: Processor;
let textModel: PreTrainedModel;
let visionModel: PreTrainedModel;

beforeAll(async () => {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = MODELS_DIR;
  engine = await Engine.load({ packDir: PACK_DIR });
  [tokenizer, processor, textModel, visionModel] = await Promise.all([
    AutoTokenizer.from_pretrained(PACK_NAME),
    AutoProcessor.from_pretrained(PACK_NAME),
    CLIPTextModelWithProjection.from_pretrained(PACK_NAME, { dtype: 'fp32' }),
    CLIPVisionModelWithProjection.from_pretrained(PACK_NAME, { dtype: 'fp32' }),
  ]);
});

afterAll(async () => {
  await engine?.close();
  await Promise.all([textModel?.dispose(), visionModel?.dispose()]);
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const TEXTS = [
  'a big red star on a blue background',
  'A Photo of a small HEART!',
  'a drawing of a green circle to the left of a yellow square',
  'an image of a purple unicorn', // an unknown word → [UNK]
  'red',
];
const LONG = Array.from({ length: 40 }, () => 'red').join(' ');

describe('text: ours = transformers.js', () => {
  it('tokenizes to the same ids', () => {
    const theirs = tokenizer(TEXTS, { padding: true, truncation: true });
    const ours = engine.clip.tokenize(TEXTS);
    expect(theirs.input_ids.dims).toEqual([ours.batch, ours.length]);
    expect(Array.from(theirs.input_ids.data as BigInt64Array)).toEqual(Array.from(ours.ids));
  });

  it('gives the same text embeddings (max |diff| ≤ 1e-4)', async () => {
    const inputs = tokenizer(TEXTS, { padding: true, truncation: true });
    const { text_embeds } = (await textModel(inputs)) as { text_embeds: { data: Float32Array; dims: number[] } };
    const ours = await engine.clip.embedTextsRaw(TEXTS);
    const D = engine.pack.embeddingDim;
    expect(text_embeds.dims).toEqual([TEXTS.length, D]);
    ours.forEach((row, i) => expect(maxAbsDiff(row, text_embeds.data.subarray(i * D, (i + 1) * D))).toBeLessThanOrEqual(1e-4));
  });

  it('truncates an over-long text like Hugging Face tokenizers (keeping [EOS]); same embedding for the same ids', async () => {
    const ours = engine.clip.encodeIds(LONG);
    const L = engine.pack.contextLength;
    expect(ours).toHaveLength(L);
    expect(ours[0]).toBe(engine.clip.tokenizer.token_to_id('[BOS]'));
    expect(ours[L - 1]).toBe(engine.clip.tokenizer.token_to_id('[EOS]'));
    // transformers.js 4.3 truncates after adding the special tokens, so it loses [EOS]; the Rust
    // tokenizers (and we) truncate the words and keep [BOS] … [EOS]. The first L − 1 ids agree.
    const theirs = Array.from(tokenizer(LONG, { truncation: true }).input_ids.data as BigInt64Array, Number);
    expect(theirs.slice(0, L - 1)).toEqual(ours.slice(0, L - 1));
    const ids = engine.clip.tokenize([LONG]);
    const { Tensor } = await import('@huggingface/transformers');
    const { text_embeds } = (await textModel({ input_ids: new Tensor('int64', ids.ids, [1, ids.length]) })) as { text_embeds: { data: Float32Array } };
    const [emb] = await engine.clip.embedTextsRaw([LONG]);
    expect(maxAbsDiff(emb!, text_embeds.data)).toBeLessThanOrEqual(1e-4);
  });

  it('is padding-invariant: alone or batched with a longer text, the same embedding', async () => {
    const [alone] = await engine.clip.embedTextsRaw(['red']);
    const batched = await engine.clip.embedTextsRaw(['red', TEXTS[2]!]);
    expect(maxAbsDiff(alone!, batched[0]!)).toBeLessThanOrEqual(1e-5);
  });
});

async function testImages(): Promise<{ name: string; buf: Buffer }[]> {
  const S = 64;
  const noise = (w: number, h: number, channels: 3 | 4) =>
    sharp({ create: { width: w, height: h, channels, background: '#406080', noise: { type: 'gaussian', mean: 120, sigma: 50 } } });
  const shape = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${S}" height="${S}"><rect width="100%" height="100%" fill="rgb(40,90,220)"/><circle cx="30" cy="34" r="14" fill="rgb(220,40,40)"/></svg>`,
  );
  return [
    { name: 'a 64 px PNG (no resize)', buf: await sharp(shape).png().toBuffer() },
    { name: 'a 100×80 JPEG (resize + centre crop)', buf: await noise(100, 80, 3).jpeg().toBuffer() },
    { name: 'a 47×90 RGBA PNG (upscale, alpha dropped)', buf: await noise(47, 90, 4).png().toBuffer() },
    { name: 'a 128 px PNG (a generated image’s size)', buf: await sharp(shape).resize(128, 128).png().toBuffer() },
  ];
}

describe('images: ours = transformers.js', () => {
  it('preprocesses to the same pixel values and gives the same image embeddings (max |diff| ≤ 1e-4)', async () => {
    for (const { name, buf } of await testImages()) {
      const raw = await RawImage.fromBlob(new Blob([new Uint8Array(buf)]));
      const { pixel_values } = (await processor(raw)) as { pixel_values: { data: Float32Array; dims: number[] } };
      const ours = await engine.clip.pixels(await decodeImage(buf));
      expect(pixel_values.dims, name).toEqual([1, 3, engine.pack.clipImageSize, engine.pack.clipImageSize]);
      expect(maxAbsDiff(ours, pixel_values.data), name).toBeLessThanOrEqual(1e-6);
      const { image_embeds } = (await visionModel({ pixel_values })) as { image_embeds: { data: Float32Array } };
      const [emb] = await engine.clip.embedPixelsRaw([ours]);
      expect(maxAbsDiff(emb!, image_embeds.data), name).toBeLessThanOrEqual(1e-4);
    }
  });
});
