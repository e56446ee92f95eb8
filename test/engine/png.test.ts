/** The JavaScript PNG fast path gives sharp's pixels, and leaves every other PNG to sharp. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/engine/images.ts';
import { decodeSmallPng } from '../../src/engine/png.ts';
import { UserInputError } from '../../src/engine/errors.ts';

const noise = (w: number, h: number, channels: 1 | 3 | 4) =>
  sharp({ create: { width: w, height: h, channels: channels === 1 ? 3 : channels, background: '#406080', noise: { type: 'gaussian', mean: 120, sigma: 60 } } });
const shape = (s: number) =>
  sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s}"><rect width="100%" height="100%" fill="rgb(40,90,220)"/><circle cx="30" cy="34" r="14" fill="rgb(220,40,40)"/></svg>`));

async function sharpRaw(png: Buffer) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

describe('small PNGs decoded in JavaScript', () => {
  it("equal sharp's pixels: RGB, RGBA, greyscale, every row filter, 1 px to 256 × 256", async () => {
    const cases: [string, Buffer][] = [
      ['64 px shape', await shape(64).png().toBuffer()],
      ['128 px shape, adaptive filtering', await shape(128).png({ adaptiveFiltering: true }).toBuffer()],
      ['noise RGB, adaptive filtering', await noise(100, 80, 3).png({ adaptiveFiltering: true, compressionLevel: 9 }).toBuffer()],
      ['noise RGBA', await noise(47, 90, 4).png({ adaptiveFiltering: true }).toBuffer()],
      ['greyscale', await noise(33, 17, 3).greyscale().png({ adaptiveFiltering: true }).toBuffer()],
      ['1 px', await noise(1, 1, 3).png().toBuffer()],
      ['256 px', await noise(256, 256, 3).png({ adaptiveFiltering: true }).toBuffer()],
    ];
    for (const [name, png] of cases) {
      const ours = decodeSmallPng(png);
      expect(ours, name).toBeDefined();
      const theirs = await sharpRaw(png);
      expect({ ...ours, data: undefined }, name).toEqual({ ...theirs, data: undefined });
      expect(ours!.data.equals(theirs.data), name).toBe(true);
    }
  });

  it('leave palette, 16-bit, interlaced, large and damaged PNGs to sharp', async () => {
    const png = await shape(64).png().toBuffer();
    const badCrc = Buffer.from(png);
    badCrc[40] = badCrc[40]! ^ 0xff;
    const others: [string, Buffer][] = [
      ['palette', await shape(64).png({ palette: true }).toBuffer()],
      ['16-bit', await shape(64).toColourspace('rgb16').png().toBuffer()],
      ['interlaced', await shape(64).png({ progressive: true }).toBuffer()],
      ['over 65 536 pixels', await noise(300, 300, 3).png().toBuffer()],
      ['a changed byte', badCrc],
      ['truncated', png.subarray(0, png.length - 20)],
      ['a JPEG', await shape(64).jpeg().toBuffer()],
    ];
    for (const [name, buf] of others) expect(decodeSmallPng(buf), name).toBeUndefined();
    // …where sharp decodes the good ones and reports the damaged ones as before.
    expect((await decodeImage(others[0]![1])).width).toBe(64);
    await expect(decodeImage(badCrc)).rejects.toThrow(UserInputError);
    await expect(decodeImage(others[5]![1])).rejects.toThrow(/corrupt or truncated/);
  });
});
