/**
 * The binding test through the engine: on the labelled two-object fixtures (test/fixtures/world-two,
 * 64×64 renders, half with held-out triples), does the pack's CLIP rank each image's caption above its
 * three wrong bindings (colours swapped, shapes swapped, relation reversed)? training/eval.py measures
 * these very PNGs with PyTorch (pack.json `metrics.binding_fixtures`); the engine's classify must find
 * the same share, within one image either way for the fp16-stored ONNX weights. A CLIP that cannot bind
 * (shapes-v1: below chance, 25 %) must not look as if it could, nor one that binds as if it could not.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { PACK_DIR, packJson } from './pack-fixture.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/world-two/', import.meta.url));

interface TwoObjectFixture {
  file: string;
  split: 'seen' | 'heldout';
  caption: string;
  negatives: Record<'colours_swapped' | 'shapes_swapped' | 'relation_reversed', string>;
}

let engine: Engine;
let images: TwoObjectFixture[];

beforeAll(async () => {
  engine = await Engine.load({ packDir: PACK_DIR });
  images = (JSON.parse(await readFile(`${FIXTURES}labels.json`, 'utf8')) as { images: TwoObjectFixture[] }).images;
});
afterAll(() => engine?.close());

describe('binding on test/fixtures/world-two', () => {
  it('the fixtures are labelled with three wrong bindings of their own caption', () => {
    expect(images).toHaveLength(100);
    for (const im of images) {
      const wrong = Object.values(im.negatives);
      expect(new Set([im.caption, ...wrong]).size).toBe(4);
      // swapped: the same words, bound differently
      const words = (t: string) => t.split(' ').sort();
      expect(words(im.negatives.colours_swapped)).toEqual(words(im.caption));
      expect(words(im.negatives.shapes_swapped)).toEqual(words(im.caption));
    }
  });

  it('is what the model card measured on the same images, for seen and held-out triples', async () => {
    const claims = packJson().metrics?.['binding_fixtures'] as Record<'seen' | 'heldout', number> | undefined;
    expect(claims, 'pack.json metrics.binding_fixtures (training/eval.py)').toBeDefined();
    for (const split of ['seen', 'heldout'] as const) {
      const set = images.filter((im) => im.split === split);
      let right = 0;
      for (const im of set) {
        const image = await readFile(`${FIXTURES}${im.file}`);
        const [top] = await engine.classify(image, [im.caption, ...Object.values(im.negatives)]);
        if (top!.label === im.caption) right++;
      }
      const rate = right / set.length;
      expect(Math.abs(rate - claims![split]), `${split}: engine ${rate}, card ${claims![split]}`).toBeLessThanOrEqual(1 / set.length + 1e-9);
    }
  });
});
