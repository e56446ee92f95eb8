/**
 * Every pixel operation, through sharp: decoding and validating user images, turning model outputs
 * into PNGs, grids and animated WebPs, previews and the classify bar chart.
 */
import sharp from 'sharp';
import type { OutputInfo, Sharp } from 'sharp';
import { UserInputError } from './errors.ts';
import { decodeSmallPng } from './png.ts';

/** 8-bit RGB pixels, row-major HWC. */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

export interface ImageLimits {
  /** Largest accepted file, bytes. */
  maxBytes: number;
  /** Largest accepted width × height. */
  maxPixels: number;
  /** Largest accepted side. */
  maxSide: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxBytes: 25 * 1024 * 1024, maxPixels: 16_777_216, maxSide: 4096 };

const ACCEPTED_TEXT = 'PNG, JPEG, WebP or GIF';

/** The accepted formats, by their file signature (checked before anything is decoded). */
export function sniffFormat(b: Uint8Array): 'png' | 'jpeg' | 'gif' | 'webp' | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 8 && b[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'gif';
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return undefined;
}

export interface DecodedImage extends RgbImage {
  format: string;
}

/**
 * Decodes a user's image, refusing (with a UserInputError that says what to change) empty files,
 * non-images, SVG, corrupt or truncated files and images over the caps. Animated images give their
 * first frame. EXIF orientation is applied; alpha is dropped (as CLIP preprocessing does).
 */
export async function decodeImage(input: Buffer | Uint8Array, limits: ImageLimits = DEFAULT_IMAGE_LIMITS, what = 'The image'): Promise<DecodedImage> {
  if (input.length === 0) throw new UserInputError(`${what} is empty (0 bytes): attach a ${ACCEPTED_TEXT} file.`, { code: 'image-empty', what });
  if (input.length > limits.maxBytes) {
    throw new UserInputError(`${what} is too large (${mib(input.length)} MiB; at most ${mib(limits.maxBytes)} MiB).`, { code: 'image-bytes', mib: mib(input.length), maxMib: mib(limits.maxBytes), what });
  }
  const format = sniffFormat(input);
  if (!format) throw await notAccepted(input, what);
  const tooBig = (w: number, h: number) =>
    new UserInputError(
      `${what} is too big (${w}×${h}); the limit is ${limits.maxSide}×${limits.maxSide} and ${(limits.maxPixels / 1e6).toFixed(1)} megapixels: send a smaller image.`,
      { code: 'image-pixels', width: w, height: h, maxSide: limits.maxSide, megapixels: (limits.maxPixels / 1e6).toFixed(1), what },
    );
  // Small plain PNGs (what CLIP mostly reads) decode faster in JavaScript; sharp does everything else.
  const small = format === 'png' ? decodeSmallPng(input) : undefined;
  if (small && small.width * small.height <= limits.maxPixels && small.width <= limits.maxSide && small.height <= limits.maxSide) {
    return { ...toRgb(small.data, small.width, small.height, small.channels), format };
  }
  let raw: { data: Buffer; info: OutputInfo };
  try {
    // One sharp pipeline for good input (the common case): the header is only read again on failure.
    raw = await sharp(input, { limitInputPixels: limits.maxPixels, failOn: 'error', pages: 1 }).rotate().raw().toBuffer({ resolveWithObject: true });
  } catch {
    const meta = await sharp(input, { limitInputPixels: false }).metadata().catch(() => undefined);
    const w = meta?.width ?? 0;
    const h = meta?.pageHeight ?? meta?.height ?? 0;
    if (w * h > limits.maxPixels) throw tooBig(w, h);
    throw new UserInputError(`${what} is corrupt or truncated: send the file again, or another ${ACCEPTED_TEXT} image.`, { code: 'image-corrupt', what });
  }
  const { width, height, channels } = raw.info;
  if (width > limits.maxSide || height > limits.maxSide) throw tooBig(width, height);
  return { ...toRgb(raw.data, width, height, channels), format };
}

/** The error for input that is not one of the accepted formats: says what it is when it can. */
async function notAccepted(input: Buffer | Uint8Array, what: string): Promise<UserInputError> {
  const head = Buffer.from(input.subarray(0, 512)).toString('utf8').trimStart().toLowerCase();
  if (head.startsWith('<svg') || ((head.startsWith('<?xml') || head.startsWith('<!doctype svg')) && head.includes('<svg'))) {
    return new UserInputError(`${what} is an SVG, which is not accepted: send a ${ACCEPTED_TEXT} image.`, { code: 'image-svg', what });
  }
  const meta = await sharp(input, { limitInputPixels: false }).metadata().catch(() => undefined);
  if (meta?.format) {
    return new UserInputError(`${what} is a ${meta.format.toUpperCase()} file, which is not accepted: send a ${ACCEPTED_TEXT} image.`, { code: 'image-format', format: meta.format.toUpperCase(), what });
  }
  return new UserInputError(`${what} is not a readable image: send a ${ACCEPTED_TEXT} file.`, { code: 'image-unreadable', what });
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/** Converts 1–4 channel 8-bit pixels to RGB the way transformers.js's RawImage.rgb() does (alpha dropped). */
export function toRgb(data: Buffer, width: number, height: number, channels: number): RgbImage {
  if (channels === 3) return { data, width, height, channels: 3 };
  const out = Buffer.alloc(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += channels) {
    if (channels === 1 || channels === 2) {
      out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = data[j]!;
    } else {
      out[i * 3] = data[j]!;
      out[i * 3 + 1] = data[j + 1]!;
      out[i * 3 + 2] = data[j + 2]!;
    }
  }
  return { data: out, width, height, channels: 3 };
}

/** Model output [B, 3, H, W] in [−1, 1] → B RGB images: round(clamp((x + 1) / 2, 0, 1) · 255). */
export function tensorToImages(data: Float32Array, batch: number, size: number): RgbImage[] {
  const plane = size * size;
  if (data.length !== batch * 3 * plane) throw new RangeError(`image tensor has ${data.length} values, expected ${batch}×3×${size}×${size}`);
  return Array.from({ length: batch }, (_, b) => {
    const out = Buffer.alloc(plane * 3);
    const base = b * 3 * plane;
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) {
        const x = (data[base + c * plane + i]! + 1) / 2;
        out[i * 3 + c] = Math.round(Math.min(1, Math.max(0, x)) * 255);
      }
    }
    return { data: out, width: size, height: size, channels: 3 as const };
  });
}

function rawSharp(img: RgbImage, pageHeight?: number): Sharp {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3, ...(pageHeight ? { pageHeight } : {}) } });
}

export async function toPng(img: RgbImage): Promise<Buffer> {
  return rawSharp(img).png({ compressionLevel: 6 }).toBuffer();
}

/** Tiles images (all the same size) in a grid, `columns` wide; empty cells are black. */
export function tile(images: readonly RgbImage[], columns = images.length === 1 ? 1 : 2): RgbImage {
  const first = images[0];
  if (!first) throw new RangeError('tile: no images');
  const { width: w, height: h } = first;
  const rows = Math.ceil(images.length / columns);
  const W = w * columns;
  const out = Buffer.alloc(W * h * rows * 3);
  images.forEach((img, k) => {
    if (img.width !== w || img.height !== h) throw new RangeError('tile: images differ in size');
    const ox = (k % columns) * w;
    const oy = Math.floor(k / columns) * h;
    for (let y = 0; y < h; y++) img.data.copy(out, ((oy + y) * W + ox) * 3, y * w * 3, (y + 1) * w * 3);
  });
  return { data: out, width: W, height: h * rows, channels: 3 };
}

/** The PNG grid of a generation: the image itself for 1, 2×1 for 2, 2×2 for 3 or 4. */
export async function gridPng(images: readonly RgbImage[]): Promise<Buffer> {
  return toPng(tile(images));
}

/** A small preview PNG: each image scaled to `side` px, tiled. */
export async function previewPng(images: readonly RgbImage[], side = 64): Promise<Buffer> {
  const small = await Promise.all(
    images.map(async (img) => {
      if (img.width === side) return img;
      const { data, info } = await rawSharp(img).resize(side, side, { kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, channels: 3 as const };
    }),
  );
  return toPng(tile(small));
}

/** An animated, looping WebP of the frames (all the same size). */
export async function animatedWebp(frames: readonly RgbImage[], delayMs = 150): Promise<Buffer> {
  const strip = tile(frames, 1);
  const h = frames[0]!.height;
  return rawSharp(strip, h)
    .webp({ loop: 0, delay: frames.map(() => delayMs), quality: 90, effort: 2 })
    .toBuffer();
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A horizontal bar chart of scores (for /classify), as a PNG. The labels are escaped. */
export async function scoreChartPng(scores: readonly { label: string; score: number }[], width = 480): Promise<Buffer> {
  const rowH = 28;
  // The label column fits the longest label (about 8.2 px a character at 14 px), up to 60 % of the
  // width; longer labels are cut with … so that none runs off the left edge.
  const CHAR_PX = 8.2;
  const longest = Math.max(...scores.map((s) => s.label.length));
  const labelW = Math.round(Math.min(width * 0.6, Math.max(width * 0.25, longest * CHAR_PX + 16)));
  const maxChars = Math.floor((labelW - 16) / CHAR_PX);
  const barMax = width - labelW - 70;
  const height = rowH * scores.length + 16;
  const rows = scores
    .map(({ label, score }, i) => {
      const y = 8 + i * rowH;
      const text = label.length > maxChars ? `${label.slice(0, maxChars - 1)}…` : label;
      const w = Math.max(1, Math.round(score * barMax));
      return (
        `<text x="${labelW - 8}" y="${y + 18}" text-anchor="end" font-family="sans-serif" font-size="14" fill="#ddd">${escapeXml(text)}</text>` +
        `<rect x="${labelW}" y="${y + 4}" width="${w}" height="${rowH - 8}" rx="3" fill="${i === 0 ? '#5865f2' : '#7a7f8a'}"/>` +
        `<text x="${labelW + w + 6}" y="${y + 18}" font-family="sans-serif" font-size="13" fill="#ddd">${(score * 100).toFixed(1)}%</text>`
      );
    })
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#2b2d31"/>${rows}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
