/** Words outside the pack's world are named; the token limit is checked on the real tokenizer. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, UserInputError } from '../../src/engine/index.ts';
import { checkPromptTokens, unknownWords, unknownWordsFor } from '../../src/engine/vocabulary.ts';
import { DEFAULT_WORLD } from '../../src/engine/world.ts';
import { PACK_DIR } from './pack-fixture.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load({ packDir: PACK_DIR, threads: 1 });
});
afterAll(() => engine?.close());

describe('the world vocabulary', () => {
  it('names the words a shapes-world prompt does not know, once each, in order', () => {
    expect(unknownWords('a cat riding a bicycle, a CAT!', DEFAULT_WORLD)).toEqual(['cat', 'riding', 'bicycle']);
    expect(unknownWords('A photo of a big red star to the left of two blue hearts on a gray background 4', DEFAULT_WORLD)).toEqual(['two']);
    expect(unknownWords('an image of a small white circle above a black square', DEFAULT_WORLD)).toEqual([]);
  });

  it('the bundled pack declares its world, so its engine names them too', () => {
    expect(unknownWordsFor(engine, 'a cat on a red square')).toEqual(['cat']);
  });

  it('a prompt over the context is refused with the limit; one within it passes', () => {
    expect(() => checkPromptTokens(engine, 'a red star')).not.toThrow();
    const long = 'a big red star on a blue background '.repeat(6);
    expect(() => checkPromptTokens(engine, long)).toThrow(UserInputError);
    expect(() => checkPromptTokens(engine, long)).toThrow(new RegExp(`^The prompt is too long \\(\\d+ tokens; this model reads at most ${engine.pack.contextLength}\\): shorten it\\.$`));
  });
});
