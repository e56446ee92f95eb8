/**
 * The GPU check (issue 14 item 6), for a CUDA machine that has only the working tree and no internet
 * (install onnxruntime-node's CUDA provider first: README, "GPU"). At most a few minutes:
 *
 *   npx tsx bench/gpu-check.ts [--device cuda|cpu] [--json FILE]
 *
 * 1. the tiny Kandinsky 2.2 pack on the device: the diffusers parity cases (max abs errors, images in
 *    0–1) and their timings;
 *    the tiny Karlo pack: text → image through the cascade, and a variation;
 * 2. the bundled pack: imagine (4 images, fixed seed) on the CPU and on the device, their timings and the
 *    largest byte difference between the two runs' PNG pixels.
 * It prints one table and exits 1 if a parity error is over 1e-3 or the device run fell back to the CPU.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { Clip } from '../src/engine/clip.ts';
import { decodeImage } from '../src/engine/images.ts';
import { Engine } from '../src/engine/index.ts';
import { loadPack, releasePack } from '../src/engine/pack.ts';
import { UnclipPipeline } from '../src/engine/pipelines/unclip.ts';
import type { Device } from '../src/engine/sessions.ts';
import { maxAbsError, readFixture, REAL_WEIGHTS, ReplayNoise, TOLERANCE, toUnit, unitNorm } from '../test/engine/real-weights-parity.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const device = (arg('--device') ?? 'cuda') as Device;
const rows: { check: string; device: string; error?: number; ms: number }[] = [];
const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await f();
  return [r, Math.round((performance.now() - t) * 10) / 10];
};
let failed = false;

async function kandinsky(): Promise<void> {
  const fx = readFixture<any>('kandinsky-2-2.json');
  const st = fx.settings;
  const [pack, loadMs] = await time(() => loadPack(`${REAL_WEIGHTS}kandinsky-2-2-tiny`, { device, log: (l) => console.log(l) }));
  rows.push({ check: 'kandinsky tiny: load', device: pack.info.device, ms: loadMs });
  if (pack.info.device !== device) failed = true;
  const clip = new Clip(pack);
  const s = pack.sessions;
  const u = new UnclipPipeline(clip, pack.manifest!.v2!, { text: s.text, prior: s.prior!, decoder: s.decoder!, latentDecoder: s.latentDecoder! }, pack.info.embeddingDim);
  const img = (f: string) => decodeImage(readFileSync(`${REAL_WEIGHTS}${f}`));
  const record = (check: string, error: number, ms: number) => {
    rows.push({ check: `kandinsky tiny: ${check}`, device: pack.info.device, error, ms: Math.round(ms * 10) / 10 });
    if (!(error <= TOLERANCE)) failed = true;
  };
  const c = fx.cases;
  const decode = (e: Float32Array, noise: number[][]) => u.decode([e], { steps: st.steps, guidance: st.guidance, noise: [new ReplayNoise(noise)] });
  const [emb, priorMs] = await time(() => u.prior(c.text_to_image.prompt, { steps: st.prior_steps, guidance: st.prior_guidance, noise: [new ReplayNoise(c.text_to_image.prior_noise)] }));
  record('prior embedding', maxAbsError(unitNorm(emb[0]!), unitNorm(c.text_to_image.image_embeds)), priorMs);
  const [t2i, t2iMs] = await time(() => decode(emb[0]!, c.text_to_image.noise));
  record('text → image', maxAbsError(toUnit(t2i), c.text_to_image.image), priorMs + t2iMs);
  const [[v], vMs] = await time(async () => u.imageEmbeds([await img(c.variation.image)]));
  const [vo, voMs] = await time(() => decode(v!, c.variation.noise));
  record('variation', maxAbsError(toUnit(vo), c.variation.output), vMs + voMs);
  const embs = await u.imageEmbeds(await Promise.all(c.interpolate.images.map(img)));
  const [io, ioMs] = await time(() => decode(u.mix(embs, c.interpolate.weights), c.interpolate.noise));
  record('interpolate', maxAbsError(toUnit(io), c.interpolate.output), ioMs);
  const [scores, zMs] = await time(async () => clip.scores((await clip.embedImages([await img(c.zero_shot.image)]))[0]!, await clip.embedTexts(c.zero_shot.labels)));
  record('zero-shot', maxAbsError(scores, c.zero_shot.scores), zMs);
  await releasePack(pack);
}

async function karlo(): Promise<void> {
  const fx = readFixture<any>('karlo.json');
  const st = fx.settings;
  const pack = await loadPack(`${REAL_WEIGHTS}karlo-tiny`, { device, log: (l) => console.log(l) });
  if (pack.info.device !== device) failed = true;
  const s = pack.sessions;
  const u = new UnclipPipeline(new Clip(pack), pack.manifest!.v2!, { text: s.text, prior: s.prior!, decoder: s.decoder!, cascade: s.cascade! }, pack.info.embeddingDim);
  const c = fx.cases;
  const opts = (noise: ReplayNoise, prompt?: string) => ({ steps: st.steps, guidance: st.guidance, noise: [noise], cascadeSteps: [st.super_res_steps], ...(prompt ? { prompt } : {}) });
  const record = (check: string, error: number, ms: number) => {
    rows.push({ check: `karlo tiny: ${check}`, device: pack.info.device, error, ms: Math.round(ms * 10) / 10 });
    if (!(error <= TOLERANCE)) failed = true;
  };
  const [t2i, ms] = await time(async () => {
    const noise = new ReplayNoise(c.text_to_image.noise);
    const [emb] = await u.prior(c.text_to_image.prompt, { steps: st.prior_steps, guidance: st.prior_guidance, noise: [noise] });
    return u.decode([emb!], opts(noise, c.text_to_image.prompt));
  });
  record('text → image (end to end)', maxAbsError(toUnit(t2i), c.text_to_image.image), ms);
  const [[v]] = await time(async () => u.imageEmbeds([await decodeImage(readFileSync(`${REAL_WEIGHTS}${c.variation.image}`))]));
  const [vo, vMs] = await time(() => u.decode([v!], opts(new ReplayNoise(c.variation.noise))));
  record('variation', maxAbsError(toUnit(vo), c.variation.output), vMs);
  await releasePack(pack);
}

async function pixels(png: Buffer): Promise<Buffer> {
  return sharp(png).raw().toBuffer();
}

async function bundled(): Promise<void> {
  const runs: Record<string, Buffer[]> = {};
  for (const d of ['cpu', device] as Device[]) {
    if (runs[d]) continue;
    const engine = await Engine.load({ packDir: 'models/shapes-v1', device: d, log: (l) => console.log(l) });
    await engine.imagine('a big red star on a blue background', { n: 1, seed: 1, steps: 2 }); // warm-up
    const [gen, ms] = await time(() => engine.imagine('a big red star on a blue background', { n: 4, seed: 42 }));
    rows.push({ check: 'shapes-v1: imagine 4 (pack defaults)', device: engine.pack.device, ms });
    if (engine.pack.device !== d) failed = true;
    runs[d] = await Promise.all(gen.images.map(pixels));
    await engine.close();
  }
  if (device !== 'cpu') {
    let diff = 0;
    runs['cpu']!.forEach((b, i) => b.forEach((v, k) => (diff = Math.max(diff, Math.abs(v - runs[device]![i]![k]!)))));
    rows.push({ check: `shapes-v1: max byte difference cpu vs ${device}`, device, error: diff, ms: 0 });
  }
}

await kandinsky();
await karlo();
await bundled();
console.table(rows);
const out = arg('--json');
if (out) writeFileSync(out, JSON.stringify({ device, failed, rows }, null, 1));
console.log(failed ? 'GPU CHECK FAILED (a parity error over 1e-3, or the device fell back to the CPU)' : 'GPU check passed');
process.exit(failed ? 1 : 0);
