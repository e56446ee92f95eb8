/**
 * The word-level fast path gives exactly the ids of @huggingface/tokenizers (the full pipeline over
 * the same tokenizer.json) wherever it answers, and leaves everything else to it.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simpleWordLevel } from '../../src/engine/word-tokenizer.ts';
import { describeCaptions } from '../../src/engine/world.ts';
import { PACK_DIR, worldLabels } from './pack-fixture.ts';

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const packTokenizer = json(`${PACK_DIR}/tokenizer.json`);
const full = new Tokenizer(packTokenizer, json(`${PACK_DIR}/tokenizer_config.json`));
const fast = simpleWordLevel(packTokenizer)!;
const pack = json(`${PACK_DIR}/pack.json`) as { world: Parameters<typeof describeCaptions>[0] };

describe('word-level fast tokenizer', () => {
  it("applies to the bundled pack's tokenizer and not to CLIP's BPE one", () => {
    expect(fast).toBeDefined();
    const bpe = json(new URL('../fixtures/clip-bpe/tokenizer.json', import.meta.url).pathname);
    expect(simpleWordLevel(bpe)).toBeUndefined();
    expect(simpleWordLevel({ ...packTokenizer, pre_tokenizer: { type: 'ByteLevel' } })).toBeUndefined();
    expect(simpleWordLevel({ ...packTokenizer, normalizer: { type: 'NFKC' } })).toBeUndefined();
  });

  it('gives the full tokenizer’s ids for every caption of the world and the fixtures', () => {
    const texts = [...describeCaptions(pack.world), ...worldLabels().images.map((f) => (f as unknown as { caption: string }).caption)];
    expect(texts.length).toBeGreaterThan(1000);
    for (const t of texts) expect(fast(t), t).toEqual(full.encode(t).ids);
  });

  it('agrees on odd input, and leaves non-ASCII text and special-token strings to the full tokenizer', () => {
    const odd = [
      '', ' ', 'A Photo of a small HEART!', 'a  big   red\u0020star', 'red,blue;green', 'x_y z-9 42', 'an image of a purple unicorn',
      'a drawing of a green circle to the left of a yellow square', Array.from({ length: 40 }, () => 'red').join(' '), "it's (a) {test} ~ ^ `",
    ];
    for (const t of odd) expect(fast(t), JSON.stringify(t)).toEqual(full.encode(t).ids);
    for (const t of ['a red étoile', 'a\tred\nstar', 'a [EOS] star', 'İstanbul', 'a red star\u00a0']) expect(fast(t), JSON.stringify(t)).toBeUndefined();
  });
});
