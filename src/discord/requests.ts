/**
 * A generation as plain data: what to draw and from what. Commands, buttons and reactions build one;
 * `runRequest` carries it out. Being data (attachment metadata or an embedding, no closures), it can
 * be journalled and run again after a restart.
 */
import type { GenerateOptions, Generation } from '../engine/index.ts';
import { downloadAttachment, type AttachmentMeta } from './attachments.ts';
import type { BotContext } from './context.ts';

/** An image to start from: an attachment to fetch, or a stored normalized CLIP image embedding. */
export type ImageSource = { attachment: AttachmentMeta } | { embedding: Float32Array };

export type GenerationRequest =
  | { kind: 'imagine'; prompt: string; n: number; seed?: number; guidance?: number }
  | { kind: 'vary'; image: ImageSource; n: number }
  | { kind: 'blend'; first: ImageSource; second: ImageSource; ratio: number; animate: boolean };

export interface ImageResult extends Generation {
  animation?: Buffer;
  /** What was decoded (vary/blend): 🔁 decodes it again. */
  source?: Float32Array | null;
}

export const ANIMATION_FRAMES = 12;

/** Images fetched ahead, while the job waits in line (sharp and I/O stay outside the queue). */
export type Prefetched = Map<ImageSource, Promise<Buffer | Float32Array>>;

export function prefetch(ctx: BotContext, request: GenerationRequest): Prefetched {
  const sources: [ImageSource, string][] =
    request.kind === 'vary' ? [[request.image, 'The image']] : request.kind === 'blend' ? [[request.first, 'The first image'], [request.second, 'The second image']] : [];
  const out: Prefetched = new Map();
  for (const [source, what] of sources) {
    const p: Promise<Buffer | Float32Array> = 'embedding' in source ? Promise.resolve(source.embedding) : downloadAttachment(source.attachment, ctx.attachments, what);
    p.catch(() => {});
    out.set(source, p);
  }
  return out;
}

/** Options every generation gets from the configuration (steps). */
export function generateOptions(ctx: BotContext, extra: GenerateOptions): GenerateOptions {
  return {
    ...(ctx.config.steps ? { steps: ctx.config.steps } : {}),
    ...(ctx.config.priorSteps ? { priorSteps: ctx.config.priorSteps } : {}),
    ...extra,
  };
}

function inputOf(ctx: BotContext, source: ImageSource, prefetched: Prefetched): Promise<Buffer | Float32Array> {
  return prefetched.get(source) ?? prefetch(ctx, { kind: 'vary', image: source, n: 1 }).get(source)!;
}

/** The embedding of a source: stored, or computed from the fetched image. */
async function embeddingOf(ctx: BotContext, source: ImageSource, prefetched: Prefetched): Promise<Float32Array> {
  const input = await inputOf(ctx, source, prefetched);
  if (input instanceof Float32Array) return input;
  const [embedding] = await ctx.engine.embedImages([input]);
  return embedding!;
}

/** Runs the request on the engine (inside a queue job). */
export async function runRequest(ctx: BotContext, request: GenerationRequest, opts: GenerateOptions, prefetched: Prefetched = new Map()): Promise<ImageResult> {
  switch (request.kind) {
    case 'imagine': {
      const { prompt, n, seed, guidance } = request;
      return ctx.engine.imagine(prompt, generateOptions(ctx, { ...opts, n, ...(seed !== undefined ? { seed } : {}), ...(guidance !== undefined ? { guidance } : {}) }));
    }
    case 'vary': {
      const source = await embeddingOf(ctx, request.image, prefetched);
      return { ...(await ctx.engine.vary(source, generateOptions(ctx, { ...opts, n: request.n }))), source };
    }
    case 'blend': {
      // Images or embeddings as they are: the engine names "the first/second image" in its messages.
      const [first, second] = await Promise.all([inputOf(ctx, request.first, prefetched), inputOf(ctx, request.second, prefetched)]);
      const result = await ctx.engine.blend(first, second, {
        ...generateOptions(ctx, { ...opts, n: 1 }),
        ratio: request.ratio,
        frames: request.animate ? ANIMATION_FRAMES : 1,
      });
      return { ...result, source: result.blended };
    }
  }
}
