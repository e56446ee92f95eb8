/**
 * pack.json: its TypeScript shape and its validation (docs/PACK.md). Every problem is a PackError that
 * names pack.json and the field.
 */
import { PackError } from './errors.ts';
import { parseBlendCurve, type BlendCurve } from './blend-curve.ts';
import { SCHEDULER_NAMES, type Prediction, type SchedulerName } from './schedulers/types.ts';
import type { WorldVocabulary } from './world.ts';
import { parsePackV2, type PackV2 } from './pipelines/pack-v2.ts';

export interface DiffusionConfig {
  prediction: Prediction;
  trainSteps: number;
  alphasCumprod: number[];
  defaultSteps: number;
  defaultGuidance: number;
  /** ᾱ after the last step (PACK.md: 1.0). */
  finalAlphaCumprod: number;
  /** The scheduler used when a request names none (`default_scheduler`; default "ddim"). */
  defaultScheduler: SchedulerName;
  /** Steps per scheduler when a request gives none (`scheduler_steps`); `defaultSteps` for the default one. */
  schedulerSteps: Partial<Record<SchedulerName, number>>;
}

export interface PriorConfig extends DiffusionConfig {
  embedScale: number;
}

export interface DecoderConfig extends DiffusionConfig {
  sampleShape: [number, number, number];
  variationEta: number;
  /** How a blend's ratio becomes the slerp weight of the first image (blend-curve.ts); null: ratio / 100. */
  blendCurve: BlendCurve | null;
}

/** pack.json `describe` (engine/captions.ts): captions ranked as they are, or labels put into `template` first. */
export type DescribeList = { captions: string[] } | { labels: string[]; template: string };

export interface PackManifest {
  format: 1 | 2;
  name: string;
  version: string;
  license?: string;
  description?: string;
  embeddingDim: number;
  logitScale: number;
  clip: { contextLength: number; imageSize: number; padId: number };
  prior: PriorConfig | null;
  decoder: DecoderConfig | null;
  latentDecoder: { imageSize: number } | null;
  upsampler: { scale?: number } | null;
  world: WorldVocabulary | null;
  /** What `describe` ranks when the pack has no world (captions.ts); null: the general labels. */
  describe: DescribeList | null;
  metrics?: Record<string, unknown>;
  /** Format 2's models (then prior, decoder, latentDecoder and upsampler above are null). */
  v2?: PackV2;
}

const FILE = 'pack.json';
type Obj = Record<string, unknown>;

function fail(field: string, what: string): never {
  throw new PackError(FILE, `${field} ${what}`);
}
function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function obj(o: Obj, key: string, path: string): Obj {
  const v = o[key];
  if (!isObj(v)) fail(`${path}${key}`, 'must be an object');
  return v;
}
function optObj(o: Obj, key: string, path: string): Obj | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (!isObj(v)) fail(`${path}${key}`, 'must be an object or null');
  return v;
}
function str(o: Obj, key: string, path = ''): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') fail(`${path}${key}`, 'must be a non-empty string');
  return v;
}
function num(o: Obj, key: string, path = '', check?: (n: number) => boolean, rule = ''): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path}${key}`, 'must be a number');
  if (check && !check(v)) fail(`${path}${key}`, `must be ${rule} (got ${v})`);
  return v;
}
const posInt = (n: number) => Number.isInteger(n) && n > 0;

function diffusion(o: Obj, path: string): DiffusionConfig {
  const prediction = o['prediction'];
  if (prediction !== 'epsilon' && prediction !== 'v' && prediction !== 'x0') {
    fail(`${path}prediction`, `must be "epsilon", "v" or "x0" (got ${JSON.stringify(prediction)})`);
  }
  const trainSteps = num(o, 'train_steps', path, posInt, 'a positive integer');
  const ac = o['alphas_cumprod'];
  if (!Array.isArray(ac) || ac.length !== trainSteps) fail(`${path}alphas_cumprod`, `must be an array of train_steps (${trainSteps}) numbers`);
  ac.forEach((a, i) => {
    if (typeof a !== 'number' || !(a > 0 && a <= 1)) fail(`${path}alphas_cumprod[${i}]`, `must be a number in (0, 1] (got ${a})`);
    if (i > 0 && a > (ac[i - 1] as number)) fail(`${path}alphas_cumprod[${i}]`, 'must not increase');
  });
  const defaultScheduler = o['default_scheduler'] ?? 'ddim';
  if (!(SCHEDULER_NAMES as readonly unknown[]).includes(defaultScheduler)) {
    fail(`${path}default_scheduler`, `must be one of ${SCHEDULER_NAMES.map((n) => `"${n}"`).join(', ')} (got ${JSON.stringify(defaultScheduler)})`);
  }
  const stepsRule = (n: number) => posInt(n) && n <= trainSteps;
  const schedulerSteps: Partial<Record<SchedulerName, number>> = {};
  const perScheduler = optObj(o, 'scheduler_steps', path);
  for (const [name, steps] of Object.entries(perScheduler ?? {})) {
    if (!(SCHEDULER_NAMES as readonly string[]).includes(name)) fail(`${path}scheduler_steps.${name}`, `is not a scheduler (${SCHEDULER_NAMES.join(', ')})`);
    if (typeof steps !== 'number' || !stepsRule(steps)) fail(`${path}scheduler_steps.${name}`, `must be an integer in [1, ${trainSteps}] (got ${JSON.stringify(steps)})`);
    schedulerSteps[name as SchedulerName] = steps;
  }
  return {
    prediction,
    trainSteps,
    alphasCumprod: ac as number[],
    defaultSteps: num(o, 'default_steps', path, (n) => posInt(n) && n <= trainSteps, `an integer in [1, ${trainSteps}]`),
    defaultGuidance: num(o, 'default_guidance', path, (n) => n >= 0, '≥ 0'),
    finalAlphaCumprod: o['final_alpha_cumprod'] === undefined ? 1 : num(o, 'final_alpha_cumprod', path, (n) => n > 0 && n <= 1, 'in (0, 1]'),
    defaultScheduler: defaultScheduler as SchedulerName,
    schedulerSteps,
  };
}

function world(o: Obj): WorldVocabulary {
  const p = 'world.';
  const colours = obj(o, 'colours', p);
  for (const [name, rgb] of Object.entries(colours)) {
    if (!Array.isArray(rgb) || rgb.length !== 3 || rgb.some((c) => typeof c !== 'number')) fail(`${p}colours.${name}`, 'must be [r, g, b]');
  }
  const strings = (key: string): string[] => {
    const v = o[key] ?? [];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) fail(`${p}${key}`, 'must be an array of strings');
    return v as string[];
  };
  const shapes = strings('shapes');
  if (shapes.length === 0 || Object.keys(colours).length < 2) fail(`${p}shapes`, 'and world.colours must not be empty');
  return {
    colours: colours as WorldVocabulary['colours'],
    shapes,
    sizes: strings('sizes'),
    prefixes: strings('prefixes'),
    relations: strings('relations'),
  };
}

/** The most captions or labels `describe` takes from pack.json (each is embedded once, at the first describe). */
export const MAX_DESCRIBE_TEXTS = 10_000;

function describeList(o: Obj): DescribeList {
  const p = 'describe.';
  const texts = (key: string): string[] => {
    const v = o[key];
    if (!Array.isArray(v) || v.length < 2 || v.length > MAX_DESCRIBE_TEXTS || v.some((t) => typeof t !== 'string' || t.trim() === '')) {
      fail(`${p}${key}`, `must be an array of 2 to ${MAX_DESCRIBE_TEXTS} non-empty strings`);
    }
    return v as string[];
  };
  if (('captions' in o) === ('labels' in o)) fail('describe', 'must have "captions" or "labels" (one of them)');
  if ('captions' in o) return { captions: texts('captions') };
  const template = o['template'] ?? '{}';
  if (typeof template !== 'string' || !template.includes('{}')) fail(`${p}template`, 'must be a string with {} where the label goes');
  return { labels: texts('labels'), template };
}

/** Validates parsed pack.json. */
export function parseManifest(raw: unknown): PackManifest {
  if (!isObj(raw)) fail('the document', 'must be a JSON object');
  const format = raw['format'];
  if (format !== 1 && format !== 2) fail('format', `must be 1 or 2 (got ${JSON.stringify(format)})`);
  const clip = obj(raw, 'clip', '');
  const embeddingDim = num(raw, 'embedding_dim', '', posInt, 'a positive integer');
  if (format === 2) {
    const { prior: _p, decoder: _d, latent_decoder: _l, upsampler: _u, ...common } = raw;
    return { ...parseManifest({ ...common, format: 1 }), format: 2, v2: parsePackV2(raw, embeddingDim) };
  }
  const priorRaw = optObj(raw, 'prior', '');
  const decoderRaw = optObj(raw, 'decoder', '');
  const latentRaw = optObj(raw, 'latent_decoder', '');
  const upRaw = optObj(raw, 'upsampler', '');
  const worldRaw = optObj(raw, 'world', '');
  const describeRaw = optObj(raw, 'describe', '');
  let prior: PriorConfig | null = null;
  if (priorRaw) {
    prior = { ...diffusion(priorRaw, 'prior.'), embedScale: num(priorRaw, 'embed_scale', 'prior.', (n) => n > 0, '> 0') };
  }
  let decoder: DecoderConfig | null = null;
  if (decoderRaw) {
    const shape = decoderRaw['sample_shape'];
    if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((n) => typeof n === 'number' && posInt(n))) {
      fail('decoder.sample_shape', 'must be [C, h, w] (positive integers)');
    }
    decoder = {
      ...diffusion(decoderRaw, 'decoder.'),
      sampleShape: shape as [number, number, number],
      variationEta: decoderRaw['variation_eta'] === undefined ? 0 : num(decoderRaw, 'variation_eta', 'decoder.', (n) => n >= 0, '≥ 0'),
      blendCurve: parseBlendCurve(decoderRaw['blend_curve'], FILE),
    };
    if (!latentRaw && decoder.sampleShape[0] !== 3) fail('decoder.sample_shape', 'must have 3 channels for a pixel decoder (or add latent_decoder)');
  }
  const metrics = raw['metrics'];
  return {
    format: 1,
    name: str(raw, 'name'),
    version: str(raw, 'version'),
    ...(typeof raw['license'] === 'string' ? { license: raw['license'] } : {}),
    ...(typeof raw['description'] === 'string' ? { description: raw['description'] } : {}),
    embeddingDim,
    logitScale: num(raw, 'logit_scale', '', (n) => n > 0, '> 0'),
    clip: {
      contextLength: num(clip, 'context_length', 'clip.', posInt, 'a positive integer'),
      imageSize: num(clip, 'image_size', 'clip.', posInt, 'a positive integer'),
      padId: clip['pad_id'] === undefined ? 0 : num(clip, 'pad_id', 'clip.', (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0'),
    },
    prior,
    decoder,
    latentDecoder: latentRaw ? { imageSize: num(latentRaw, 'image_size', 'latent_decoder.', posInt, 'a positive integer') } : null,
    upsampler: upRaw ? (typeof upRaw['scale'] === 'number' ? { scale: upRaw['scale'] } : {}) : null,
    world: worldRaw ? world(worldRaw) : null,
    describe: describeRaw ? describeList(describeRaw) : null,
    ...(isObj(metrics) ? { metrics } : {}),
  };
}
