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
import { summarizePack, type PackSummary } from './pack-files.ts';
import { Prior } from './prior.ts';
import { UnclipPipeline } from './pipelines/unclip.ts';
import { unclipDefaults, type ModelDefaults } from './pipelines/unclip-defaults.ts';
import type { BlendResult, GenerateOptions, Generation, ImageInput, Sampling, SamplingDefaults } from './requests.ts';
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
import { blendWeight } from './blend-curve.ts';

export { UserInputError, PackError, UnsupportedError } from './errors.ts';
export type { UserInputCode, UserInputDetail } from './errors.ts';
export type { BlendResult, GenerateOptions, Generation, ImageInput, Progress, SamplingDefaults } from './requests.ts';
export type { PackInfo } from './pack.ts';
export { readPackSummary, type PackSummary } from './pack-files.ts';
export type { CaptionSource } from './captions.ts';
export type { WorldVocabulary } from './world.ts';
export { SCHEDULER_NAMES, type SchedulerName } from './schedulers/index.ts';
export { scoreChartPng, DEFAULT_IMAGE_LIMITS, type ImageLimits } from './images.ts';
export { gridCellPng } from './cells.ts';
export { DEFAULT_MAX_LABELS, parseLabels, validatePrompt, validateTemplate } from './validate.ts';
/** Cosine similarity of the engine's embeddings (unit vectors, or raw ones for format-2 packs that say so). */
export { cosine as similarity } from './vectors.ts';

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

const now = () => performance.now();
const round = (ms: number) => Math.round(ms * 10) / 10;

export class Engine {
  readonly pack: PackInfo;
  readonly clip: Clip;
  private readonly loaded: LoadedPack;
  private readonly prior: Prior | undefined;
  private readonly decoder: Decoder | undefined;
  /** Format-2 packs: the whole unCLIP pipeline (then `prior` and `decoder` are undefined). */
  private readonly unclip: UnclipPipeline | undefined;
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
    if (m?.v2 && s.prior && s.decoder) {
      const extra = { ...(s.latentDecoder ? { latentDecoder: s.latentDecoder } : {}), ...(s.cascade ? { cascade: s.cascade } : {}) };
      this.unclip = new UnclipPipeline(this.clip, m.v2, { text: s.text, prior: s.prior, decoder: s.decoder, ...extra }, this.pack.embeddingDim);
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

  /** What the bot states about the pack (its prompt limit, whether it draws, has a world, its guidance). */
  get summary(): PackSummary {
    return summarizePack(this.loaded.dir, { manifest: this.loaded.manifest, contextLength: this.pack.contextLength });
  }

  /** The captions (pack.describe: its world's, its own list's, or the general labels) that CLIP ranks highest for the image. */
  async describe(image: Buffer | Uint8Array, opts: { top?: number } = {}): Promise<{ caption: string; score: number }[]> {
    const top = validateTop(opts.top ?? 5);
    const [emb] = await this.embedImages([image]);
    this.captions ??= (async () => {
      const captions = this.pack.describe.captions;
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

  private requireGenerate(verb: string): { prior: { config: Omit<ModelDefaults, 'variationEta' | 'blendCurve'> }; decoder: { config: ModelDefaults } } {
    if (this.unclip) {
      const d = unclipDefaults(this.unclip.config);
      return { prior: { config: d.prior }, decoder: { config: d.decoder } };
    }
    if (!this.prior || !this.decoder) {
      throw new UnsupportedError(`The model pack "${this.pack.name}" is CLIP-only: it can classify and describe, but not ${verb}.`);
    }
    return { prior: this.prior, decoder: this.decoder };
  }

  /** What a request that names no scheduler or steps runs: each model's pack default. */
  samplingDefaults(): Record<'prior' | 'decoder', SamplingDefaults> {
    const { prior, decoder } = this.requireGenerate('generate images');
    const of = (c: Pick<DiffusionConfig, 'defaultScheduler' | 'defaultSteps' | 'schedulerSteps'>): SamplingDefaults => ({
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
    this.requireGenerate('imagine');
    const text = this.checkPrompt(prompt);
    const { n, seed, scheduler, steps, guidance, eta } = this.common(opts, 0);
    const timings: Record<string, number> = {};
    const t0 = now();
    const imageEmbeds = await this.textToImageEmbeds(text, { ...opts, n, seed }, timings);
    return this.generate(imageEmbeds, { seed, scheduler, steps, guidance, eta, rowStreams: imageEmbeds.map((_, i) => i), prompt: text }, opts, timings, t0);
  }

  /** The prior alone: `n` image embeddings for a prompt, row i seeded as imagine's (a blend takes one for a text). */
  async textToImageEmbeds(prompt: string, opts: GenerateOptions & { n: number; seed: number }, timings: Record<string, number> = {}): Promise<Float32Array[]> {
    const { prior } = this.requireGenerate('imagine');
    const text = this.checkPrompt(prompt);
    const priorScheduler = opts.scheduler === undefined ? prior.config.defaultScheduler : validateScheduler(opts.scheduler);
    const priorSteps = validateSteps(opts.priorSteps ?? defaultStepsFor(prior.config, priorScheduler), prior.config.trainSteps);
    const priorGuidance = validateGuidance(opts.priorGuidance ?? prior.config.defaultGuidance);
    const t0 = now();
    const [textEmb] = await this.clip.embedTexts([text]);
    timings['text'] = now() - t0;
    const t1 = now();
    const rngs = Array.from({ length: opts.n }, (_, i) => new Rng(opts.seed, i));
    const signal = opts.signal ? { signal: opts.signal } : {};
    const onStep = (step: number, total: number) => opts.onProgress?.({ step, steps: total, stage: 'prior' });
    const imageEmbeds = this.unclip
      ? await this.unclip.prior(text, { steps: priorSteps, guidance: priorGuidance, noise: rngs, ...signal, onStep })
      : await this.prior!.sample({ textEmbeds: rngs.map(() => textEmb!), rngs, scheduler: priorScheduler, steps: priorSteps, guidance: priorGuidance, ...signal, onStep });
    timings['prior'] = now() - t1;
    return imageEmbeds;
  }

  private checkPrompt(prompt: string): string {
    const text = validatePrompt(prompt);
    const tokens = this.clip.tokenCount(text);
    if (tokens > this.pack.contextLength) {
      throw new UserInputError(`The prompt is too long (${tokens} tokens; this model reads at most ${this.pack.contextLength}): shorten it.`, { code: 'prompt-tokens', tokens, max: this.pack.contextLength });
    }
    return text;
  }

  /** Resolves an image input (buffer or stored embedding) to an image embedding as the decoder reads it. */
  private async embedding(input: ImageInput, what: string): Promise<Float32Array> {
    if (input instanceof Float32Array) {
      if (input.length !== this.pack.embeddingDim || !input.every(Number.isFinite)) {
        throw new UserInputError(`${what}: a stored embedding must have ${this.pack.embeddingDim} finite numbers (got ${input.length}).`);
      }
      return this.unclip ? this.unclip.toDecoderSpace(Float32Array.from(input)) : l2normalize(input);
    }
    const rgb = await this.decode(input, what);
    const [emb] = this.unclip ? await this.unclip.imageEmbeds([rgb]) : await this.clip.embedImages([rgb]);
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
    // The ratio as people read it (the share of the first image's attributes) → the slerp weight of the first.
    const mix = (r: number) => {
      const w = blendWeight(decoder.config.blendCurve, r);
      return this.unclip ? this.unclip.mix([a, b], [w, 1 - w]) : slerp(a, b, w);
    };
    const blended = mix(ratio);
    const timings: Record<string, number> = { embed: now() - t0 };
    const embeds = Array.from({ length: n }, () => blended);
    const gen = await this.generate(embeds, { seed, scheduler, steps, guidance, eta, rowStreams: embeds.map((_, i) => i) }, opts, timings, t0);
    if (frames <= 1) return { ...gen, blended };
    // The walk: every frame decoded from the same noise (stream 0), so only the embedding changes.
    const t2 = now();
    const walk = Array.from({ length: frames }, (_, i) => mix(100 * (1 - i / (frames - 1))));
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
    const B = embeds.length;
    const t1 = now();
    const rngs = p.rowStreams.map((s) => new Rng(p.seed, 1000 + s));
    const sampling = { scheduler: p.scheduler, steps: p.steps, guidance: p.guidance, eta: p.eta, ...(opts.signal ? { signal: opts.signal } : {}) };
    const onStep = (step: number, steps: number, x0: Float32Array) =>
      opts.onProgress?.({ step, steps, stage: 'decoder', preview: () => this.preview(x0, B) });
    if (this.unclip) {
      const t: Record<string, number> = {};
      const pixels = await this.unclip.decode(embeds, { ...sampling, noise: rngs, onStep, timings: t, ...(p.prompt ? { prompt: p.prompt } : {}) });
      if (timings) Object.assign(timings, t);
      return tensorToImages(pixels, B, this.unclip.imageSize);
    }
    const samples = await this.decoder!.sample({ ...sampling, imageEmbeds: embeds, rngs, onStep });
    const t2 = now();
    const pixels = await this.decoder!.toImages(samples, B);
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
      (this.unclip ? this.unclip.imageEmbeds(rgb) : this.clip.embedImages(rgb)).then((e) => ((timings['embed_outputs'] = now() - t), e)),
    ]);
    timings['png_and_embed'] = now() - t;
    timings['total'] = now() - t0;
    for (const k of Object.keys(timings)) timings[k] = round(timings[k]!);
    return { images, grid, embeddings, seed: p.seed, timings };
  }

  /** Preview of an x0 estimate in the decoder's space: through the latent decoder (no upsampler), small. */
  private async preview(x0: Float32Array, batch: number): Promise<Buffer> {
    const pixels = this.unclip ? await this.unclip.toImages(x0, batch) : await this.decoder!.toImages(x0, batch, { upsample: false });
    return previewPng(tensorToImages(pixels, batch, Math.round(Math.sqrt(pixels.length / batch / 3))), 64);
  }
}
