/**
 * CLIP: the tokenizer (@huggingface/tokenizers over the pack's tokenizer.json), the text and image
 * encoders (batched), and zero-shot scores = softmax(logit_scale · cosine).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { join } from 'node:path';
import { PackError } from './errors.ts';
import type { LoadedPack } from './pack.ts';
import { preprocessImage, type Preprocessor } from './preprocess.ts';
import { floatTensor, ort, runFloat, type Session } from './sessions.ts';
import { dot, l2normalize, softmax, splitRows } from './vectors.ts';
import { simpleWordLevel, type FastEncode } from './word-tokenizer.ts';
import type { RgbImage } from './images.ts';

export interface TokenizedBatch {
  ids: BigInt64Array;
  batch: number;
  length: number;
  /** Number of tokens of each text before padding (after truncation). */
  lengths: number[];
}

/** Texts encoded per ONNX call (bounds memory for 1000-label classify). */
const TEXT_BATCH = 128;
const IMAGE_BATCH = 32;
const CACHE_SIZE = 4096;

export class Clip {
  readonly tokenizer: Tokenizer;
  /** The word-level fast path, for the simple tokenizers the shapes packs ship (undefined otherwise). */
  private readonly fastEncode: FastEncode | undefined;
  readonly contextLength: number;
  readonly padId: number;
  readonly logitScale: number;
  readonly preprocessor: Preprocessor;
  readonly imageSize: number;
  private readonly text: Session;
  private readonly vision: Session;
  private readonly textCache = new Map<string, Float32Array>();
  /** Use the text-embedding cache (labels and describe's captions repeat across requests). */
  cacheTexts = true;

  constructor(pack: LoadedPack) {
    try {
      this.tokenizer = new Tokenizer(pack.tokenizerJson, pack.tokenizerConfig);
      this.tokenizer.encode('a test');
    } catch (err) {
      throw new PackError(join(pack.dir, 'tokenizer.json'), `cannot be used by @huggingface/tokenizers (${(err as Error).message})`);
    }
    this.fastEncode = simpleWordLevel(pack.tokenizerJson);
    this.contextLength = pack.info.contextLength;
    this.padId = pack.manifest?.clip.padId ?? this.tokenId(pack.tokenizerConfig['pad_token']) ?? 0;
    this.logitScale = pack.info.logitScale;
    this.preprocessor = pack.preprocessor;
    this.imageSize = pack.info.clipImageSize;
    this.text = pack.sessions.text;
    this.vision = pack.sessions.vision;
  }

  private tokenId(token: unknown): number | undefined {
    const t = typeof token === 'string' ? token : typeof token === 'object' && token !== null && 'content' in token ? String(token.content) : undefined;
    return t === undefined ? undefined : this.tokenizer.token_to_id(t);
  }

  /** Token ids of one text with special tokens, truncated to the context length (keeping the last, EOS, token). */
  encodeIds(text: string): number[] {
    const ids = this.fastEncode?.(text) ?? this.tokenizer.encode(text).ids;
    if (ids.length <= this.contextLength) return ids;
    return [...ids.slice(0, this.contextLength - 1), ids[ids.length - 1]!];
  }

  /** The number of tokens of a text with special tokens, before truncation. */
  tokenCount(text: string): number {
    return (this.fastEncode?.(text) ?? this.tokenizer.encode(text).ids).length;
  }

  /** Tokenizes a batch, padding to the longest (the text models are padding-invariant). */
  tokenize(texts: readonly string[]): TokenizedBatch {
    const rows = texts.map((t) => this.encodeIds(t));
    const length = Math.max(1, ...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * length).fill(BigInt(this.padId));
    rows.forEach((r, i) => r.forEach((id, j) => (ids[i * length + j] = BigInt(id))));
    return { ids, batch: rows.length, length, lengths: rows.map((r) => r.length) };
  }

  /** Raw (not normalized) text embeddings of a batch, one ONNX call. */
  async embedTextsRaw(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const tok = this.tokenize(texts);
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', tok.ids, [tok.batch, tok.length]) };
    if (this.text.inputNames.includes('attention_mask')) {
      const mask = new BigInt64Array(tok.ids.length);
      tok.lengths.forEach((n, i) => mask.fill(1n, i * tok.length, i * tok.length + n));
      feeds['attention_mask'] = new ort.Tensor('int64', mask, [tok.batch, tok.length]);
    }
    const out = await runFloat(this.text, feeds, 'text_embeds');
    return splitRows(out, tok.batch);
  }

  /** L2-normalized text embeddings, batched, with an LRU cache. */
  async embedTexts(texts: readonly string[]): Promise<Float32Array[]> {
    const result: (Float32Array | undefined)[] = texts.map((t) => (this.cacheTexts ? this.cacheGet(t) : undefined));
    const missing = [...new Set(texts.filter((_, i) => !result[i]))];
    const fresh = new Map<string, Float32Array>();
    for (let i = 0; i < missing.length; i += TEXT_BATCH) {
      const chunk = missing.slice(i, i + TEXT_BATCH);
      const embs = await this.embedTextsRaw(chunk);
      chunk.forEach((t, k) => fresh.set(t, l2normalize(embs[k]!)));
    }
    if (this.cacheTexts) for (const [t, e] of fresh) this.cachePut(t, e);
    return texts.map((t, i) => result[i] ?? fresh.get(t)!);
  }

  private cacheGet(t: string): Float32Array | undefined {
    const e = this.textCache.get(t);
    if (e) {
      this.textCache.delete(t);
      this.textCache.set(t, e);
    }
    return e;
  }

  private cachePut(t: string, e: Float32Array): void {
    this.textCache.set(t, e);
    if (this.textCache.size > CACHE_SIZE) this.textCache.delete(this.textCache.keys().next().value!);
  }

  /** Preprocessed pixel tensor [3, S, S] of an RGB image. */
  pixels(image: RgbImage): Promise<Float32Array> {
    return preprocessImage(this.preprocessor, image);
  }

  /** Raw image embeddings of preprocessed pixel tensors. */
  async embedPixelsRaw(pixels: readonly Float32Array[]): Promise<Float32Array[]> {
    const S = this.imageSize;
    const out: Float32Array[] = [];
    for (let i = 0; i < pixels.length; i += IMAGE_BATCH) {
      const chunk = pixels.slice(i, i + IMAGE_BATCH);
      const data = new Float32Array(chunk.length * 3 * S * S);
      chunk.forEach((p, k) => data.set(p, k * 3 * S * S));
      const res = await runFloat(this.vision, { pixel_values: floatTensor(data, [chunk.length, 3, S, S]) }, 'image_embeds');
      out.push(...splitRows(res, chunk.length));
    }
    return out;
  }

  /** L2-normalized image embeddings of RGB images. */
  async embedImages(images: readonly RgbImage[]): Promise<Float32Array[]> {
    const pixels = await Promise.all(images.map((img) => this.pixels(img)));
    return (await this.embedPixelsRaw(pixels)).map(l2normalize);
  }

  /** Zero-shot scores of one normalized image embedding against normalized text embeddings. */
  scores(image: Float32Array, texts: readonly Float32Array[]): number[] {
    return softmax(texts.map((t) => this.logitScale * dot(image, t)));
  }
}
