/**
 * Dreams: the explainer's looping animations, from a start embedding (a prompt's, through the prior,
 * or an image's). Two ways to move:
 * - `loop`: variations of variations: frame k is decoded from the CLIP embedding of frame k − 1
 *   (each with new noise), so the picture drifts, as in Alan Resnick's loops.
 * - `walk`: a closed walk: three variations of the start are keyframes, and the frames slerp from the
 *   start through them and back to the start, all decoded from the same noise, so only the embedding
 *   moves and the last frame leads into the first.
 * Every frame is one decode of one image; the frames are capped at MAX_DREAM_FRAMES so that one
 * dream holds the model about as long as a dozen four-image jobs. Output: an animated WebP, and the
 * same frames as an animated GIF for clients that refuse WebP.
 */
import sharp from 'sharp';
import { UserInputError } from './errors.ts';
import { gridPng, tile, type RgbImage } from './images.ts';
import type { Engine, GenerateOptions, Generation, ImageInput, Progress } from './index.ts';
import { randomSeed } from './rng.ts';
import { l2normalize, slerp } from './vectors.ts';

export const DREAM_MODES = ['loop', 'walk'] as const;
export type DreamMode = (typeof DREAM_MODES)[number];
export const MIN_DREAM_FRAMES = 4;
export const MAX_DREAM_FRAMES = 48;
export const DEFAULT_DREAM_FRAMES = 24;
/** The keyframes of a walk besides its start. */
const WALK_KEYFRAMES = 3;

export interface DreamOptions extends Omit<GenerateOptions, 'n' | 'onProgress'> {
  mode?: DreamMode;
  frames?: number;
  /** Milliseconds per frame (default 120). */
  delayMs?: number;
  /** One report per frame decoded, with that frame as the preview. */
  onProgress?: (p: Progress) => void;
}

export interface DreamResult extends Generation {
  mode: DreamMode;
  frames: number;
  animation: Buffer;
  gif: Buffer;
}

export function validateDreamFrames(f: unknown): number {
  if (typeof f !== 'number' || !Number.isInteger(f) || f < MIN_DREAM_FRAMES || f > MAX_DREAM_FRAMES) {
    throw new UserInputError(`A dream has ${MIN_DREAM_FRAMES} to ${MAX_DREAM_FRAMES} frames (got ${String(f)}).`);
  }
  return f;
}

export function validateDreamMode(m: unknown): DreamMode {
  if (!DREAM_MODES.includes(m as DreamMode)) throw new UserInputError(`The dream mode is loop or walk (got ${String(m)}).`);
  return m as DreamMode;
}

/** The start of a dream: a prompt (drawn by the prior) or an image (buffer or embedding). */
export type DreamStart = { prompt: string } | { image: ImageInput };

/** Positions of a closed walk through `keys` (key 0 is the start), `frames` evenly spaced; it ends one step before the start. */
export function closedWalk(keys: readonly Float32Array[], frames: number): Float32Array[] {
  return Array.from({ length: frames }, (_, i) => {
    const t = (i * keys.length) / frames;
    const k = Math.floor(t);
    return slerp(keys[k]!, keys[(k + 1) % keys.length]!, 1 - (t - k));
  });
}

async function rgbOf(png: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

function raw(frames: readonly RgbImage[]) {
  const strip = tile(frames, 1);
  return sharp(strip.data, { raw: { width: strip.width, height: strip.height, channels: 3, pageHeight: frames[0]!.height } });
}

export async function dream(engine: Engine, start: DreamStart, opts: DreamOptions = {}): Promise<DreamResult> {
  const mode = validateDreamMode(opts.mode ?? 'loop');
  const frames = validateDreamFrames(opts.frames ?? DEFAULT_DREAM_FRAMES);
  const seed = opts.seed ?? randomSeed();
  const { mode: _m, frames: _f, delayMs = 120, onProgress, ...generate } = opts;
  const t0 = performance.now();
  let z0: Float32Array;
  if ('prompt' in start) z0 = (await engine.textToImageEmbeds(start.prompt, { ...generate, n: 1, seed }))[0]!;
  else z0 = start.image instanceof Float32Array ? l2normalize(start.image) : (await engine.embedImages([start.image]))[0]!;
  const pngs: Buffer[] = [];
  const embeddings: Float32Array[] = [];
  const decoded = (g: Generation) => {
    pngs.push(g.images[0]!);
    embeddings.push(g.embeddings[0]!);
    const png = g.images[0]!;
    onProgress?.({ step: pngs.length, steps: frames, stage: 'decoder', preview: () => Promise.resolve(png) });
  };
  if (mode === 'loop') {
    let z = z0;
    for (let k = 0; k < frames; k++) {
      const g = await engine.vary(z, { ...generate, n: 1, seed: (seed + k) % 2 ** 31 });
      decoded(g);
      z = g.embeddings[0]!;
    }
  } else {
    // Keyframes: variations of the start (their CLIP embeddings), then the closed walk, one noise for all.
    const keys = await engine.vary(z0, { ...generate, n: WALK_KEYFRAMES, seed });
    for (const z of closedWalk([z0, ...keys.embeddings], frames)) decoded(await engine.vary(z, { ...generate, n: 1, seed }));
  }
  const rgb = await Promise.all(pngs.map(rgbOf));
  const delay = rgb.map(() => delayMs);
  const [animation, gif] = await Promise.all([
    raw(rgb).webp({ loop: 0, delay, quality: 85, effort: 2 }).toBuffer(),
    raw(rgb).gif({ loop: 0, delay }).toBuffer(),
  ]);
  // The result's grid: four frames from along the dream, each with its embedding (V1–V4 vary them).
  const picks = [0, 1, 2, 3].map((i) => Math.floor((i * frames) / 4));
  const grid = await gridPng(picks.map((i) => rgb[i]!));
  const total = Math.round(performance.now() - t0);
  return { images: picks.map((i) => pngs[i]!), grid, embeddings: picks.map((i) => embeddings[i]!), seed, timings: { total }, mode, frames, animation, gif };
}
