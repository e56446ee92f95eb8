/**
 * Dreams on the bundled pack (real ONNX): a loop of variations and a closed walk, as animated WebP and
 * GIF with one frame per decode, within Discord's 10 MiB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { Engine, similarity } from '../../src/engine/index.ts';
import { closedWalk, dream, MAX_DREAM_FRAMES } from '../../src/engine/dream.ts';
import { PACK_DIR } from './pack-fixture.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load({ packDir: PACK_DIR, threads: 2 });
});
afterAll(() => engine?.close());

const pages = async (animation: Buffer) => (await sharp(animation, { animated: true }).metadata()).pages;

describe('dream', () => {
  it('a loop: each frame decoded from the embedding of the last; WebP and GIF with every frame', async () => {
    const progress: number[] = [];
    const result = await dream(engine, { prompt: 'a big red star on a blue background' }, { mode: 'loop', frames: 8, seed: 4, steps: 6, onProgress: (p) => progress.push(p.step) });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(result.frames).toBe(8);
    expect((await sharp(result.animation).metadata()).format).toBe('webp');
    expect((await sharp(result.gif).metadata()).format).toBe('gif');
    // Frames that differ are kept apart by both encoders: as many pages as frames.
    expect(await pages(result.gif)).toBe(8);
    expect(result.images).toHaveLength(4);
    expect(result.embeddings).toHaveLength(4);
    expect(await sharp(result.grid).metadata()).toMatchObject({ width: 256, height: 256 });
  });

  it('a closed walk starts at the start and its last step leads back to it; 48 frames stay under 10 MiB', async () => {
    const [a, b, c] = await engine.embedTexts(['a red star', 'a blue heart', 'a green circle']);
    const walk = closedWalk([a!, b!, c!], 9);
    expect(similarity(walk[0]!, a!)).toBeCloseTo(1, 5);
    expect(similarity(walk[3]!, b!)).toBeCloseTo(1, 5);
    expect(similarity(walk[8]!, a!)).toBeGreaterThan(similarity(walk[7]!, a!));
    const result = await dream(engine, { prompt: 'a yellow heart' }, { mode: 'walk', frames: MAX_DREAM_FRAMES, seed: 2, steps: 2 });
    expect(result.animation.length + result.gif.length).toBeLessThan(10 * 1024 * 1024);
    expect(await pages(result.gif)).toBeGreaterThan(MAX_DREAM_FRAMES / 2);
  });

  it('refuses frames outside 4–48 and an unknown mode, saying what to change', async () => {
    await expect(dream(engine, { prompt: 'a red star' }, { frames: 49 })).rejects.toThrow('A dream has 4 to 48 frames (got 49).');
    await expect(dream(engine, { prompt: 'a red star' }, { mode: 'spin' as never })).rejects.toThrow('The dream mode is loop or walk (got spin).');
  });
});
