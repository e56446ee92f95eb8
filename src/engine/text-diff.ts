/**
 * Text diffs (DALL·E 2 §3.3): an image's CLIP embedding z_i moved toward a new caption. With z_t0 the
 * text embedding of what the image shows (`from`, by default its best caption) and z_t that of the
 * target (`toward`), the direction is z_d = normalize(z_t − z_t0) and the moved embedding
 * z_θ = slerp(z_i, z_d, θ), decoded like a variation. θ grows with the strength: 0 keeps the image,
 * 100 is θ = TEXT_DIFF_MAX_THETA (the paper goes up to 0.25–0.5; on the bundled pack the target takes
 * over around θ 0.4). The walk from z_i to z_θ follows the same great circle, so an animation of it
 * is the engine's blend walk between the two.
 */
import { UserInputError } from './errors.ts';
import type { BlendResult, Engine, GenerateOptions, ImageInput } from './index.ts';
import { validatePrompt } from './validate.ts';
import { l2normalize, slerp } from './vectors.ts';

export const TEXT_DIFF_MAX_THETA = 0.6;
export const DEFAULT_TEXT_DIFF_STRENGTH = 75;

/** z_θ = slerp(z_i, normalize(z_t − z_t0), θ); the paper's slerp, whose θ is the share of the second. */
export function textDiffEmbedding(image: Float32Array, fromText: Float32Array, towardText: Float32Array, theta: number): Float32Array {
  const d = new Float32Array(towardText.length);
  for (let i = 0; i < d.length; i++) d[i] = towardText[i]! - fromText[i]!;
  const direction = l2normalize(d);
  if (direction.every((v) => v === 0)) throw new UserInputError('The two texts mean the same to the model: give a target that differs from what the image shows.', { code: 'texts-same' });
  return slerp(l2normalize(image), direction, 1 - theta);
}

export function validateStrength(s: unknown): number {
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s > 100) throw new UserInputError(`The strength must be a number from 0 to 100 (got ${String(s)}).`);
  return s;
}

/** A text as the engine reads it: a valid prompt within the model's context. */
function checkText(engine: Engine, text: string, what: string): string {
  const t = validatePrompt(text, what);
  const tokens = engine.clip.tokenCount(t);
  if (tokens > engine.pack.contextLength) throw new UserInputError(`${what}: too long (${tokens} tokens; this model reads at most ${engine.pack.contextLength}): shorten it.`, { code: 'prompt-tokens', tokens, max: engine.pack.contextLength, what });
  return t;
}

export interface TextDiffOptions extends GenerateOptions {
  /** What the image shows now (default: its best caption, which needs the image itself). */
  from?: string | null;
  /** 0–100 (default 75). */
  strength?: number;
  /** > 1: an animated WebP walking from the image (strength 0) to the strength asked for. */
  frames?: number;
}

export interface TextDiffResult extends BlendResult {
  from: string;
  toward: string;
  theta: number;
}

export async function varyToward(engine: Engine, image: ImageInput, toward: string, opts: TextDiffOptions = {}): Promise<TextDiffResult> {
  const target = checkText(engine, toward, 'The target text');
  const strength = validateStrength(opts.strength ?? DEFAULT_TEXT_DIFF_STRENGTH);
  let from = opts.from ? checkText(engine, opts.from, 'The "from" text') : null;
  if (from === null) {
    if (image instanceof Float32Array) throw new UserInputError('Say what the image shows now ("from"): I only have its embedding, not the picture to caption.', { code: 'from-needed' });
    from = (await engine.describe(image, { top: 1 }))[0]!.caption;
  }
  const [zi] = image instanceof Float32Array ? [l2normalize(image)] : await engine.embedImages([image]);
  const [z0, z1] = await engine.embedTexts([from, target]);
  const theta = (strength / 100) * TEXT_DIFF_MAX_THETA;
  const moved = textDiffEmbedding(zi!, z0!, z1!, theta);
  // ratio 0: all of the second (the moved embedding); the walk goes from the image to it.
  const { from: _f, strength: _s, ...generate } = opts;
  const result = await engine.blend(zi!, moved, { ...generate, n: opts.n ?? 4, ratio: 0, frames: opts.frames ?? 1 });
  return { ...result, from, toward: target, theta };
}
