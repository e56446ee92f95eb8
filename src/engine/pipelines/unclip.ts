/**
 * The unCLIP pipeline of format-2 packs (Kandinsky 2.2's shape): text → the prior (conditioned on the
 * pooled text embedding, the text hidden states and their mask, guided against the pack's negative
 * prompt) → a CLIP image embedding → the decoder (guided against the pack's null embedding) → the
 * latent decoder. Each step is diffusers' (KandinskyV22PriorPipeline, KandinskyV22Pipeline); noise
 * comes from the caller, one source per row, so the engine's seeds and diffusers' recorded draws both fit.
 */
import type { Clip } from '../clip.ts';
import { UserInputError } from '../errors.ts';
import type { RgbImage } from '../images.ts';
import type { SchedulerName } from '../schedulers/types.ts';
import { floatTensor, ort, runFloat, type Session } from '../sessions.ts';
import { l2normalize, slerp, splitRows, stackRows } from '../vectors.ts';
import { denoise, type NoiseSource } from './denoise.ts';
import type { PackV2 } from './pack-v2.ts';
import type { CascadeSessions } from './unclip-io.ts';
import { bicubicAntialias } from './upsample.ts';
import { schedulerFor } from './schedulers.ts';

export interface UnclipSessions {
  text: Session;
  prior: Session;
  decoder: Session;
  latentDecoder?: Session;
  cascade?: CascadeSessions[];
}

export interface DecodeV2 extends SamplingV2 {
  scheduler?: SchedulerName;
  /** The prompt a text-conditioned decoder reads (absent: the pack's negative prompt, as for variations). */
  prompt?: string;
  /** Steps of each cascade stage (default: the stage's default_steps). */
  cascadeSteps?: number[];
  /** Milliseconds of the decoder and the stages after it ("upscale"), filled in when given. */
  timings?: Record<string, number>;
}

export interface SamplingV2 {
  steps: number;
  guidance: number;
  /** DDIM's η for the decoder (default 0). */
  eta?: number;
  noise: readonly NoiseSource[];
  signal?: AbortSignal;
  onStep?: (step: number, steps: number, x0: Float32Array) => void;
}

interface TextConditioning {
  embeds: Float32Array;
  hidden: Float32Array;
  mask: BigInt64Array;
  batch: number;
  length: number;
  width: number;
}

export class UnclipPipeline {
  constructor(
    private readonly clip: Clip,
    readonly config: PackV2,
    private readonly sessions: UnclipSessions,
    readonly dim: number,
  ) {}

  /** Side of the images `decode` returns. */
  get imageSize(): number {
    return this.config.cascade.at(-1)?.imageSize ?? this.config.latentDecoder?.imageSize ?? this.config.decoder.sampleShape[1];
  }

  /** The text model's pooled embeddings (raw), hidden states and attention mask, padded as the pack says. */
  async textConditioning(texts: readonly string[]): Promise<TextConditioning> {
    const rows = texts.map((t) => this.clip.encodeIds(t));
    const length = this.config.padToContext ? this.clip.contextLength : Math.max(1, ...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * length).fill(BigInt(this.clip.padId));
    const mask = new BigInt64Array(rows.length * length);
    rows.forEach((r, i) => r.forEach((id, j) => ((ids[i * length + j] = BigInt(id)), (mask[i * length + j] = 1n))));
    const results = await this.sessions.text.run({ input_ids: new ort.Tensor('int64', ids, [rows.length, length]) });
    const embeds = results['text_embeds']!.data as Float32Array;
    const hidden = results['last_hidden_state']!.data as Float32Array;
    return { embeds, hidden, mask, batch: rows.length, length, width: hidden.length / rows.length / length };
  }

  /** The prior: `prompt` → `noise.length` raw CLIP image embeddings (de-standardized as the pack says). */
  async prior(prompt: string, s: SamplingV2): Promise<Float32Array[]> {
    const B = s.noise.length;
    const p = this.config.prior;
    if (p.scheduler.type === 'unclip' && s.steps < 2) throw new UserInputError('The prior of this model needs at least 2 steps.');
    const guided = s.guidance > 1;
    const texts = guided ? [p.negativePrompt, prompt] : [prompt];
    const x = await denoise({
      session: this.sessions.prior,
      names: { sample: 'x_t', timestep: 'timestep', output: 'model_output' },
      rowShape: [this.dim],
      cond: await this.textInputs(texts, B),
      guided,
      guidance: s.guidance,
      scheduler: schedulerFor(p.scheduler),
      steps: s.steps,
      noise: s.noise,
      ...(s.signal ? { signal: s.signal } : {}),
      ...(s.onStep ? { onStep: s.onStep } : {}),
    });
    return splitRows(x, B).map((row) => this.toDecoderSpace(row.map((v, i) => v * p.outputStd[i]! + p.outputMean[i]!)));
  }

  /** The text inputs of a model for rows [texts[0] × B, texts[1] × B, …] (diffusers' order: negative first). */
  private async textInputs(texts: readonly string[], B: number): Promise<Record<string, ort.Tensor>> {
    const c = await this.textConditioning(texts);
    const repeat = <T extends Float32Array | BigInt64Array>(src: T, rowSize: number, out: T): T => {
      for (let k = 0; k < texts.length; k++) for (let b = 0; b < B; b++) out.set(src.subarray(k * rowSize, (k + 1) * rowSize) as never, (k * B + b) * rowSize);
      return out;
    };
    const rows = texts.length * B;
    return {
      text_embeds: floatTensor(repeat(c.embeds, this.dim, new Float32Array(rows * this.dim)), [rows, this.dim]),
      text_hidden_states: floatTensor(repeat(c.hidden, c.length * c.width, new Float32Array(rows * c.length * c.width)), [rows, c.length, c.width]),
      attention_mask: new ort.Tensor('int64', repeat(c.mask, c.length, new BigInt64Array(rows * c.length)), [rows, c.length]),
    };
  }

  /** An embedding as the decoder reads it: as is ("raw") or L2-normalized. */
  toDecoderSpace(e: Float32Array): Float32Array {
    return this.config.embeddings === 'raw' ? e : l2normalize(e);
  }

  /** CLIP image embeddings of images, in the decoder's space. */
  async imageEmbeds(images: readonly RgbImage[]): Promise<Float32Array[]> {
    const pixels = await Promise.all(images.map((img) => this.clip.pixels(img)));
    return (await this.clip.embedPixelsRaw(pixels)).map((e) => this.toDecoderSpace(e));
  }

  /** Mixes embeddings: Kandinsky's interpolate (Σ wᵢ·eᵢ) or, for two, a slerp with weight w₀ on the first. */
  mix(embeds: readonly Float32Array[], weights: readonly number[]): Float32Array {
    if (this.config.blend === 'slerp' && embeds.length === 2) return slerp(l2normalize(embeds[0]!), l2normalize(embeds[1]!), weights[0]!);
    const out = new Float32Array(this.dim);
    embeds.forEach((e, k) => e.forEach((v, i) => (out[i]! += weights[k]! * v)));
    return out;
  }

  /** The decoder's latents → images [B, 3, S, S] in [−1, 1]. */
  async toImages(latents: Float32Array, batch: number): Promise<Float32Array> {
    const ld = this.config.latentDecoder;
    if (!ld || !this.sessions.latentDecoder) return latents;
    const [C, h, w] = this.config.decoder.sampleShape;
    const scaled = ld.scale === 1 ? latents : latents.map((v) => v / ld.scale);
    return runFloat(this.sessions.latentDecoder, { latents: floatTensor(scaled, [batch, C, h, w]) }, 'image');
  }

  /** The decoder: image embeddings (decoder space) → latents [B, C, h, w], guided against the null embedding. */
  async sampleLatents(embeds: readonly Float32Array[], s: DecodeV2): Promise<Float32Array> {
    const d = this.config.decoder;
    const B = embeds.length;
    if (s.noise.length !== B) throw new RangeError(`${s.noise.length} noise sources for ${B} embeddings`);
    const guided = s.guidance > 1;
    const cond = stackRows(guided ? [...embeds.map(() => d.nullEmbedding), ...embeds] : [...embeds]);
    const negative = this.config.prior.negativePrompt;
    const text = d.textConditioning ? await this.textInputs(guided ? [negative, s.prompt ?? negative] : [s.prompt ?? negative], B) : {};
    const x = await denoise({
      session: this.sessions.decoder,
      names: { sample: 'sample', timestep: 'timestep', output: 'model_output' },
      rowShape: [...d.sampleShape],
      outputChannels: d.outputChannels,
      cond: { image_embeds: floatTensor(cond, [guided ? 2 * B : B, this.dim]), ...text },
      guided,
      guidance: s.guidance,
      eta: s.eta ?? 0,
      scheduler: schedulerFor(d.scheduler, s.scheduler),
      steps: s.steps,
      noise: s.noise,
      ...(s.signal ? { signal: s.signal } : {}),
      ...(s.onStep ? { onStep: s.onStep } : {}),
    });
    return d.clampOutput ? x.map((v) => Math.min(1, Math.max(-1, v))) : x;
  }

  /** Images [B, 3, s, s] in [−1, 1] → each super-resolution stage in turn (noise continues from `s.noise`). */
  async upscale(images: Float32Array, B: number, s: DecodeV2): Promise<Float32Array> {
    const sessions = this.sessions.cascade ?? [];
    let x = images;
    let side = Math.round(Math.sqrt(images.length / B / 3));
    for (const [k, st] of this.config.cascade.entries()) {
      const S = st.imageSize;
      const up = bicubicAntialias(x, B, 3, side, side, S, S);
      x = await denoise({
        session: sessions[k]!.model,
        ...(sessions[k]!.lastStepModel ? { lastStepSession: sessions[k]!.lastStepModel } : {}),
        names: { sample: 'sample', timestep: 'timestep', output: 'model_output' },
        rowShape: [3, S, S],
        outputChannels: st.outputChannels,
        cond: { image: floatTensor(up, [B, 3, S, S]) },
        guided: false,
        guidance: 1,
        scheduler: schedulerFor(st.scheduler),
        steps: s.cascadeSteps?.[k] ?? st.defaultSteps,
        noise: s.noise,
        ...(s.signal ? { signal: s.signal } : {}),
      });
      side = S;
    }
    return x;
  }

  /** Embeddings → images [B, 3, S, S] in [−1, 1]: decoder, latent decoder, cascade. */
  async decode(embeds: readonly Float32Array[], s: DecodeV2): Promise<Float32Array> {
    const t0 = performance.now();
    const small = await this.toImages(await this.sampleLatents(embeds, s), embeds.length);
    const t1 = performance.now();
    const images = await this.upscale(small, embeds.length, s);
    if (s.timings) {
      s.timings['decoder'] = t1 - t0;
      s.timings['upscale'] = performance.now() - t1;
    }
    return images;
  }
}
