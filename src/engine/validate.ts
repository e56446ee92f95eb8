/**
 * Validation of user input that is not pixels: prompts, labels, numbers. Each failure is a
 * UserInputError whose message says what to change.
 */
import { UserInputError, type UserInputDetail } from './errors.ts';
import { MAX_SEED } from './rng.ts';

export const MAX_PROMPT_CHARS = 300;
export const MAX_LABEL_CHARS = 100;
export const MAX_FRAMES = 24;
/** The labels one classification takes unless its caller says otherwise (the bot's cap). */
export const DEFAULT_MAX_LABELS = 20;

/** `what` names the text in the messages when it is not a prompt (a battle's theme). */
export function validatePrompt(prompt: unknown, what?: string): string {
  const say = (message: string, detail: UserInputDetail) => new UserInputError(what ? `${what}: ${message}` : message, what ? { ...detail, what } : detail);
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    throw say('The prompt is empty: describe the picture, e.g. "a big red star on a blue background".', { code: 'prompt-empty' });
  }
  const p = prompt.trim().replace(/\s+/g, ' ');
  if (p.length > MAX_PROMPT_CHARS) {
    throw say(`The prompt is too long (${p.length} characters; at most ${MAX_PROMPT_CHARS}): shorten it.`, { code: 'prompt-chars', length: p.length, max: MAX_PROMPT_CHARS });
  }
  return p;
}

/** A template around each label must hold `{}` where the label goes; null (none) is fine. */
export function validateTemplate<T extends string | null | undefined>(template: T): T {
  if (typeof template === 'string' && !template.includes('{}')) throw new UserInputError('The template must contain {} where the label goes, e.g. "a photo of {}".', { code: 'template-braces' });
  return template;
}

/**
 * Parses labels from "a, b, c" or an array: trims, drops empty entries, refuses fewer than 2, more
 * than `cap`, over-long labels and duplicates (compared case-insensitively, as the tokenizer lowercases).
 */
export function parseLabels(input: string | readonly string[], cap: number): string[] {
  const labels = (typeof input === 'string' ? input.split(',') : [...input]).map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => l !== '');
  if (labels.length < 2) {
    throw new UserInputError(`Give at least 2 labels, separated by commas (got ${labels.length}), e.g. "cat, dog".`, { code: 'labels-few', count: labels.length });
  }
  if (labels.length > cap) throw new UserInputError(`Too many labels: ${labels.length} (at most ${cap}).`, { code: 'labels-many', count: labels.length, max: cap });
  const seen = new Map<string, string>();
  for (const l of labels) {
    if (l.length > MAX_LABEL_CHARS) throw new UserInputError(`The label "${l.slice(0, 30)}…" is too long (at most ${MAX_LABEL_CHARS} characters).`, { code: 'label-long', label: l.slice(0, 30), max: MAX_LABEL_CHARS });
    const key = l.toLowerCase();
    const prev = seen.get(key);
    if (prev !== undefined) throw new UserInputError(`Duplicate label "${l}": give each label once.`, { code: 'label-duplicate', label: l });
    seen.set(key, l);
  }
  return labels;
}

function intIn(value: unknown, name: string, lo: number, hi: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    throw new UserInputError(`${name} must be a whole number from ${lo} to ${hi} (got ${String(value)}).`);
  }
  return value;
}

function numIn(value: unknown, name: string, lo: number, hi: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) {
    throw new UserInputError(`${name} must be a number from ${lo} to ${hi} (got ${String(value)}).`);
  }
  return value;
}

export const validateCount = (n: unknown) => intIn(n, 'The number of images', 1, 4);
export const validateSeed = (s: unknown) => intIn(s, 'The seed', 0, MAX_SEED);
export const validateSteps = (s: unknown, max: number) => intIn(s, 'The number of steps', 1, Math.min(max, 250));
export const validateGuidance = (g: unknown) => numIn(g, 'The guidance scale', 0, 30);
export const validateEta = (e: unknown) => numIn(e, 'Eta', 0, 1);
export const validateRatio = (r: unknown) => numIn(r, 'The ratio', 0, 100);
export const validateFrames = (f: unknown) => intIn(f, 'The number of frames', 1, MAX_FRAMES);
export const validateTop = (t: unknown) => intIn(t, 'The number of captions', 1, 50);
