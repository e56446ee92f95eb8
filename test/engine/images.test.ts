import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/engine/errors.ts';
import { animatedWebp, decodeImage, gridPng, scoreChartPng, tensorToImages, tile, toPng, type RgbImage } from '../../src/engine/images.ts';
import { parsePreprocessor, preprocessImage } from '../../src/engine/preprocess.ts';

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { data, width, height, channels: 3 };
}

const png = (w: number, h: number, rgb: [number, number, number]) => toPng(solid(w, h, rgb));

describe('decodeImage: bad input gets a specific UserInputError', () => {
  it('refuses an empty file', async () => {
    await expect(decodeImage(Buffer.alloc(0))).rejects.toThrow(/empty \(0 bytes\)/);
  });
  it('refuses a file that is not an image', async () => {
    await expect(decodeImage(Buffer.from('hello, this is text, not a picture'))).rejects.toThrow(/not a readable image/);
  });
  it('refuses SVG', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await expect(decodeImage(svg)).rejects.toThrow(/SVG, which is not accepted/);
    await expect(decodeImage(Buffer.concat([Buffer.from('<?xml version="1.0"?>\n'), svg]))).rejects.toThrow(/SVG/);
  });
  it('refuses a truncated PNG', async () => {
    const noisy = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
      .png()
      .toBuffer();
    await expect(decodeImage(noisy.subarray(0, Math.floor(noisy.length / 2)))).rejects.toThrow(/corrupt or truncated/);
  });
  it('refuses images over the pixel cap, and files over the byte cap', async () => {
    const big = await png(4097, 16, [0, 0, 0]);
    await expect(decodeImage(big)).rejects.toThrow(/too big \(4097×16\)/);
    const limits = { maxBytes: 1_000_000, maxPixels: 100 * 100, maxSide: 4096 };
    await expect(decodeImage(await png(200, 200, [0, 0, 0]), limits)).rejects.toThrow(/too big/);
    await expect(decodeImage(Buffer.alloc(2_000_000, 1), limits)).rejects.toThrow(/too large \(1\.9 MiB; at most 1\.0 MiB\)/);
  });
  it('refuses a rotated image whose side is over the cap', async () => {
    const limits = { maxBytes: 1_000_000, maxPixels: 100_000, maxSide: 300 };
    await expect(decodeImage(await png(400, 10, [0, 0, 0]), limits)).rejects.toThrow(/too big \(400×10\)/);
  });
  it('refuses formats other than PNG, JPEG, WebP and GIF', async () => {
    const tiff = await sharp(solid(8, 8, [1, 2, 3]).data, { raw: { width: 8, height: 8, channels: 3 } }).tiff().toBuffer();
    await expect(decodeImage(tiff)).rejects.toThrow(/TIFF file, which is not accepted/);
  });
  it('is a UserInputError, which callers show to the user', async () => {
    await expect(decodeImage(Buffer.alloc(0))).rejects.toBeInstanceOf(UserInputError);
  });
});

describe('decodeImage: good input', () => {
  it('reads RGB, drops alpha and expands grey', async () => {
    const rgba = await sharp({ create: { width: 4, height: 3, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0.5 } } }).png().toBuffer();
    const a = await decodeImage(rgba);
    expect([a.width, a.height, a.channels, a.data.length]).toEqual([4, 3, 3, 36]);
    expect([...a.data.subarray(0, 3)]).toEqual([10, 20, 30]);
    const grey = await sharp(Buffer.alloc(16, 77), { raw: { width: 4, height: 4, channels: 1 } }).png().toBuffer();
    const g = await decodeImage(grey);
    expect([...g.data.subarray(0, 6)]).toEqual([77, 77, 77, 77, 77, 77]);
  });
  it('takes the first frame of an animated GIF', async () => {
    const frames = tile([solid(8, 8, [255, 0, 0]), solid(8, 8, [0, 0, 255])], 1);
    const gif = await sharp(frames.data, { raw: { width: 8, height: 16, channels: 3, pageHeight: 8 } }).gif().toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const d = await decodeImage(gif);
    expect([d.width, d.height]).toEqual([8, 8]);
    expect(d.data[0]).toBeGreaterThan(200);
    expect(d.data[2]).toBeLessThan(50);
  });
  it('applies the EXIF orientation', async () => {
    const jpeg = await sharp(solid(20, 10, [200, 200, 200]).data, { raw: { width: 20, height: 10, channels: 3 } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const d = await decodeImage(jpeg);
    expect([d.width, d.height]).toEqual([10, 20]);
  });
});

describe('outputs', () => {
  it('maps [-1, 1] to bytes by round(clamp((x+1)/2)·255), CHW → HWC', () => {
    const t = Float32Array.from([-1, 0, 1, 2, /* G */ -2, 0.5, 0, 0, /* B */ 1, 1, 1, 1]);
    const [img] = tensorToImages(t, 1, 2);
    expect([...img!.data]).toEqual([0, 0, 255, 128, 191, 255, 255, 128, 255, 255, 128, 255]);
  });
  it('tiles 4 images 2×2 and 1 image as itself', async () => {
    const imgs = [solid(4, 4, [255, 0, 0]), solid(4, 4, [0, 255, 0]), solid(4, 4, [0, 0, 255]), solid(4, 4, [9, 9, 9])];
    const grid = tile(imgs);
    expect([grid.width, grid.height]).toEqual([8, 8]);
    const px = (x: number, y: number) => [...grid.data.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3)];
    expect([px(0, 0), px(7, 0), px(0, 7), px(7, 7)]).toEqual([[255, 0, 0], [0, 255, 0], [0, 0, 255], [9, 9, 9]]);
    const one = await gridPng([imgs[0]!]);
    expect((await sharp(one).metadata()).width).toBe(4);
  });
  it('makes an animated, looping WebP', async () => {
    const webp = await animatedWebp([solid(16, 16, [255, 0, 0]), solid(16, 16, [0, 255, 0]), solid(16, 16, [0, 0, 255])], 100);
    const meta = await sharp(webp, { animated: true }).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.pages).toBe(3);
    expect(meta.loop).toBe(0);
    expect(meta.delay).toEqual([100, 100, 100]);
  });
  it('draws a score chart PNG, escaping labels', async () => {
    const chart = await scoreChartPng([{ label: '<b>&cat', score: 0.8 }, { label: 'dog', score: 0.2 }]);
    const meta = await sharp(chart).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(480);
  });
  it('keeps long labels inside the chart: nothing is drawn in its left margin', async () => {
    const chart = await scoreChartPng([
      { label: 'a big red star on a blue background', score: 0.6 },
      { label: 'a small green triangle on a yellow background, drawn', score: 0.4 },
    ]);
    const { data, info } = await sharp(chart).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    let drawn = 0;
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < 6; x++) {
        const i = (y * info.width + x) * 3;
        if (Math.abs(data[i]! - 0x2b) + Math.abs(data[i + 1]! - 0x2d) + Math.abs(data[i + 2]! - 0x31) > 30) drawn++;
      }
    }
    expect(drawn).toBe(0);
    // and the labels are drawn at all (the column left of the bars is not empty)
    let ink = 0;
    for (let y = 0; y < info.height; y++) for (let x = 0; x < info.width / 2; x++) if (data[(y * info.width + x) * 3]! > 150) ink++;
    expect(ink).toBeGreaterThan(50);
  });
});

describe('CLIP preprocessing', () => {
  const p = parsePreprocessor({ size: { shortest_edge: 4 }, crop_size: { height: 4, width: 4 }, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5], resample: 3 });
  it('rescales and normalizes into CHW', async () => {
    const out = await preprocessImage(p, solid(4, 4, [255, 0, 51]));
    expect(out).toHaveLength(48);
    expect(out[0]).toBeCloseTo(1, 6);
    expect(out[16]).toBeCloseTo(-1, 6);
    expect(out[32]).toBeCloseTo(51 / 255 / 0.5 - 1, 6);
  });
  it('resizes the shortest edge then centre-crops', async () => {
    // 16×8: left half red, right half blue → resized to 8×4, cropped to the middle 4×4.
    const img = solid(16, 8, [255, 0, 0]);
    for (let y = 0; y < 8; y++) for (let x = 8; x < 16; x++) img.data.set([0, 0, 255], (y * 16 + x) * 3);
    const out = await preprocessImage(p, img);
    expect(out[0]).toBeGreaterThan(0.5); // top-left: red
    expect(out[3]).toBeLessThan(-0.5); // top-right: not red
    expect(out[32 + 3]).toBeGreaterThan(0.5); // top-right: blue
  });
});
