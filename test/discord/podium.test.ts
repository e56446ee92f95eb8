/** The podium: a step for each place taken (none for a third place nobody took), the place written on it. */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { podiumPng } from '../../src/discord/podium.ts';

const solid = (r: number, g: number, b: number) => sharp({ create: { width: 32, height: 32, channels: 3, background: { r, g, b } } }).png().toBuffer();

async function pixel(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * 3;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

describe('podiumPng', () => {
  it('two entries: gold and silver steps, no bronze step', async () => {
    const two = await podiumPng([await solid(255, 0, 0), await solid(0, 0, 255)]);
    const three = await podiumPng([await solid(255, 0, 0), await solid(0, 0, 255), await solid(0, 255, 0)]);
    const { width, height } = await sharp(two).metadata();
    // The bronze step is the right one, 36 px high at the bottom; its left edge.
    const bronze = [width! - 16 - 128 + 10, height! - 5] as const;
    expect(await pixel(three, ...bronze)).toEqual([0xc5, 0x7f, 0x3e]);
    expect(await pixel(two, ...bronze)).toEqual([0x2b, 0x2d, 0x31]);
    // The gold step in the middle is there.
    expect(await pixel(two, width! / 2 - 50, height! - 5)).toEqual([0xe8, 0xc5, 0x47]);
  });
});
