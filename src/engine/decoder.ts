/**
 * The unCLIP decoder: normalized CLIP image embeddings → pixels. Samples the decoder's space
 * (`decoder.sample_shape`, pixels or latents) with the scheduler it is asked for (DDIM, DPM-Solver++, UniPC) and classifier-free guidance, then goes up to
 * display resolution with the pack's latent decoder and/or upsampler. Images come out in [−1, 1].
 */
import type { DecoderConfig } from './manifest.ts';
import type { Rng } from './rng.ts';
import { sample } from './sampler.ts';
import type { Schedulers, SchedulerName } from './schedulers/index.ts';
import { floatTensor, runFloat, type Session } from './sessions.ts';
import { stackRows } from './vectors.ts';

export interface DecodeRequest {
  imageEmbeds: readonly Float32Array[];
  rngs: readonly Rng[];
  scheduler: SchedulerName;
  steps: number;
  guidance: number;
  /** DDIM's η (0 for deterministic schedulers). */
  eta: number;
  signal?: AbortSignal;
  /** After each step; `x0` is the current estimate in the decoder's space ([B, C, h, w] flat). */
  onStep?: (step: number, steps: number, x0: Float32Array) => void;
}

export class Decoder {
  constructor(
    private readonly session: Session,
    readonly config: DecoderConfig,
    readonly dim: number,
    private readonly latentDecoder: Session | undefined,
    private readonly upsampler: Session | undefined,
    /** Side of the images `toImages` returns. */
    readonly imageSize: number,
    /** Built once from the decoder's schedule in pack.json. */
    private readonly schedulers: Schedulers,
  ) {}

  /** Samples the decoder space; returns [B, C, h, w] flat. */
  async sample(req: DecodeRequest): Promise<Float32Array> {
    return sample({
      session: this.session,
      names: { sample: 'sample', timestep: 'timestep', cond: 'image_embeds', output: 'model_output' },
      rowShape: [...this.config.sampleShape],
      cond: stackRows(req.imageEmbeds),
      condDim: this.dim,
      scheduler: this.schedulers.get(req.scheduler),
      steps: req.steps,
      guidance: req.guidance,
      eta: req.eta,
      rngs: req.rngs,
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.onStep ? { onStep: req.onStep } : {}),
    });
  }

  /** Decoder-space samples [B, C, h, w] → images [B, 3, S, S] in [−1, 1] at display size. */
  async toImages(samples: Float32Array, batch: number, opts: { upsample?: boolean } = {}): Promise<Float32Array> {
    const [C, h, w] = this.config.sampleShape;
    let images = samples;
    let side = h;
    if (this.latentDecoder) {
      images = await runFloat(this.latentDecoder, { latents: floatTensor(samples, [batch, C, h, w]) }, 'image');
      side = Math.round(Math.sqrt(images.length / batch / 3));
    }
    if (this.upsampler && opts.upsample !== false) {
      images = await runFloat(this.upsampler, { image: floatTensor(images, [batch, 3, side, side]) }, 'image');
    }
    return images;
  }
}
