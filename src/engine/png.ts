/**
 * A fast path for decoding small, plain PNGs in JavaScript (node:zlib), skipping sharp's per-image
 * pipeline set-up and thread hop, which cost more than the decoding itself for the 64–256 px images
 * CLIP reads. Only non-interlaced 8-bit greyscale, RGB and RGBA files of at most 65 536 pixels with
 * every chunk's CRC right and no chunk that changes colours or orientation (gAMA, cHRM, iCCP, sBIT,
 * tRNS, eXIf, PLTE…) take it; anything else returns undefined and goes through sharp, which also
 * gives the errors. The pixels equal sharp's (test/engine/png.test.ts).
 */
import { crc32, inflateSync } from 'node:zlib';

export const FAST_PNG_MAX_PIXELS = 65_536;
/** Chunks that change nothing about the pixels. */
const HARMLESS = new Set(['IHDR', 'IDAT', 'IEND', 'sRGB', 'pHYs', 'tEXt', 'zTXt', 'iTXt', 'tIME', 'bKGD']);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 6: 4 };

export interface DecodedPng {
  /** Row-major pixels with `channels` bytes each. */
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

export function decodeSmallPng(b: Uint8Array): DecodedPng | undefined {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (buf.length < 8 + 25 || buf.readUInt32BE(0) !== 0x89504e47 || buf.readUInt32BE(4) !== 0x0d0a1a0a) return undefined;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  let ended = false;
  for (let o = 8; o < buf.length && !ended; ) {
    if (o + 12 > buf.length) return undefined;
    const len = buf.readUInt32BE(o);
    const type = buf.toString('latin1', o + 4, o + 8);
    if (o + 12 + len > buf.length) return undefined;
    if (crc32(buf.subarray(o + 4, o + 8 + len)) !== buf.readUInt32BE(o + 8 + len)) return undefined;
    const body = buf.subarray(o + 8, o + 8 + len);
    if (!HARMLESS.has(type)) return undefined;
    if (type === 'IHDR') {
      if (o !== 8 || len !== 13) return undefined;
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, compression, filter, interlace] = [body[8], body[9], body[10], body[11], body[12]];
      channels = CHANNELS[colour!] ?? 0;
      if (depth !== 8 || !channels || compression !== 0 || filter !== 0 || interlace !== 0) return undefined;
      if (width < 1 || height < 1 || width * height > FAST_PNG_MAX_PIXELS) return undefined;
    } else if (width === 0) return undefined;
    if (type === 'IDAT') idat.push(body);
    if (type === 'IEND') ended = true;
    o += 12 + len;
  }
  if (!ended || idat.length === 0) return undefined;
  let raw: Buffer;
  try {
    raw = inflateSync(idat.length === 1 ? idat[0]! : Buffer.concat(idat));
  } catch {
    return undefined;
  }
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) return undefined;
  const out = Buffer.alloc(height * stride);
  return unfilter(raw, out, width, height, channels) ? { data: out, width, height, channels } : undefined;
}

/** Undoes the per-row filters (PNG spec §9) into `out`; false on an unknown filter type. */
function unfilter(raw: Buffer, out: Buffer, width: number, height: number, bpp: number): boolean {
  const stride = width * bpp;
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const up = row - stride;
    for (let x = 0; x < stride; x++) {
      const v = raw[src + x]!;
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[up + x]! : 0;
      let r: number;
      switch (f) {
        case 0:
          r = v;
          break;
        case 1:
          r = v + a;
          break;
        case 2:
          r = v + b;
          break;
        case 3:
          r = v + ((a + b) >> 1);
          break;
        case 4: {
          const c = x >= bpp && y > 0 ? out[up + x - bpp]! : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          r = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          return false;
      }
      out[row + x] = r & 0xff;
    }
  }
  return true;
}
