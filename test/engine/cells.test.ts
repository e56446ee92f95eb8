/** gridCellPng cuts one cell out of a grid laid out by the engine's own tiling, at full resolution. */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { gridCellPng } from '../../src/engine/cells.ts';
import { gridPng, type RgbImage } from '../../src/engine/images.ts';

const solid = (r: number, g: number, b: number, side = 8): RgbImage => {
  const data = Buffer.alloc(side * side * 3);
  for (let i = 0; i < side * side; i++) data.set([r, g, b], i * 3);
  return { data, width: side, height: side, channels: 3 };
};

async function colourOf(png: Buffer) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { size: [info.width, info.height], first: [...data.subarray(0, 3)], last: [...data.subarray(data.length - info.channels, data.length - info.channels + 3)] };
}

describe('gridCellPng', () => {
  const cells = [solid(255, 0, 0), solid(0, 255, 0), solid(0, 0, 255), solid(9, 9, 9)];
  it.each([4, 3, 2])('finds each of %i cells where tile put it', async (n) => {
    const grid = await gridPng(cells.slice(0, n));
    for (let i = 0; i < n; i++) {
      const c = await colourOf(await gridCellPng(grid, n, i));
      const [r, g, b] = cells[i]!.data;
      expect(c).toEqual({ size: [8, 8], first: [r, g, b], last: [r, g, b] });
    }
  });
  it('a single image is the whole picture; a cell it does not have is a UserInputError', async () => {
    const grid = await gridPng([solid(1, 2, 3, 16)]);
    expect((await colourOf(await gridCellPng(grid, 1, 0))).size).toEqual([16, 16]);
    await expect(gridCellPng(grid, 1, 1)).rejects.toThrow('This result has only 1 image(s).');
  });
});
