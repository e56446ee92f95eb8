/**
 * A prompt checked before it is queued: over the model's token limit it is refused at once; words
 * outside the pack's world are named in the headline, so the person knows before anything is drawn.
 */
import type { Engine, PackSummary } from '../engine/index.ts';
import { checkPromptTokens, unknownWordsFor } from '../engine/vocabulary.ts';
import { en, type Messages } from './i18n/index.ts';
import { plain, quote } from './texts.ts';

/**
 * The option description's words on the pack's prompt limit (Discord shows them while typing), e.g.
 * "at most 32 tokens, ~25 words": two of the tokens are the start and end markers, and a word is about
 * 1.25 tokens (CLIP's BPE; one token a word for the shapes packs' word-level tokenizer), to the nearest 5.
 */
export function promptLimitHint(pack: PackSummary | null, m: Messages = en): string {
  if (!pack) return m.hints.promptLimit(null, 0);
  const words = Math.max(1, Math.round(((pack.contextLength - 2) * 0.8) / 5) * 5);
  return m.hints.promptLimit(pack.contextLength, words);
}

/** An example prompt for the option descriptions: one of the pack's world when it has one (English in every language: CLIP reads English). */
export function promptExample(pack: PackSummary | null, short = false): string {
  if (pack?.hasWorld) return short ? 'a big red star' : 'a big red star on a blue background';
  return short ? 'a lighthouse at dusk' : 'a lighthouse on a cliff at dusk, oil painting';
}

/** The guidance option's words on its default: the pack's. */
export function guidanceHint(pack: PackSummary | null, m: Messages = en): string {
  return m.hints.guidance(pack?.defaultGuidance ?? null);
}

/** The headline for `prompt` (**prompt**, then a warning line if the world lacks some of its words); throws if it is too long. */
export function promptHeadline(engine: Engine | null, prompt: string, m: Messages = en, prefix = ''): string {
  // With the queue on Redis the bot holds no model: the worker checks the prompt when it runs the job.
  if (!engine) return `${prefix}${quote(prompt)}`;
  checkPromptTokens(engine, prompt);
  const unknown = unknownWordsFor(engine, prompt);
  const warning = unknown.length ? m.unknownWords(unknown.map(plain)) : '';
  return `${prefix}${quote(prompt)}${warning}`;
}
