/**
 * What a pack's world has words for. A prompt's words outside them (a "cat riding a bicycle" for the
 * shapes world) are named to the person before anything is drawn, since the model can only draw
 * blobs for them. Packs that declare no world in pack.json (real CLIPs and unCLIPs) know any word:
 * nothing is named for them.
 */
import { UserInputError } from './errors.ts';
import type { Engine } from './index.ts';
import type { WorldVocabulary } from './world.ts';

/** The small words captions are made of, besides the world's own. */
const GLUE = ['a', 'an', 'the', 'on', 'of', 'and', 'with', 'background', 'grey'];

export function worldWords(world: WorldVocabulary): Set<string> {
  const words = new Set(GLUE);
  const add = (phrase: string) => phrase.toLowerCase().split(/\s+/).forEach((w) => w && words.add(w));
  for (const w of [...Object.keys(world.colours), ...world.shapes, ...world.sizes, ...world.prefixes, ...world.relations]) add(w);
  for (const shape of world.shapes) words.add(`${shape}s`);
  return words;
}

/** The words of `prompt` that the world has no word for, in order, each once (numbers and punctuation aside). */
export function unknownWords(prompt: string, world: WorldVocabulary): string[] {
  const known = worldWords(world);
  const words = prompt.toLowerCase().match(/[\p{L}']+/gu) ?? [];
  return [...new Set(words.filter((w) => !known.has(w)))];
}

/** The unknown words for this engine's pack: none when the pack declares no world. */
export function unknownWordsFor(engine: Engine, prompt: string): string[] {
  return engine.pack.world ? unknownWords(prompt, engine.pack.world) : [];
}

/** A prompt over the model's context, refused at once (before it waits in the queue) with the limit. */
export function checkPromptTokens(engine: Engine, prompt: string, what = 'The prompt'): void {
  const tokens = engine.clip.tokenCount(prompt);
  if (tokens > engine.pack.contextLength) {
    throw new UserInputError(`${what} is too long (${tokens} tokens; this model reads at most ${engine.pack.contextLength}): shorten it.`, {
      code: 'prompt-tokens',
      tokens,
      max: engine.pack.contextLength,
      ...(what === 'The prompt' ? {} : { what }),
    });
  }
}
