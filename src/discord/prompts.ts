/**
 * A prompt checked before it is queued: over the model's token limit it is refused at once; words
 * outside the pack's world are named in the headline, so the person knows before anything is drawn.
 */
import type { Engine } from '../engine/index.ts';
import { checkPromptTokens, unknownWordsFor } from '../engine/vocabulary.ts';
import { en, type Messages } from './i18n/index.ts';
import { plain, quote } from './texts.ts';

/** The option description's words on the limit (the bundled pack's context; Discord shows them while typing). */
export const PROMPT_LIMIT_HINT = 'at most 32 tokens, ~25 words';

/** The headline for `prompt` (**prompt**, then a warning line if the world lacks some of its words); throws if it is too long. */
export function promptHeadline(engine: Engine | null, prompt: string, m: Messages = en, prefix = ''): string {
  // With the queue on Redis the bot holds no model: the worker checks the prompt when it runs the job.
  if (!engine) return `${prefix}${quote(prompt)}`;
  checkPromptTokens(engine, prompt);
  const unknown = unknownWordsFor(engine, prompt);
  const warning = unknown.length ? m.unknownWords(unknown.map(plain)) : '';
  return `${prefix}${quote(prompt)}${warning}`;
}
