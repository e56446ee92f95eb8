/**
 * The engine's request and result shapes (imagine / vary / blend), shared by the façade (index.ts)
 * and its callers.
 */
import type { SchedulerName } from './schedulers/index.ts';

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
  /** CLIP image embedding of each output, as the decoder reads it (for variations later): unit vectors, or raw for packs with `"embeddings": "raw"`. */
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
export interface Sampling {
  seed: number;
  scheduler: SchedulerName;
  steps: number;
  guidance: number;
  eta: number;
  rowStreams: number[];
  /** The prompt, for decoders that read the text too (format 2, Karlo). */
  prompt?: string;
}
