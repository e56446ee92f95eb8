/**
 * The engine's sampling against a plain reference loop written here from docs/PACK.md alone (its own
 * ONNX sessions, no engine sampler code): the same seed must give the same pixels. This checks the
 * plumbing that unit tests of the formulas cannot: the [uncond…, cond…] batch order, timesteps, the
 * prior's embed_scale space, the latent decoder, and the byte mapping.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { Rng } from '../../src/engine/rng.ts';
import { PACK_DIR } from './pack-fixture.ts';

interface Diffusion {
  prediction: 'epsilon' | 'v' | 'x0';
  alphas_cumprod: number[];
  train_steps: number;
}
let engine: Engine;
let pack: { prior: Diffusion & { embed_scale: number }; decoder: Diffusion & { sample_shape: number[] }; embedding_dim: number };
let sessions: Record<'prior' | 'decoder' | 'latent', ort.InferenceSession>;

beforeAll(async () => {
  engine = await Engine.load({ packDir: PACK_DIR });
  pack = JSON.parse(await readFile(`${PACK_DIR}/pack.json`, 'utf8')) as typeof pack;
  const open = (f: string) => ort.InferenceSession.create(`${PACK_DIR}/onnx/${f}`, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  sessions = { prior: await open('prior.onnx'), decoder: await open('decoder.onnx'), latent: await open('latent_decoder.onnx') };
});
afterAll(async () => {
  await engine?.close();
  await Promise.all(Object.values(sessions ?? {}).map((s) => s.release()));
});

/** DDIM, η = 0, classifier-free guidance: PACK.md, written out plainly in float64. */
async function reference(
  session: ort.InferenceSession,
  names: [string, string, string],
  d: Diffusion,
  rowShape: number[],
  cond: Float32Array[],
  rngs: Rng[],
  steps: number,
  g: number,
): Promise<Float32Array> {
  const B = cond.length;
  const D = cond[0]!.length;
  const size = rowShape.reduce((a, b) => a * b, 1);
  let x = new Float32Array(B * size);
  rngs.forEach((r, i) => r.fillNormal(x.subarray(i * size, (i + 1) * size)));
  const T = d.train_steps;
  const ts = Array.from({ length: steps }, (_, k) => Math.floor(((steps - k) * T) / steps) - 1);
  for (let k = 0; k < steps; k++) {
    const t = ts[k]!;
    const a = d.alphas_cumprod[t]!;
    const ap = k + 1 < steps ? d.alphas_cumprod[ts[k + 1]!]! : 1;
    const xx = new Float32Array(2 * B * size);
    xx.set(x);
    xx.set(x, B * size);
    const cc = new Float32Array(2 * B * D);
    cond.forEach((c, i) => cc.set(c, (B + i) * D));
    const out = (
      await session.run({
        [names[0]]: new ort.Tensor('float32', xx, [2 * B, ...rowShape]),
        [names[1]]: new ort.Tensor('float32', new Float32Array(2 * B).fill(t), [2 * B]),
        [names[2]]: new ort.Tensor('float32', cc, [2 * B, D]),
      })
    )['model_output']!.data as Float32Array;
    const next = new Float32Array(B * size);
    for (let i = 0; i < B * size; i++) {
      const o = Math.fround(out[i]! + g * (out[B * size + i]! - out[i]!));
      const xi = x[i]!;
      let x0: number;
      let eps: number;
      if (d.prediction === 'v') [x0, eps] = [Math.sqrt(a) * xi - Math.sqrt(1 - a) * o, Math.sqrt(1 - a) * xi + Math.sqrt(a) * o];
      else if (d.prediction === 'x0') [x0, eps] = [o, (xi - Math.sqrt(a) * o) / Math.sqrt(1 - a)];
      else [x0, eps] = [(xi - Math.sqrt(1 - a) * o) / Math.sqrt(a), o];
      next[i] = Math.sqrt(ap) * x0 + Math.sqrt(1 - ap) * eps;
    }
    x = next;
  }
  return x;
}

const unit = (v: Float32Array) => {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
};

async function pixels(png: Buffer): Promise<Buffer> {
  return sharp(png).raw().toBuffer();
}

describe('engine = reference loop from PACK.md', () => {
  it('imagine: prior then decoder then latent decoder give the same pixels', async () => {
    const [seed, n, steps, gPrior, gDec] = [77, 2, 3, 2, 3];
    const prompt = 'a big red star on a blue background';
    // the reference loop is PACK.md's DDIM (the bundled pack's default is DPM-Solver++)
    const gen = await engine.imagine(prompt, { seed, n, steps, priorSteps: steps, guidance: gDec, priorGuidance: gPrior, scheduler: 'ddim' });
    const [text] = await engine.embedTexts([prompt]);
    const D = pack.embedding_dim;
    const xPrior = await reference(sessions.prior, ['x_t', 'timestep', 'text_embeds'], pack.prior, [D], [text!, text!], [new Rng(seed, 0), new Rng(seed, 1)], steps, gPrior);
    const embeds = [0, 1].map((i) => unit(xPrior.slice(i * D, (i + 1) * D).map((v) => v / pack.prior.embed_scale)));
    const shape = pack.decoder.sample_shape;
    const latents = await reference(sessions.decoder, ['sample', 'timestep', 'image_embeds'], pack.decoder, shape, embeds, [new Rng(seed, 1000), new Rng(seed, 1001)], steps, gDec);
    const img = (await sessions.latent.run({ latents: new ort.Tensor('float32', latents, [n, ...shape]) }))['image']!;
    const [, , H, W] = img.dims as number[];
    const data = img.data as Float32Array;
    for (let b = 0; b < n; b++) {
      const want = Buffer.alloc(H! * W! * 3);
      for (let p = 0; p < H! * W!; p++) {
        for (let c = 0; c < 3; c++) want[p * 3 + c] = Math.round(Math.min(1, Math.max(0, (data[(b * 3 + c) * H! * W! + p]! + 1) / 2)) * 255);
      }
      const got = await pixels(gen.images[b]!);
      let maxDiff = 0;
      for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(want[i]! - got[i]!));
      // Same formulas in another order of float operations: at most one step of rounding apart.
      expect(maxDiff, `image ${b}`).toBeLessThanOrEqual(1);
    }
  });
});
