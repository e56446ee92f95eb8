/**
 * pack.json format 2 (docs/PACK.md, "Format 2"): what real unCLIPs need beyond format 1 — a prior
 * conditioned on the text hidden states and mask, a pack-defined null image embedding, learned-variance
 * decoder outputs, latent scaling, each model's own scheduler configuration, raw (unnormalized) CLIP
 * image embeddings between the prior and the decoder. Every problem is a PackError naming the field.
 */
import { PackError } from '../errors.ts';
import type { Prediction } from '../schedulers/types.ts';

/** A diffusion model's scheduler, as diffusers configured it. */
export type SchedulerConfigV2 =
  | {
      type: 'unclip';
      trainSteps: number;
      alphasCumprod: number[];
      prediction: Prediction;
      variance: 'fixed_small_log' | 'learned_range';
      clipSample: number | null;
      betas?: number[];
    }
  | {
      type: 'ddim';
      trainSteps: number;
      alphasCumprod: number[];
      prediction: Prediction;
      timestepSpacing: 'leading' | 'trailing';
      stepsOffset: number;
      finalAlphaCumprod: number;
    };

export interface PriorV2 {
  scheduler: SchedulerConfigV2;
  defaultSteps: number;
  defaultGuidance: number;
  /** The prompt of the unconditional half of classifier-free guidance. */
  negativePrompt: string;
  /** x0 of the prior is de-standardized at the end: x · std + mean (diffusers' post_process_latents). */
  outputMean: Float32Array;
  outputStd: Float32Array;
}

export interface DecoderV2 {
  scheduler: SchedulerConfigV2;
  defaultSteps: number;
  defaultGuidance: number;
  sampleShape: [number, number, number];
  /** C (one prediction per channel) or 2C (learned variance: the first C channels are the prediction). */
  outputChannels: number;
  /** The unconditional image embedding of classifier-free guidance (Kandinsky: CLIP of a zero image; Karlo: learned). */
  nullEmbedding: Float32Array;
  /** The decoder also reads the text (Karlo): text_embeds, text_hidden_states, attention_mask inputs. */
  textConditioning: boolean;
  /** Clamp the decoder's result to [−1, 1] before the cascade (Karlo). */
  clampOutput: boolean;
}

/** A super-resolution stage: a UNet on [noisy sample, the previous image upscaled], no guidance. */
export interface CascadeStageV2 {
  imageSize: number;
  /** ONNX file (in onnx/) for every step, and the one for the last step if it differs (Karlo's super_res_last). */
  model: string;
  lastStepModel: string | null;
  /** How the previous image is brought to imageSize: PyTorch's bicubic interpolation with antialias. */
  upsample: 'bicubic_antialias';
  scheduler: SchedulerConfigV2;
  defaultSteps: number;
  outputChannels: number;
}

export interface PackV2 {
  /** Whether CLIP image embeddings are passed on as the encoder gives them ("raw") or L2-normalized ("normalized"). */
  embeddings: 'raw' | 'normalized';
  /** How /blend mixes two image embeddings: Kandinsky's interpolate (a weighted sum) or a slerp. */
  blend: 'weighted_sum' | 'slerp';
  /** The text is padded to the context length (the prior reads a fixed number of positions). */
  padToContext: boolean;
  prior: PriorV2;
  decoder: DecoderV2;
  latentDecoder: { imageSize: number; scale: number } | null;
  cascade: CascadeStageV2[];
}

type Obj = Record<string, unknown>;
const FILE = 'pack.json';
function fail(field: string, what: string): never {
  throw new PackError(FILE, `${field} ${what}`);
}
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const posInt = (n: number) => Number.isInteger(n) && n > 0;
function obj(o: Obj, key: string, path: string): Obj {
  const v = o[key];
  if (!isObj(v)) fail(`${path}${key}`, 'must be an object');
  return v;
}
function num(o: Obj, key: string, path: string, check?: (n: number) => boolean, rule = ''): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path}${key}`, 'must be a number');
  if (check && !check(v)) fail(`${path}${key}`, `must be ${rule} (got ${v})`);
  return v;
}
function oneOf<T extends string>(o: Obj, key: string, path: string, choices: readonly T[], dflt?: T): T {
  const v = o[key] ?? dflt;
  if (!choices.includes(v as T)) fail(`${path}${key}`, `must be one of ${choices.map((c) => `"${c}"`).join(', ')} (got ${JSON.stringify(v)})`);
  return v as T;
}
function vector(o: Obj, key: string, path: string, dim: number): Float32Array {
  const v = o[key];
  if (!Array.isArray(v) || v.length !== dim || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    fail(`${path}${key}`, `must be an array of embedding_dim (${dim}) finite numbers`);
  }
  return Float32Array.from(v as number[]);
}
function flag(o: Obj, key: string, path: string): boolean {
  const v = o[key] ?? false;
  if (typeof v !== 'boolean') fail(`${path}${key}`, 'must be true or false');
  return v;
}
const PREDICTIONS = ['epsilon', 'v', 'x0'] as const;

function scheduler(o: Obj, path: string): SchedulerConfigV2 {
  const p = `${path}scheduler.`;
  const s = obj(o, 'scheduler', path);
  const type = oneOf(s, 'type', p, ['unclip', 'ddim'] as const);
  const trainSteps = num(s, 'train_steps', p, posInt, 'a positive integer');
  const ac = s['alphas_cumprod'];
  if (!Array.isArray(ac) || ac.length !== trainSteps) fail(`${p}alphas_cumprod`, `must be an array of train_steps (${trainSteps}) numbers`);
  ac.forEach((a, i) => {
    if (typeof a !== 'number' || !(a > 0 && a <= 1)) fail(`${p}alphas_cumprod[${i}]`, `must be a number in (0, 1] (got ${a})`);
    if (i > 0 && a > (ac[i - 1] as number)) fail(`${p}alphas_cumprod[${i}]`, 'must not increase');
  });
  const prediction = oneOf(s, 'prediction', p, PREDICTIONS);
  const alphasCumprod = ac as number[];
  if (type === 'unclip') {
    if (prediction === 'v') fail(`${p}prediction`, 'must be "epsilon" or "x0" for the unclip scheduler');
    const clip = s['clip_sample'];
    if (clip !== null && clip !== undefined && !(typeof clip === 'number' && clip > 0)) fail(`${p}clip_sample`, 'must be a number > 0 or null');
    const betas = s['betas'];
    if (betas !== undefined && (!Array.isArray(betas) || betas.length !== trainSteps || betas.some((b) => typeof b !== 'number' || !(b > 0 && b < 1)))) {
      fail(`${p}betas`, `must be an array of train_steps (${trainSteps}) numbers in (0, 1)`);
    }
    return {
      type,
      trainSteps,
      alphasCumprod,
      prediction,
      variance: oneOf(s, 'variance', p, ['fixed_small_log', 'learned_range'] as const),
      clipSample: (clip as number | null | undefined) ?? null,
      ...(betas ? { betas: betas as number[] } : {}),
    };
  }
  return {
    type,
    trainSteps,
    alphasCumprod,
    prediction,
    timestepSpacing: oneOf(s, 'timestep_spacing', p, ['leading', 'trailing'] as const, 'leading'),
    stepsOffset: s['steps_offset'] === undefined ? 0 : num(s, 'steps_offset', p, (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0'),
    finalAlphaCumprod: s['final_alpha_cumprod'] === undefined ? 1 : num(s, 'final_alpha_cumprod', p, (n) => n > 0 && n <= 1, 'in (0, 1]'),
  };
}

function defaults(o: Obj, path: string, trainSteps: number) {
  return {
    defaultSteps: num(o, 'default_steps', path, (n) => posInt(n) && n <= trainSteps, `an integer in [1, ${trainSteps}]`),
    defaultGuidance: num(o, 'default_guidance', path, (n) => n >= 0, '≥ 0'),
  };
}

/** The format-2 models of a parsed pack.json (the common fields are format 1's). */
export function parsePackV2(raw: Obj, dim: number): PackV2 {
  const priorRaw = obj(raw, 'prior', '');
  const decoderRaw = obj(raw, 'decoder', '');
  const clip = obj(raw, 'clip', '');
  const ps = scheduler(priorRaw, 'prior.');
  const ds = scheduler(decoderRaw, 'decoder.');
  const shape = decoderRaw['sample_shape'];
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((n) => typeof n === 'number' && posInt(n))) {
    fail('decoder.sample_shape', 'must be [C, h, w] (positive integers)');
  }
  const [C] = shape as [number, number, number];
  const outputChannels = decoderRaw['output_channels'] === undefined ? C : num(decoderRaw, 'output_channels', 'decoder.', (n) => n === C || n === 2 * C, `${C} or ${2 * C} (C or 2C)`);
  const negative = priorRaw['negative_prompt'] ?? '';
  if (typeof negative !== 'string') fail('prior.negative_prompt', 'must be a string');
  const latentRaw = raw['latent_decoder'];
  if (latentRaw !== undefined && latentRaw !== null && !isObj(latentRaw)) fail('latent_decoder', 'must be an object or null');
  const latentDecoder = isObj(latentRaw)
    ? {
        imageSize: num(latentRaw, 'image_size', 'latent_decoder.', posInt, 'a positive integer'),
        scale: latentRaw['scale'] === undefined ? 1 : num(latentRaw, 'scale', 'latent_decoder.', (n) => n > 0, '> 0'),
      }
    : null;
  if (!latentDecoder && C !== 3) fail('decoder.sample_shape', 'must have 3 channels for a pixel decoder (or add latent_decoder)');
  const cascadeRaw = raw['cascade'] ?? [];
  if (!Array.isArray(cascadeRaw)) fail('cascade', 'must be an array of super-resolution stages');
  let side = latentDecoder?.imageSize ?? (shape as number[])[1]!;
  const cascade = cascadeRaw.map((st: unknown, i): CascadeStageV2 => {
    const p = `cascade[${i}].`;
    if (!isObj(st)) fail(`cascade[${i}]`, 'must be an object');
    const imageSize = num(st, 'image_size', p, (n) => posInt(n) && n > side, `an integer above the previous stage's ${side}`);
    side = imageSize;
    const file = (key: string) => {
      const f = st[key];
      if (typeof f !== 'string' || !/^[\w.-]+\.onnx$/.test(f)) fail(`${p}${key}`, 'must be the name of an .onnx file in onnx/');
      return f;
    };
    const model = file('model');
    const lastStepModel = st['last_step_model'] === undefined || st['last_step_model'] === null ? null : file('last_step_model');
    const sch = scheduler(st, p);
    return {
      imageSize,
      model,
      lastStepModel,
      upsample: oneOf(st, 'upsample', p, ['bicubic_antialias'] as const),
      scheduler: sch,
      defaultSteps: num(st, 'default_steps', p, (n) => posInt(n) && n <= sch.trainSteps, `an integer in [1, ${sch.trainSteps}]`),
      outputChannels: st['output_channels'] === undefined ? 3 : num(st, 'output_channels', p, (n) => n === 3 || n === 6, '3 or 6'),
    };
  });
  return {
    embeddings: oneOf(raw, 'embeddings', '', ['raw', 'normalized'] as const, 'normalized'),
    blend: oneOf(raw, 'blend', '', ['weighted_sum', 'slerp'] as const, 'slerp'),
    padToContext: oneOf(clip, 'padding', 'clip.', ['max_length', 'longest'] as const, 'longest') === 'max_length',
    prior: {
      scheduler: ps,
      ...defaults(priorRaw, 'prior.', ps.trainSteps),
      negativePrompt: negative,
      outputMean: priorRaw['output_mean'] === undefined ? new Float32Array(dim) : vector(priorRaw, 'output_mean', 'prior.', dim),
      outputStd: priorRaw['output_std'] === undefined ? new Float32Array(dim).fill(1) : vector(priorRaw, 'output_std', 'prior.', dim),
    },
    decoder: {
      scheduler: ds,
      ...defaults(decoderRaw, 'decoder.', ds.trainSteps),
      sampleShape: shape as [number, number, number],
      outputChannels,
      nullEmbedding: decoderRaw['null_embedding'] === undefined ? new Float32Array(dim) : vector(decoderRaw, 'null_embedding', 'decoder.', dim),
      textConditioning: flag(decoderRaw, 'text_conditioning', 'decoder.'),
      clampOutput: flag(decoderRaw, 'clamp_output', 'decoder.'),
    },
    latentDecoder,
    cascade,
  };
}
