/**
 * The one processor: runs a job's request on the engine and returns its result as data (images and
 * embeddings, scores, a judged entry). The queue calls it, one job at a time; it knows nothing of
 * messages, which are delivery.ts's.
 */
import { DEFAULT_MAX_LABELS, gridCellPng, similarity, UserInputError, type Engine, type GenerateOptions, type Progress } from '../engine/index.ts';
import { dream } from '../engine/dream.ts';
import { randomSeed } from '../engine/rng.ts';
import { varyToward } from '../engine/text-diff.ts';
import type { Processor } from '../queue/index.ts';
import type { BotContext } from './context.ts';
import { userErrorText, type Messages } from './i18n/index.ts';
import { messagesOf, type ImageSource, type JobRequest, type JobResult } from './request.ts';
import { quote } from './texts.ts';

export const ANIMATION_FRAMES = 12;
/** The labels /classify and "Classify image" take (the engine's default cap). */
export const MAX_LABELS = DEFAULT_MAX_LABELS;

/**
 * What running a job needs: the engine, the configured steps, the downloads, and the store (battles)
 * where there is one: a Redis worker has none, and draws a battle entry for the theme in its request.
 */
export type ProcessorContext = Pick<BotContext, 'config' | 'downloads'> & { engine: Engine; store: Pick<BotContext['store'], 'battles'> | null };

export function createProcessor(ctx: ProcessorContext): Processor<JobRequest, JobResult, Progress> {
  return (job, signal) => {
    // The prior's steps are quick and have no picture: the first report shown is the decoder's first step.
    const onProgress = (p: Progress) => p.stage === 'decoder' && job.updateProgress(p);
    return runRequest(ctx, job.data, { signal, onProgress });
  };
}

/** Options every generation gets from the configuration (steps). */
function generateOptions(ctx: ProcessorContext, extra: GenerateOptions): GenerateOptions {
  return {
    ...(ctx.config.steps ? { steps: ctx.config.steps } : {}),
    ...(ctx.config.priorSteps ? { priorSteps: ctx.config.priorSteps } : {}),
    ...extra,
  };
}

/** The image (fetched, or fetched ahead), the stored embedding, or the prior's image embedding for a text (drawn with `seed`). */
async function inputOf(ctx: ProcessorContext, m: Messages, source: ImageSource, what: string, signal: AbortSignal, seed = randomSeed()): Promise<Buffer | Float32Array> {
  if ('embedding' in source) return source.embedding;
  if ('text' in source) return (await ctx.engine.textToImageEmbeds(source.text, { ...generateOptions(ctx, { signal }), n: 1, seed }))[0]!;
  return ctx.downloads.take(source.attachment, what, signal, m);
}

type RunOptions = { signal: AbortSignal; onProgress: (p: Progress) => void };

/**
 * Runs the request; the engine's input errors come out in the requester's language (so a Redis
 * worker, which sends only the message back, sends it already said).
 */
export async function runRequest(ctx: ProcessorContext, request: JobRequest, opts: RunOptions): Promise<JobResult> {
  const m = messagesOf(request);
  try {
    return await run(ctx, request, opts, m);
  } catch (error) {
    if (error instanceof UserInputError && error.detail) {
      const text = userErrorText(error, m);
      if (text !== error.message) throw new UserInputError(text);
    }
    throw error;
  }
}

async function run(ctx: ProcessorContext, request: JobRequest, opts: RunOptions, m: Messages): Promise<JobResult> {
  const { engine } = ctx;
  switch (request.kind) {
    case 'imagine': {
      const { prompt, n, seed, guidance } = request;
      const options = generateOptions(ctx, { ...opts, n, ...(seed !== undefined ? { seed } : {}), ...(guidance !== undefined ? { guidance } : {}) });
      return { kind: 'images', ...(await engine.imagine(prompt, options)) };
    }
    case 'vary': {
      const input = await inputOf(ctx, m, request.image, m.image.the, opts.signal);
      const source = input instanceof Float32Array ? input : (await engine.embedImages([input]))[0]!;
      return { kind: 'images', ...(await engine.vary(source, generateOptions(ctx, { ...opts, n: request.n }))), source };
    }
    case 'vary-toward': {
      const input = await inputOf(ctx, m, request.image, m.image.the, opts.signal);
      const { from, toward, strength, animate, n } = request;
      const result = await varyToward(engine, input, toward, { ...generateOptions(ctx, { ...opts, n }), from, strength, frames: animate ? ANIMATION_FRAMES : 1 });
      const { blended, from: said, theta } = result;
      return { kind: 'images', images: result.images, grid: result.grid, embeddings: result.embeddings, seed: result.seed, timings: result.timings, ...(result.animation ? { animation: result.animation } : {}), source: blended, note: m.textDiffNote(quote(said), quote(result.toward), theta.toFixed(2)) };
    }
    case 'blend': {
      // Images or embeddings as they are: the engine names "the first/second image" in its messages.
      // One seed for the prior (a text's embedding) and the decoder: the same request gives the same picture.
      const seed = randomSeed();
      const [first, second] = await Promise.all([
        inputOf(ctx, m, request.first, m.image.first, opts.signal, seed),
        inputOf(ctx, m, request.second, m.image.second, opts.signal, seed),
      ]);
      const result = await engine.blend(first, second, {
        ...generateOptions(ctx, { ...opts, n: 1, seed }),
        ratio: request.ratio,
        frames: request.animate ? ANIMATION_FRAMES : 1,
      });
      return { kind: 'images', ...result, source: result.blended };
    }
    case 'dream': {
      const { start, mode, frames } = request;
      const from = 'prompt' in start ? start : { image: await inputOf(ctx, m, start.image, m.image.the, opts.signal) };
      const r = await dream(engine, from, { ...generateOptions(ctx, { signal: opts.signal }), mode, frames, onProgress: opts.onProgress });
      return { kind: 'images', images: r.images, grid: r.grid, embeddings: r.embeddings, seed: r.seed, timings: r.timings, animation: r.animation, gif: r.gif, note: m.dreamNote(r.frames, mode) };
    }
    case 'classify': {
      const image = await ctx.downloads.take(request.image, m.image.the, opts.signal, m);
      const classify = (png: Buffer) => engine.classify(png, request.labels, { maxLabels: MAX_LABELS, ...(request.template ? { template: request.template } : {}) });
      if (!request.cells || request.cells < 2) return { kind: 'scores', scores: await classify(image) };
      // A grid: CLIP would see four small objects; each cell is classified on its own.
      const cells = [];
      for (let i = 0; i < request.cells; i++) cells.push(await classify(await gridCellPng(image, request.cells, i)));
      return { kind: 'scores', scores: cells[0]!, cells };
    }
    case 'describe': {
      const image = await ctx.downloads.take(request.image, m.image.the, opts.signal, m);
      const { kind, captions } = engine.pack.describe;
      return { kind: 'captions', captions: await engine.describe(image, { top: request.top }), among: { kind, count: captions.length } };
    }
    case 'battle-entry': {
      const battle = ctx.store ? ctx.store.battles.get(request.battleId) : { state: 'open', theme: request.theme };
      if (!battle || battle.state !== 'open') throw new UserInputError(m.battle.closedBeforeDrawn);
      const generation = await engine.imagine(request.prompt, generateOptions(ctx, { ...opts, n: 1 }));
      const [theme] = await engine.embedTexts([battle.theme]);
      return { kind: 'entry', ...generation, judge: similarity(theme!, generation.embeddings[0]!) };
    }
  }
}
