/**
 * Text diffs on the bundled pack (real ONNX): an image of a red square on blue, moved toward another
 * caption. The pack's CLIP, asked to choose between what the image showed and the target, gives the
 * target more of the score as the strength rises; strength 0 leaves the image as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { Engine, similarity, UserInputError } from '../../src/engine/index.ts';
import { textDiffEmbedding, varyToward } from '../../src/engine/text-diff.ts';
import { PACK_DIR } from './pack-fixture.ts';

let engine: Engine;
let square: Buffer;

beforeAll(async () => {
  engine = await Engine.load({ packDir: PACK_DIR, threads: 2 });
  const red = await sharp({ create: { width: 48, height: 48, channels: 3, background: { r: 220, g: 40, b: 40 } } }).png().toBuffer();
  square = await sharp({ create: { width: 128, height: 128, channels: 3, background: { r: 40, g: 90, b: 220 } } })
    .composite([{ input: red, left: 40, top: 40 }])
    .png()
    .toBuffer();
});
afterAll(() => engine?.close());

/** The mean share of `toward` (against `from`) in CLIP's classification of each image. */
async function targetShare(images: Buffer[], from: string, toward: string): Promise<number> {
  let sum = 0;
  for (const image of images) sum += (await engine.classify(image, [from, toward])).find((s) => s.label === toward)!.score;
  return sum / images.length;
}

describe('text diffs (DALL·E 2 §3.3)', () => {
  it('θ = 0 keeps the image embedding; the moved one turns toward the target text; identical texts are refused', async () => {
    const [zi] = await engine.embedImages([square]);
    const [z0, z1] = await engine.embedTexts(['a red square on a blue background', 'a green circle']);
    expect(similarity(textDiffEmbedding(zi!, z0!, z1!, 0), zi!)).toBeCloseTo(1, 5);
    const cosines = [0, 0.2, 0.4].map((theta) => similarity(textDiffEmbedding(zi!, z0!, z1!, theta), z1!));
    expect(cosines[1]!).toBeGreaterThan(cosines[0]!);
    expect(cosines[2]!).toBeGreaterThan(cosines[1]!);
    expect(() => textDiffEmbedding(zi!, z0!, z0!, 0.3)).toThrow(UserInputError);
  });

  it.each(['a green circle', 'a blue heart'])('the classify share of "%s" rises with the strength', async (toward) => {
    const shares: number[] = [];
    let from = '';
    for (const strength of [0, 50, 100]) {
      const result = await varyToward(engine, square, toward, { strength, seed: 3, n: 4 });
      from = result.from;
      expect(result.images).toHaveLength(4);
      shares.push(await targetShare(result.images, from, toward));
    }
    // `from` defaults to the image's best caption.
    expect(from).toMatch(/red square on a blue background$/);
    expect(shares[0]!).toBeLessThan(0.2);
    expect(shares[2]!).toBeGreaterThan(0.8);
    expect(shares[1]!).toBeGreaterThanOrEqual(shares[0]!);
    expect(shares[2]!).toBeGreaterThanOrEqual(shares[1]!);
  });

  it('animates the walk from the image to the strength asked for; bad input is named', async () => {
    const result = await varyToward(engine, square, 'a green circle', { from: 'a red square', strength: 80, frames: 6, n: 1, seed: 1 });
    expect(result.from).toBe('a red square');
    expect(result.theta).toBeCloseTo(0.48, 6);
    const meta = await sharp(result.animation!, { animated: true }).metadata();
    expect(meta.format).toBe('webp');
    await expect(varyToward(engine, square, 'a green circle', { strength: 101 })).rejects.toThrow('The strength must be a number from 0 to 100 (got 101).');
    await expect(varyToward(engine, square, '  ')).rejects.toThrow(/^The target text: The prompt is empty/);
    await expect(varyToward(engine, square, 'a green circle '.repeat(15))).rejects.toThrow(/^The target text: too long \(\d+ tokens; this model reads at most \d+\)/);
    await expect(varyToward(engine, new Float32Array(engine.pack.embeddingDim).fill(1), 'a green circle')).rejects.toThrow('Say what the image shows now ("from")');
  });
});
