/**
 * The engine façade: imagine / vary / blend / classify / describe over one loaded model pack.
 * Knows nothing of Discord; the bot and the CLI call these methods.
 */
import { Clip } from './clip.ts';
import { Decoder } from './decoder.ts';
import { UnsupportedError, UserInputError } from './errors.ts';
import { animatedWebp, decodeImage, DEFAULT_IMAGE_LIMITS, gridPng, previewPng, tensorToImages, toPng, type ImageLimits, type RgbImage } from './images.ts';
import type { DiffusionConfig } from './manifest.ts';
import { loadPack, releasePack, type LoadedPack, type PackInfo } from './pack.ts';
import { Prior } from './prior.ts';
import { randomSeed, Rng } from './rng.ts';
import { defaultStepsFor, SCHEDULER_NAMES, Schedulers, validateScheduler, type SchedulerName } from './schedulers/index.ts';
import type { Device, SessionSettings } from './sessions.ts';
import {
  DEFAULT_MAX_LABELS,
  parseLabels,
  validateCount,
  validateEta,
  validateFrames,
  validateGuidance,
  validatePrompt,
  validateRatio,
  validateSeed,
  validateSteps,
  validateTemplate,
  validateTop,
} from './validate.ts';
import { l2normalize, slerp } from './vectors.ts';
import { describeCaptions } from './world.ts';

export { UserInputError, PackError, UnsupportedError } from './errors.ts';
export type { PackInfo } from './pack.ts';
export type { WorldVocabulary } from './world.ts';
export { SCHEDULER_NAMES, type SchedulerName } from './schedulers/index.ts';
export { scoreChartPng, DEFAULT_IMAGE_LIMITS, type ImageLimits } from './images.ts';
export { DEFAULT_MAX_LABELS, parseLabels, validatePrompt, validateTemplate } from './validate.ts';
/** Cosine similarity of the engine's embeddings, which are unit vectors: their dot product. */
export { dot as similarity } from './vectors.ts';

export interface EngineLoadOptions {
  packDir: string;
  /** Default 'cpu'. 'cuda' falls back to the CPU with one log line. (The caller reads UNCLIP_DEVICE.) */
  device?: Device;
  /** ONNX intra-op threads. Default: the number of cores. (The caller reads UNCLIP_THREADS.) */
  threads?: number;
  log?: (line: string) => void;
  imageLimits?: Partial<ImageLimits>;
  /** Advanced: ONNX session settings (used by the bench to compare options). */
  sessionSettings?: Partial<SessionSettings>;
}

export interface Progress {
  step: number;
  steps: number;
  stage: 'prior' | 'decoder';
  /** A small PNG of the current x0 estimate; computed only if called. */
  preview?: () => Promise<Buffer>;
}

export interface GenerateOptions {
  /** 1–4 images. */
  n?: number;
  seed?: number;
  /** The prior's and the decoder's scheduler (default: each model's `default_scheduler` in the pack). */
  scheduler?: SchedulerName;
  /** Decoder steps (default: the pack's for that scheduler). */
  steps?: number;
  /** Decoder guidance scale (default: the pack's). */
  guidance?: number;
  /** DDIM η of the decoder (default 0 for imagine, the pack's variation_eta for vary/blend when DDIM runs; DDIM only). */
  eta?: number;
  /** Prior steps and guidance (default: the pack's). */
  priorSteps?: number;
  priorGuidance?: number;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export interface Generation {
  /** PNGs. */
  images: Buffer[];
  /** 2×2 PNG grid for 3–4 images, 2×1 for 2, the image itself for 1. */
  grid: Buffer;
  /** Normalized CLIP image embedding of each output (for variations later). */
  embeddings: Float32Array[];
  seed: number;
  /** Milliseconds per stage, and `total`. */
  timings: Record<string, number>;
}

export interface BlendResult extends Generation {
  /** Animated WebP walking from the first image to the second, when frames > 1. */
  animation?: Buffer;
  /** The conditioning embedding: slerp of the two inputs' normalized embeddings at `ratio`. */
  blended: Float32Array;
}

export type ImageInput = Buffer | Uint8Array | Float32Array;

/** A model's default scheduler, its steps, and the steps each scheduler gets when a request names it alone. */
export interface SamplingDefaults {
  scheduler: SchedulerName;
  steps: number;
  stepsFor: Record<SchedulerName, number>;
}

/** One decoding's sampling settings, resolved and checked. */
interface Sampling {
  seed: number;
  scheduler: SchedulerName;
  steps: number;
  guidance: number;
  eta: number;
  rowStreams: number[];
}

const now = () => performance.now();
const round = (ms: number) => Math.round(ms * 10) / 10;

export class Engine {
  readonly pack: PackInfo;
  readonly clip: Clip;
  private readonly loaded: LoadedPack;
  private readonly prior: Prior | undefined;
  private readonly decoder: Decoder | undefined;
  private readonly limits: ImageLimits;
  private captions: Promise<{ captions: string[]; embeds: Float32Array[] }> | undefined;
  private closing: Promise<void> | undefined;

  private constructor(loaded: LoadedPack, limits: ImageLimits) {
    this.loaded = loaded;
    this.pack = loaded.info;
    this.limits = limits;
    this.clip = new Clip(loaded);
    const m = loaded.manifest;
    const s = loaded.sessions;
    // Each model's schedulers are built once from its schedule in pack.json.
    if (m?.prior && s.prior) this.prior = new Prior(s.prior, m.prior, this.pack.embeddingDim, new Schedulers(m.prior));
    if (m?.decoder && s.decoder) {
      this.decoder = new Decoder(s.decoder, m.decoder, this.pack.embeddingDim, s.latentDecoder, s.upsampler, this.pack.imageSize, new Schedulers(m.decoder));
    }
  }

  static async load(opts: EngineLoadOptions): Promise<Engine> {
    const loaded = await loadPack(opts.packDir, {
      device: opts.device ?? 'cpu',
      ...(opts.threads ? { threads: opts.threads } : {}),
      ...(opts.log ? { log: opts.log } : {}),
      ...(opts.sessionSettings ? { settings: opts.sessionSettings } : {}),
    });
    try {
      return new Engine(loaded, { ...DEFAULT_IMAGE_LIMITS, ...opts.imageLimits });
    } catch (err) {
      await releasePack(loaded);
      throw err;
    }
  }

  /** Releases the ONNX sessions; calling it again does nothing. */
  async close(): Promise<void> {
    this.closing ??= releasePack(this.loaded);
    await this.closing;
  }

  // ---- CLIP ----

  /** Decodes and validates an image buffer (UserInputError on bad input). */
  decode(image: Buffer | Uint8Array, what?: string): Promise<RgbImage> {
    return decodeImage(image, this.limits, what);
  }

  async embedImages(images: readonly (Buffer | Uint8Array)[]): Promise<Float32Array[]> {
    const rgb = await Promise.all(images.map((img, i) => this.decode(img, images.length > 1 ? `Image ${i + 1}` : 'The image')));
    return this.clip.embedImages(rgb);
  }

  embedTexts(texts: readonly string[]): Promise<Float32Array[]> {
    return this.clip.embedTexts(texts);
  }

  /** Zero-shot classification: scores sorted high to low, summing to 1. */
  async classify(
    image: Buffer | Uint8Array,
    labels: readonly string[] | string,
    opts: { template?: string; maxLabels?: number } = {},
  ): Promise<{ label: string; score: number }[]> {
    const list = parseLabels(labels, opts.maxLabels ?? DEFAULT_MAX_LABELS);
    const template = validateTemplate(opts.template ?? '{}');
    // The image (sharp, then the vision model) and the labels (the text model) in parallel.
    const [[emb], texts] = await Promise.all([this.embedImages([image]), this.clip.embedTexts(list.map((l) => template.replace('{}', l)))]);
    const scores = this.clip.scores(emb!, texts);
    return list.map((label, i) => ({ label, score: scores[i]! })).sort((a, b) => b.score - a.score);
  }

  /** The captions of the pack's world that CLIP ranks highest for the image. */
  async describe(image: Buffer | Uint8Array, opts: { top?: number } = {}): Promise<{ caption: string; score: number }[]> {
    const top = validateTop(opts.top ?? 5);
    const [emb] = await this.embedImages([image]);
    this.captions ??= (async () => {
      const captions = describeCaptions(this.pack.world);
      const prev = this.clip.cacheTexts;
      this.clip.cacheTexts = false; // a fixed set: kept here, not in the LRU
      try {
        return { captions, embeds: await this.clip.embedTexts(captions) };
      } finally {
        this.clip.cacheTexts = prev;
      }
    })().catch((err: unknown) => {
      this.captions = undefined;
      throw err;
    });
    const { captions, embeds } = await this.captions;
    const scores = this.clip.scores(emb!, embeds);
    return captions
      .map((caption, i) => ({ caption, score: scores[i]! }))
      .sort((a, b) => b.score - a.score)
      .slice(0, top);
  }

  // ---- unCLIP ----

  private requireGenerate(verb: string): { prior: Prior; decoder: Decoder } {
    if (!this.prior || !this.decoder) {
      throw new UnsupportedError(`The model pack "${this.pack.name}" is CLIP-only: it can classify and describe, but not ${verb}.`);
    }
    return { prior: this.prior, decoder: this.decoder };
  }

  /** What a request that names no scheduler or steps runs: each model's pack default. */
  samplingDefaults(): Record<'prior' | 'decoder', SamplingDefaults> {
    const { prior, decoder } = this.requireGenerate('generate images');
    const of = (c: DiffusionConfig): SamplingDefaults => ({
      scheduler: c.defaultScheduler,
      steps: defaultStepsFor(c, c.defaultScheduler),
      stepsFor: Object.fromEntries(SCHEDULER_NAMES.map((n) => [n, defaultStepsFor(c, n)])) as Record<SchedulerName, number>,
    });
    return { prior: of(prior.config), decoder: of(decoder.config) };
  }

  private common(opts: GenerateOptions, defaultEta: number) {
    const { decoder } = this.requireGenerate('generate images');
    const scheduler = opts.scheduler === undefined ? decoder.config.defaultScheduler : validateScheduler(opts.scheduler);
    const eta = validateEta(opts.eta ?? (scheduler === 'ddim' ? defaultEta : 0));
    if (eta > 0 && scheduler !== 'ddim') throw new UserInputError(`Eta applies to the DDIM scheduler only (the ${scheduler} scheduler is deterministic): leave it out or choose ddim.`);
    return {
      n: validateCount(opts.n ?? 4),
      seed: opts.seed === undefined ? randomSeed() : validateSeed(opts.seed),
      scheduler,
      steps: validateSteps(opts.steps ?? defaultStepsFor(decoder.config, scheduler), decoder.config.trainSteps),
      guidance: validateGuidance(opts.guidance ?? decoder.config.defaultGuidance),
      eta,
    };
  }

  async imagine(prompt: string, opts: GenerateOptions = {}): Promise<Generation> {
    const { prior } = this.requireGenerate('imagine');
    const text = validatePrompt(prompt);
    const tokens = this.clip.tokenizer.encode(text).ids.length;
    if (tokens > this.pack.contextLength) {
      throw new UserInputError(`The prompt is too long (${tokens} tokens; this model reads at most ${this.pack.contextLength}): shorten it.`);
    }
    const { n, seed, scheduler, steps, guidance, eta } = this.common(opts, 0);
    const priorScheduler = opts.scheduler === undefined ? prior.config.defaultScheduler : scheduler;
    const priorSteps = validateSteps(opts.priorSteps ?? defaultStepsFor(prior.config, priorScheduler), prior.config.trainSteps);
    const priorGuidance = validateGuidance(opts.priorGuidance ?? prior.config.defaultGuidance);
    const timings: Record<string, number> = {};
    const t0 = now();
    const [textEmb] = await this.clip.embedTexts([text]);
    timings['text'] = now() - t0;
    const t1 = now();
    const imageEmbeds = await prior.sample({
      textEmbeds: Array.from({ length: n }, () => textEmb!),
      rngs: Array.from({ length: n }, (_, i) => new Rng(seed, i)),
      scheduler: priorScheduler,
      steps: priorSteps,
      guidance: priorGuidance,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onStep: (step, total) => opts.onProgress?.({ step, steps: total, stage: 'prior' }),
    });
    timings['prior'] = now() - t1;
    return this.generate(imageEmbeds, { seed, scheduler, steps, guidance, eta, rowStreams: imageEmbeds.map((_, i) => i) }, opts, timings, t0);
  }

  /** Resolves an image input (buffer or stored embedding) to a normalized image embedding. */
  private async embedding(input: ImageInput, what: string): Promise<Float32Array> {
    if (input instanceof Float32Array) {
      if (input.length !== this.pack.embeddingDim || !input.every(Number.isFinite)) {
        throw new UserInputError(`${what}: a stored embedding must have ${this.pack.embeddingDim} finite numbers (got ${input.length}).`);
      }
      return l2normalize(input);
    }
    const [emb] = await this.clip.embedImages([await this.decode(input, what)]);
    return emb!;
  }

  async vary(image: ImageInput, opts: GenerateOptions = {}): Promise<Generation> {
    const { decoder } = this.requireGenerate('make variations');
    const { n, seed, scheduler, steps, guidance, eta } = this.common(opts, decoder.config.variationEta);
    const t0 = now();
    const emb = await this.embedding(image, 'The image');
    const timings: Record<string, number> = { embed: now() - t0 };
    const embeds = Array.from({ length: n }, () => emb);
    return this.generate(embeds, { seed, scheduler, steps, guidance, eta, rowStreams: embeds.map((_, i) => i) }, opts, timings, t0);
  }

  async blend(
    first: ImageInput,
    second: ImageInput,
    opts: GenerateOptions & { ratio?: number; frames?: number } = {},
  ): Promise<BlendResult> {
    const { decoder } = this.requireGenerate('blend');
    const ratio = validateRatio(opts.ratio ?? 50);
    const frames = validateFrames(opts.frames ?? 1);
    const { n, seed, scheduler, steps, guidance, eta } = this.common({ ...opts, n: opts.n ?? 1 }, decoder.config.variationEta);
    const t0 = now();
    const [a, b] = [await this.embedding(first, 'The first image'), await this.embedding(second, 'The second image')];
    const blended = slerp(a, b, ratio / 100);
    const timings: Record<string, number> = { embed: now() - t0 };
    const embeds = Array.from({ length: n }, () => blended);
    const gen = await this.generate(embeds, { seed, scheduler, steps, guidance, eta, rowStreams: embeds.map((_, i) => i) }, opts, timings, t0);
    if (frames <= 1) return { ...gen, blended };
    // The walk: every frame decoded from the same noise (stream 0), so only the embedding changes.
    const t2 = now();
    const walk = Array.from({ length: frames }, (_, i) => slerp(a, b, 1 - i / (frames - 1)));
    const rgb: RgbImage[] = [];
    for (let i = 0; i < walk.length; i += 4) {
      const chunk = walk.slice(i, i + 4);
      rgb.push(...(await this.decodeEmbeds(chunk, { seed, scheduler, steps, guidance, eta, rowStreams: chunk.map(() => 0) }, opts)));
    }
    const animation = await animatedWebp(rgb, Math.round(2000 / frames));
    gen.timings['animation'] = round(now() - t2);
    gen.timings['total'] = round(now() - t0);
    return { ...gen, blended, animation };
  }

  /** Decodes embeddings to RGB images (one decoder batch). */
  private async decodeEmbeds(
    embeds: Float32Array[],
    p: Sampling,
    opts: GenerateOptions,
    timings?: Record<string, number>,
  ): Promise<RgbImage[]> {
    const decoder = this.decoder!;
    const B = embeds.length;
    const t1 = now();
    const samples = await decoder.sample({
      imageEmbeds: embeds,
      rngs: p.rowStreams.map((s) => new Rng(p.seed, 1000 + s)),
      scheduler: p.scheduler,
      steps: p.steps,
      guidance: p.guidance,
      eta: p.eta,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onStep: (step, steps, x0) =>
        opts.onProgress?.({ step, steps, stage: 'decoder', preview: () => this.preview(x0, B) }),
    });
    const t2 = now();
    const pixels = await decoder.toImages(samples, B);
    const t3 = now();
    if (timings) {
      timings['decoder'] = t2 - t1;
      timings['upscale'] = t3 - t2;
    }
    return tensorToImages(pixels, B, Math.round(Math.sqrt(pixels.length / B / 3)));
  }

  private async generate(
    embeds: Float32Array[],
    p: Sampling,
    opts: GenerateOptions,
    timings: Record<string, number>,
    t0: number,
  ): Promise<Generation> {
    const rgb = await this.decodeEmbeds(embeds, p, opts, timings);
    // PNG encoding (sharp's threads) and the outputs' CLIP embeddings (onnxruntime) in parallel.
    const t = now();
    const [images, grid, embeddings] = await Promise.all([
      Promise.all(rgb.map(toPng)),
      gridPng(rgb),
      this.clip.embedImages(rgb).then((e) => ((timings['embed_outputs'] = now() - t), e)),
    ]);
    timings['png_and_embed'] = now() - t;
    timings['total'] = now() - t0;
    for (const k of Object.keys(timings)) timings[k] = round(timings[k]!);
    return { images, grid, embeddings, seed: p.seed, timings };
  }

  /** Preview of an x0 estimate in the decoder's space: through the latent decoder (no upsampler), small. */
  private async preview(x0: Float32Array, batch: number): Promise<Buffer> {
    const pixels = await this.decoder!.toImages(x0, batch, { upsample: false });
    return previewPng(tensorToImages(pixels, batch, Math.round(Math.sqrt(pixels.length / batch / 3))), 64);
  }
}
