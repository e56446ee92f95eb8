/**
 * `npm run bench:quality [-- --prompts 120] [--variations 60] [--configs ddim:25,dpmsolver++:10,unipc:8,…] [--seed N] [--json]`
 * (default configs: DDIM 25, DPM-Solver++ 8–20, UniPC 6, 8, 10)
 *
 * Quality against steps, per scheduler, through the TypeScript engine on the real pack, judged by the
 * pack's own CLIP (as training/eval.py judges, here through the engine's preprocessing):
 * - text to image: prompts "a big <colour> <shape> on a <background> background" for the (colour, shape,
 *   background) triples of test/fixtures/world, half seen in training and half held out, 4 images each;
 *   colour and shape right (55-way "a <colour> <shape>"), background right (10-way over
 *   "a big <c> <s> on a <x> background");
 * - variations of held-out fixture images (big objects), 4 each: colour and shape kept;
 * - diversity: prompts whose 4 images all differ (smallest pairwise mean |Δ| of the PNGs > 0.02);
 * - agreement with the first configuration: mean cosine of each image's CLIP embedding to the
 *   same seed's image under it.
 * Every configuration sees the same prompts and seeds (paired), so differences are the scheduler's.
 * The scheduler and its steps apply to the prior and to the decoder alike.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { engineEnv } from '../src/cli.ts';
import { Engine, type Generation, type SchedulerName } from '../src/engine/index.ts';
import { validateScheduler } from '../src/engine/schedulers/index.ts';
import { dot } from '../src/engine/vectors.ts';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    pack: { type: 'string' },
    prompts: { type: 'string', default: '120' },
    variations: { type: 'string', default: '60' },
    seed: { type: 'string', default: '0' },
    configs: { type: 'string', default: 'ddim:25,dpmsolver++:8,dpmsolver++:10,dpmsolver++:12,dpmsolver++:15,dpmsolver++:20,unipc:6,unipc:8,unipc:10' },
  },
});
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const packDir = resolve(values.pack ?? (process.env['UNCLIP_PACK'] || `${ROOT}models/shapes-v1`));
const FIXTURES = `${ROOT}test/fixtures/world/`;
const log = (s: string) => {
  if (!values.json) process.stdout.write(`${s}\n`);
};

interface Fixture {
  file: string;
  split: 'seen' | 'heldout';
  colour: string;
  shape: string;
  size: string;
  background: string;
}
interface Config {
  scheduler: SchedulerName;
  steps: number;
}
const configs: Config[] = values.configs.split(',').map((c) => {
  const [name, steps] = c.split(':');
  return { scheduler: validateScheduler(name), steps: Number(steps) };
});
const SEED = Number(values.seed);
const label = (c: Config) => `${c.scheduler} ${c.steps}`;

/** Picks n items spread evenly over a list (deterministic). */
function spread<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  return Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]!);
}

async function minPairwiseDiff(pngs: Buffer[]): Promise<number> {
  const raws = await Promise.all(pngs.map((p) => sharp(p).raw().toBuffer()));
  let min = Infinity;
  for (let a = 0; a < raws.length; a++) {
    for (let b = a + 1; b < raws.length; b++) {
      let s = 0;
      for (let k = 0; k < raws[a]!.length; k++) s += Math.abs(raws[a]![k]! - raws[b]![k]!);
      min = Math.min(min, s / raws[a]!.length / 255);
    }
  }
  return min;
}

async function main(): Promise<void> {
  const engine = await Engine.load({ packDir, ...engineEnv() });
  const world = engine.pack.world;
  if (!world) throw new Error(`bench:quality judges images in a pack's world; ${engine.pack.name} declares none`);
  const labels = JSON.parse(await readFile(`${FIXTURES}labels.json`, 'utf8')) as { images: Fixture[] };
  const uniq = (split: Fixture['split']) => {
    const seen = new Set<string>();
    return labels.images.filter((f) => f.split === split && !seen.has(`${f.colour} ${f.shape} ${f.background}`) && seen.add(`${f.colour} ${f.shape} ${f.background}`));
  };
  const nPrompts = Number(values.prompts);
  const triples = [...spread(uniq('seen'), Math.ceil(nPrompts / 2)), ...spread(uniq('heldout'), Math.floor(nPrompts / 2))];
  const sources = spread(labels.images.filter((f) => f.split === 'heldout' && f.size === 'big'), Number(values.variations));
  const sourcePngs = await Promise.all(sources.map((s) => readFile(`${FIXTURES}${s.file}`)));

  const colours = Object.keys(world.colours);
  const classes = colours.flatMap((colour) => world.shapes.map((shape) => ({ colour, shape })));
  engine.clip.cacheTexts = true;
  const classEmb = await engine.embedTexts(classes.map((c) => `a ${c.colour} ${c.shape}`));
  const colourShape = (e: Float32Array) => classes[argmax(classEmb.map((t) => dot(e, t)))]!;
  const background = async (e: Float32Array, c: string, s: string) => {
    const bgs = colours.filter((x) => x !== c);
    const emb = await engine.embedTexts(bgs.map((x) => `a big ${c} ${s} on a ${x} background`));
    return bgs[argmax(emb.map((t) => dot(e, t)))]!;
  };

  log(`quality against steps: ${packDir}\n${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores; ${triples.length} prompts × 4 images, ${sources.length} variation sources × 4\n`);
  const rows: Record<string, number | string>[] = [];
  let reference: Float32Array[] | undefined;
  for (const cfg of configs) {
    const opts = { scheduler: cfg.scheduler, steps: cfg.steps, priorSteps: cfg.steps, n: 4 };
    const ok = { colour: 0, shape: 0, background: 0, n: 0, vColour: 0, vShape: 0, vn: 0, distinct: 0 };
    const embeds: Float32Array[] = [];
    let ms = 0;
    for (const [i, t] of triples.entries()) {
      const t0 = performance.now();
      const gen: Generation = await engine.imagine(`a big ${t.colour} ${t.shape} on a ${t.background} background`, { ...opts, seed: SEED + 5000 + i });
      ms += performance.now() - t0;
      for (const e of gen.embeddings) {
        const p = colourShape(e);
        ok.n++;
        if (p.colour === t.colour) ok.colour++;
        if (p.shape === t.shape) ok.shape++;
        if ((await background(e, t.colour, t.shape)) === t.background) ok.background++;
        embeds.push(e);
      }
      if ((await minPairwiseDiff(gen.images)) > 0.02) ok.distinct++;
    }
    for (const [i, png] of sourcePngs.entries()) {
      const gen = await engine.vary(png, { scheduler: cfg.scheduler, steps: cfg.steps, n: 4, seed: SEED + 9000 + i });
      for (const e of gen.embeddings) {
        const p = colourShape(e);
        ok.vn++;
        if (p.colour === sources[i]!.colour) ok.vColour++;
        if (p.shape === sources[i]!.shape) ok.vShape++;
        embeds.push(e);
      }
    }
    reference ??= embeds;
    const agreement = embeds.reduce((s, e, k) => s + dot(e, reference![k]!), 0) / embeds.length;
    const pct = (x: number, n: number) => +((100 * x) / n).toFixed(1);
    const row = {
      config: label(cfg),
      colour: pct(ok.colour, ok.n),
      shape: pct(ok.shape, ok.n),
      background: pct(ok.background, ok.n),
      variationColour: pct(ok.vColour, ok.vn),
      variationShape: pct(ok.vShape, ok.vn),
      fourDistinct: pct(ok.distinct, triples.length),
      cosToFirst: +agreement.toFixed(4),
      imagineMs: Math.round(ms / triples.length),
    };
    rows.push(row);
    log(
      `  ${row.config.padEnd(16)} colour ${row.colour}%  shape ${row.shape}%  background ${row.background}%  ` +
        `variations: colour ${row.variationColour}% shape ${row.variationShape}%  4 distinct ${row.fourDistinct}%  ` +
        `cos to ${label(configs[0]!)} ${row.cosToFirst}  imagine ${row.imagineMs} ms`,
    );
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ pack: packDir, prompts: triples.length, variationSources: sources.length, rows })}\n`);
  await engine.close();
}

function argmax(xs: number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

await main();
