/**
 * PyTorch's `F.interpolate(x, size, mode="bicubic", align_corners=False, antialias=True)` on [B, C, h, w]
 * float32 images (what diffusers' UnCLIPPipeline upscales the decoder's image with before super-resolution):
 * separable, width then height, Keys' cubic with a = −0.5, weights normalized per output pixel.
 */

function filter(x: number): number {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/** For each output index: the first input index and the normalized weights (aten's _compute_weights_aa). */
function weights(inSize: number, outSize: number): { start: number; w: Float64Array }[] {
  const scale = inSize / outSize;
  const support = scale >= 1 ? 2 * scale : 2;
  const invscale = scale >= 1 ? 1 / scale : 1;
  return Array.from({ length: outSize }, (_, i) => {
    const center = scale * (i + 0.5);
    const start = Math.max(Math.trunc(center - support + 0.5), 0);
    const size = Math.min(Math.trunc(center + support + 0.5), inSize) - start;
    const w = new Float64Array(size);
    let total = 0;
    for (let j = 0; j < size; j++) total += w[j] = filter((j + start - center + 0.5) * invscale);
    if (total !== 0) for (let j = 0; j < size; j++) w[j]! /= total;
    return { start, w };
  });
}

export function bicubicAntialias(data: Float32Array, batch: number, channels: number, h: number, w: number, outH: number, outW: number): Float32Array {
  if (data.length !== batch * channels * h * w) throw new RangeError(`image tensor has ${data.length} values, expected ${batch}×${channels}×${h}×${w}`);
  const wx = weights(w, outW);
  const wy = weights(h, outH);
  const planes = batch * channels;
  const mid = new Float32Array(planes * h * outW);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < h; y++) {
      const row = p * h * w + y * w;
      for (let x = 0; x < outW; x++) {
        const { start, w: k } = wx[x]!;
        let s = 0;
        for (let j = 0; j < k.length; j++) s += k[j]! * data[row + start + j]!;
        mid[p * h * outW + y * outW + x] = s;
      }
    }
  }
  const out = new Float32Array(planes * outH * outW);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < outH; y++) {
      const { start, w: k } = wy[y]!;
      for (let x = 0; x < outW; x++) {
        let s = 0;
        for (let j = 0; j < k.length; j++) s += k[j]! * mid[p * h * outW + (start + j) * outW + x]!;
        out[p * outH * outW + y * outW + x] = s;
      }
    }
  }
  return out;
}
