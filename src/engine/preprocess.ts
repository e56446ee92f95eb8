/**
 * CLIP image preprocessing, following preprocessor_config.json literally (as transformers.js and the
 * Python CLIPImageProcessor do): convert to RGB, resize the shortest edge, centre crop, rescale,
 * normalise, HWC → CHW. The resize uses the same sharp affine transform as transformers.js so that
 * both give the same pixels.
 */
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import type { RgbImage } from './images.ts';

export interface Preprocessor {
  doResize: boolean;
  /** Either a shortest edge, or an exact size. */
  size: { shortestEdge: number } | { height: number; width: number } | null;
  doCenterCrop: boolean;
  cropSize: { height: number; width: number } | null;
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  mean: [number, number, number];
  std: [number, number, number];
  /** PIL resample enum: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic (4 box and 5 hamming → bilinear). */
  resample: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const posInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

function triple(v: unknown, field: string, fallback: [number, number, number]): [number, number, number] {
  if (v === undefined) return fallback;
  if (typeof v === 'number') return [v, v, v];
  if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number')) return v as [number, number, number];
  throw new Error(`${field} must be a number or 3 numbers`);
}

const CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

/** Parses preprocessor_config.json (both the old integer and the new object forms of size/crop_size). */
export function parsePreprocessor(raw: unknown): Preprocessor {
  if (!isObj(raw)) throw new Error('must be a JSON object');
  let size: Preprocessor['size'] = null;
  const s = raw['size'];
  if (posInt(s)) size = { shortestEdge: s };
  else if (isObj(s) && posInt(s['shortest_edge'])) size = { shortestEdge: s['shortest_edge'] };
  else if (isObj(s) && posInt(s['height']) && posInt(s['width'])) size = { height: s['height'], width: s['width'] };
  else if (s !== undefined) throw new Error('size must be an integer, {shortest_edge} or {height, width}');
  let cropSize: Preprocessor['cropSize'] = null;
  const c = raw['crop_size'];
  if (posInt(c)) cropSize = { height: c, width: c };
  else if (isObj(c) && posInt(c['height']) && posInt(c['width'])) cropSize = { height: c['height'], width: c['width'] };
  else if (c !== undefined) throw new Error('crop_size must be an integer or {height, width}');
  const doResize = raw['do_resize'] !== false;
  const doCenterCrop = raw['do_center_crop'] !== false && cropSize !== null;
  if (doResize && !size) throw new Error('do_resize needs size');
  if (!cropSize && !(size && 'height' in size)) throw new Error('crop_size (or size {height, width}) is needed to know the model input size');
  if (!cropSize && size && 'height' in size) cropSize = { height: size.height, width: size.width };
  if (cropSize && cropSize.height !== cropSize.width) throw new Error('crop_size must be square');
  const rescale = raw['rescale_factor'];
  const resample = raw['resample'] ?? 2;
  if (typeof resample !== 'number' || !Number.isInteger(resample) || resample < 0 || resample > 5) throw new Error('resample must be a PIL enum 0-5');
  return {
    doResize,
    size,
    doCenterCrop,
    cropSize,
    doRescale: raw['do_rescale'] !== false,
    rescaleFactor: typeof rescale === 'number' ? rescale : 1 / 255,
    doNormalize: raw['do_normalize'] !== false,
    mean: triple(raw['image_mean'], 'image_mean', CLIP_MEAN),
    std: triple(raw['image_std'], 'image_std', CLIP_STD),
    resample,
  };
}

/** transformers.js get_resize_output_image_size for the sizes CLIP uses. */
export function resizeTarget(p: Preprocessor, width: number, height: number): [number, number] {
  if (!p.size) return [width, height];
  if ('height' in p.size) return [p.size.width, p.size.height];
  const f = Math.max(p.size.shortestEdge / width, p.size.shortestEdge / height);
  return [Math.floor(Number((width * f).toFixed(2))), Math.floor(Number((height * f).toFixed(2)))];
}

const INTERPOLATORS = ['nearest', 'lanczos', 'bilinear', 'bicubic', 'bilinear', 'bilinear'] as const;

async function toRgb(img: Sharp): Promise<RgbImage> {
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as 3 };
}

async function resize(p: Preprocessor, img: RgbImage): Promise<RgbImage> {
  const [w, h] = resizeTarget(p, img.width, img.height);
  if (w === img.width && h === img.height) return img;
  const raw = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  const method = INTERPOLATORS[p.resample]!;
  if (method === 'lanczos') return toRgb(raw.resize({ width: w, height: h, fit: 'fill', kernel: 'lanczos3' }));
  return toRgb(raw.affine([w / img.width, 0, 0, h / img.height], { interpolator: method }));
}

async function centreCrop(img: RgbImage, cw: number, ch: number): Promise<RgbImage> {
  if (img.width === cw && img.height === ch) return img;
  const dx = (img.width - cw) / 2;
  const dy = (img.height - ch) / 2;
  let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  if (dx >= 0 && dy >= 0) return toRgb(s.extract({ left: Math.floor(dx), top: Math.floor(dy), width: cw, height: ch }));
  // Smaller than the crop on some side: pad with black (as transformers.js does), then crop.
  const padX = dx < 0 ? Math.floor(-dx) : 0;
  const padY = dy < 0 ? Math.floor(-dy) : 0;
  const pw = Math.max(img.width, cw);
  const ph = Math.max(img.height, ch);
  s = s.extend({ left: padX, right: pw - img.width - padX, top: padY, bottom: ph - img.height - padY, background: { r: 0, g: 0, b: 0 } });
  const padded = await toRgb(s);
  return centreCrop(padded, cw, ch);
}

/**
 * Preprocesses an RGB image into a float32 [3, S, S] tensor. The arithmetic is done in the same order
 * and float32 rounding as transformers.js (rescale, then (x − mean) / std), so inputs match bit for bit.
 */
export async function preprocessImage(p: Preprocessor, image: RgbImage): Promise<Float32Array> {
  let img = image;
  if (p.doResize) img = await resize(p, img);
  if (p.doCenterCrop && p.cropSize) img = await centreCrop(img, p.cropSize.width, p.cropSize.height);
  const { width: W, height: H, data } = img;
  const out = new Float32Array(3 * W * H);
  const plane = W * H;
  const f = Math.fround;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      let v = data[i * 3 + c]!;
      if (p.doRescale) v = f(v * p.rescaleFactor);
      if (p.doNormalize) v = f((v - p.mean[c]!) / p.std[c]!);
      out[c * plane + i] = v;
    }
  }
  return out;
}
