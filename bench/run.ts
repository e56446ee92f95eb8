/**
 * `npm run bench [-- --json] [--pack DIR] [--against DIR] [--iters N] [--sweep]` (`-- --workers`: bench/workers.ts, the Redis queue)
 *
 * `--against DIR` times imagine (4 images, each pack's default sampling) of a second pack interleaved with
 * this one's and prints the ratio: a new pack's cost against the one it replaces, in one run.
 *
 * Measures, in one run on this machine: p50/p90 of text encoding, image encoding, classify end to
 * end, one decoder step at batch 1/4/8, imagine (4 images) with DDIM 25 steps, the pack's default
 * scheduler, DPM-Solver++ and UniPC interleaved, vary, blend; the peak RSS; the decoder's achieved GFLOP/s
 * next to onnxruntime's matmul GFLOP/s here; and transformers.js encoding the same texts and images
 * from the same ONNX files. It ends with the ratios of that one run and the CPU's model, so two
 * machines' runs can be compared. `--sweep` compares ONNX session options.
 * Numbers are for reading, never asserted in tests.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { engineEnv } from '../src/cli.ts';
import { Engine, type SchedulerName } from '../src/engine/index.ts';
import { createSession, defaultSessionSettings, sessionOptions, type SessionSettings } from '../src/engine/sessions.ts';
import { l2normalize, softmax, dot } from '../src/engine/vectors.ts';
import { countFlops } from './flops.ts';
import { matmulModel } from './onnx-proto.ts';

// `npm run bench -- --workers`: the Redis queue's bench (bench/workers.ts) instead.
if (process.argv.includes('--workers')) {
  await import('./workers.ts');
  await new Promise(() => {}); // it exits when done
}

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    pack: { type: 'string' },
    against: { type: 'string' },
    iters: { type: 'string', default: '30' },
    sweep: { type: 'boolean', default: false },
  },
});
const packDir = resolve(values.pack ?? (process.env['UNCLIP_PACK'] || fileURLToPath(new URL('../models/shapes-v1', import.meta.url))));
const ITERS = Math.max(3, Number(values.iters));
const log = (s: string) => {
  if (!values.json) process.stdout.write(`${s}\n`);
};

interface Stat {
  name: string;
  p50: number;
  p90: number;
  n: number;
}
const stats: Stat[] = [];

function quantile(sorted: number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
}

/**
 * Times several functions, interleaved (a, b, c, a, b, c, …) so that whatever else the machine is
 * doing weighs on all of them alike; returns p50/p90 of each.
 */
async function measureAll(items: [name: string, fn: () => Promise<unknown>][], iters = ITERS, warmup = 2, record = true): Promise<Stat[]> {
  for (let i = 0; i < warmup; i++) for (const [, fn] of items) await fn();
  const times = items.map((): number[] => []);
  for (let i = 0; i < iters; i++) {
    for (const [k, [, fn]] of items.entries()) {
      const t = performance.now();
      await fn();
      times[k]!.push(performance.now() - t);
    }
  }
  return items.map(([name], k) => {
    const sorted = times[k]!.sort((a, b) => a - b);
    const s = { name, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), n: iters };
    if (record) stats.push(s);
    log(`  ${name.padEnd(52)} ${s.p50.toFixed(2).padStart(9)} ${s.p90.toFixed(2).padStart(9)} ${String(iters).padStart(5)}`);
    return s;
  });
}

async function measure(name: string, fn: () => Promise<unknown>, iters = ITERS, warmup = 2): Promise<Stat> {
  return (await measureAll([[name, fn]], iters, warmup))[0]!;
}

/** The few-step schedulers imagine is timed with, next to DDIM 25 and the pack default; the report's keys. */
const FEW_STEP: { name: SchedulerName; title: string; ratioKey: string; labelKey: string }[] = [
  { name: 'dpmsolver++', title: 'DPM-Solver++', ratioKey: 'ddim25OverDpm', labelKey: 'dpm' },
  { name: 'unipc', title: 'UniPC', ratioKey: 'ddim25OverUnipc', labelKey: 'unipc' },
];

const LABELS = [
  'a red circle', 'a blue square', 'a green triangle', 'a yellow star', 'a purple heart',
  'a big orange circle', 'a small pink star', 'a brown square', 'a white heart', 'a black triangle',
];

async function sweep(): Promise<Record<string, unknown>[]> {
  log('\nONNX session options (p50 ms; decoder step at batch 8, vision at batch 1):');
  const rows: Record<string, unknown>[] = [];
  const dec = join(packDir, 'onnx', 'decoder.onnx');
  const vis = join(packDir, 'onnx', 'vision_model.onnx');
  const decFeeds = {
    sample: new ort.Tensor('float32', new Float32Array(8 * 4 * 16 * 16).fill(0.1), [8, 4, 16, 16]), // the bundled pack's shape
    timestep: new ort.Tensor('float32', new Float32Array(8).fill(500), [8]),
    image_embeds: new ort.Tensor('float32', new Float32Array(8 * 128).fill(0.05), [8, 128]),
  };
  const visFeeds = { pixel_values: new ort.Tensor('float32', new Float32Array(3 * 64 * 64).fill(0.2), [1, 3, 64, 64]) };
  // onnxruntime's defaults spin; the engine's choice (the last two rows) does not.
  const cores = availableParallelism();
  const combos: Partial<SessionSettings>[] = [];
  for (const threads of [1, cores]) {
    for (const graphOptimizationLevel of ['basic', 'extended', 'all'] as const) combos.push({ threads, graphOptimizationLevel, allowSpinning: true });
  }
  combos.push({ threads: cores, graphOptimizationLevel: 'all', allowSpinning: true, enableCpuMemArena: false, enableMemPattern: false });
  combos.push({ threads: cores, graphOptimizationLevel: 'all', allowSpinning: false });
  combos.push({ threads: 1, graphOptimizationLevel: 'all', allowSpinning: false });
  const sessions = [];
  for (const c of combos) {
    const settings = defaultSessionSettings(c);
    const label = `threads ${settings.threads}, opt ${settings.graphOptimizationLevel}, arena ${settings.enableCpuMemArena ? 'on' : 'off'}, spin ${settings.allowSpinning ? 'on' : 'off'}`;
    sessions.push({ settings, label, d: (await createSession(dec, dec, settings)).session, v: (await createSession(vis, vis, settings)).session });
  }
  const sd = await measureAll(sessions.map((x) => [`decoder b8: ${x.label}`, () => x.d.run(decFeeds)]), Math.max(10, Math.round(ITERS / 2)), 2, false);
  const sv = await measureAll(sessions.map((x) => [`vision b1: ${x.label}`, () => x.v.run(visFeeds)]), ITERS * 2, 2, false);
  for (const [i, x] of sessions.entries()) {
    rows.push({ ...x.settings, decoderB8: sd[i]!.p50, visionB1: sv[i]!.p50 });
    await x.d.release();
    await x.v.release();
  }
  return rows;
}

/** The CPU's model name and whether it has AVX-512 (what `lscpu` shows), so two machines' runs can be compared. */
function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const name = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim();
    const avx512 = /^flags\s*:.*\bavx512f\b/m.test(info);
    if (name) return `${name}${avx512 ? ' (AVX-512)' : ''}`;
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown CPU';
}

/** Imagine (4 images, each pack's default sampling) of this pack and of `--against`'s, interleaved. */
async function againstPack(engine: Engine, prompt: string, iters: number): Promise<Record<string, number | string>> {
  const otherDir = resolve(values.against!);
  const other = await Engine.load({ packDir: otherDir, ...engineEnv() });
  try {
    if (!other.pack.canGenerate) throw new Error(`--against ${otherDir}: that pack cannot generate images`);
    const label = (e: Engine) => `${e.pack.name} ${e.pack.version}, ${e.pack.imageSize} px`;
    const [mine, theirs] = await measureAll(
      [
        [`imagine, 4 images, ${label(engine)}`, () => engine.imagine(prompt, { seed: 1 })],
        [`imagine, 4 images, ${label(other)} (--against)`, () => other.imagine(prompt, { seed: 1 })],
      ],
      iters,
      1,
    );
    return { pack: label(engine), against: label(other), packOverAgainst: mine!.p50 / theirs!.p50 };
  } finally {
    await other.close();
  }
}

async function main(): Promise<void> {
  const cpu = cpuModel();
  log(`unclip bench: ${packDir}\n${cpu}, ${availableParallelism()} cores, node ${process.version}, onnxruntime-node ${ort.env.versions.node ?? ''}\n`);
  log(`  ${'what'.padEnd(52)} ${'p50 ms'.padStart(9)} ${'p90 ms'.padStart(9)} ${'n'.padStart(5)}`);

  const engine = await Engine.load({ packDir, ...engineEnv() });
  const png64 = await sharp(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="100%" height="100%" fill="rgb(40,90,220)"/><circle cx="30" cy="34" r="14" fill="rgb(220,40,40)"/></svg>'))
    .png()
    .toBuffer();

  // ---- unCLIP, end to end (the engine alone in this process so far) ----
  let imagineReport: Record<string, number | string> | undefined;
  let againstReport: Record<string, number | string> | undefined;
  if (engine.pack.canGenerate) {
    const gen = Math.max(3, Math.round(ITERS / 4));
    const def = engine.samplingDefaults();
    const prompt = 'a big red star on a blue background';
    const defaultLabel = `${def.prior.scheduler} ${def.prior.steps} + ${def.decoder.scheduler} ${def.decoder.steps}`;
    // The few-step schedulers at the pack's steps for them, each unless it is the pack default already.
    const fewStep = FEW_STEP.map((s) => ({ ...s, steps: { prior: def.prior.stepsFor[s.name], decoder: def.decoder.stepsFor[s.name] } })).filter(
      (s) => !(def.prior.scheduler === s.name && def.decoder.scheduler === s.name && def.prior.steps === s.steps.prior && def.decoder.steps === s.steps.decoder),
    );
    // Interleaved in one run, so the ratio holds whatever else the machine does.
    // Twice the iterations of the other generation rows: the bench's headline ratio, on a noisy machine.
    const [ddim25, byDefault, ...others] = await measureAll(
      [
        ['imagine, 4 images, DDIM 25 + 25 steps', () => engine.imagine(prompt, { seed: 1, scheduler: 'ddim', steps: 25, priorSteps: 25 })],
        [`imagine, 4 images, pack default (${defaultLabel})`, () => engine.imagine(prompt, { seed: 1 })],
        ...fewStep.map(
          (s): [string, () => Promise<unknown>] => [
            `imagine, 4 images, ${s.title} ${s.steps.prior} + ${s.steps.decoder}`,
            () => engine.imagine(prompt, { seed: 1, scheduler: s.name, steps: s.steps.decoder, priorSteps: s.steps.prior }),
          ],
        ),
      ],
      2 * gen,
      1,
    );
    imagineReport = {
      packDefault: defaultLabel,
      ddim25OverDefault: ddim25!.p50 / byDefault!.p50,
      // e.g. ddim25OverDpm and dpm: "dpmsolver++ 10 + 10"; ddim25OverUnipc and unipc: "unipc 7 + 7"
      ...Object.fromEntries(
        fewStep.flatMap((s, i) => [
          [s.ratioKey, ddim25!.p50 / others[i]!.p50],
          [s.labelKey, `${s.name} ${s.steps.prior} + ${s.steps.decoder}`],
        ]),
      ),
    };
    if (values.against) againstReport = await againstPack(engine, prompt, 2 * gen);
    await measure('vary, 4 images (pack default)', () => engine.vary(png64, { seed: 1 }), gen, 1);
    await measure('blend, 1 image (ratio 50)', () => engine.blend(png64, png64, { seed: 1, ratio: 50 }), gen, 1);
  }
  await engine.classify(png64, LABELS);
  await engine.describe(png64);
  // Peak RSS of the engine alone, before the bench loads anything else into this process.
  const enginePeakRssMiB = process.resourceUsage().maxRSS / 1024;

  // ---- one decoder step; the decoder's GFLOP/s vs onnxruntime's matmul GFLOP/s ----
  let decoderReport: Record<string, number> | undefined;
  if (engine.pack.canGenerate) {
    const decPath = join(packDir, 'onnx', 'decoder.onnx');
    const { session: dec } = await createSession(decPath, decPath, defaultSessionSettings());
    const [C, h, w] = engine.pack.sampleShape!;
    const D = engine.pack.embeddingDim;
    const feeds = (B: number) => ({
      sample: new ort.Tensor('float32', new Float32Array(B * C * h * w).fill(0.1), [B, C, h, w]),
      timestep: new ort.Tensor('float32', new Float32Array(B).fill(500), [B]),
      image_embeds: new ort.Tensor('float32', new Float32Array(B * D).fill(0.05), [B, D]),
    });
    // onnxruntime's matmul at a few sizes, with the decoder's session options; the best p50 is the limit.
    const mms = await Promise.all(
      [512, 1024, 2048].map(async (N) => ({
        N,
        session: await ort.InferenceSession.create(matmulModel(N, N, N), sessionOptions(defaultSessionSettings(), 'cpu', false)),
        a: new ort.Tensor('float32', new Float32Array(N * N).fill(0.5), [N, N]),
        b: new ort.Tensor('float32', new Float32Array(N * N).fill(0.25), [N, N]),
      })),
    );
    const [, , s8, ...mmStats] = await measureAll([
      ['decoder step, batch 1', () => dec.run(feeds(1))],
      ['decoder step, batch 4', () => dec.run(feeds(4))],
      ['decoder step, batch 8', () => dec.run(feeds(8))],
      ...mms.map((m): [string, () => Promise<unknown>] => [`matmul ${m.N}×${m.N}×${m.N} (onnxruntime, same options)`, () => m.session.run({ A: m.a, B: m.b })]),
    ]);
    await dec.release();
    await Promise.all(mms.map((m) => m.session.release()));
    const { flops } = await countFlops(decPath, feeds(8));
    const decoderGflops = flops / 1e9 / (s8!.p50 / 1000);
    const matmulGflops = Math.max(...mms.map((m, i) => (2 * m.N ** 3) / 1e9 / (mmStats[i]!.p50 / 1000)));
    decoderReport = { gflopPerStepBatch8: flops / 1e9, decoderGflops, matmulGflops, fractionOfMatmul: decoderGflops / matmulGflops };
  }

  // ---- CLIP: ours and transformers.js on the same ONNX files, interleaved ----
  type Tf = {
    text: () => Promise<Float32Array[]>;
    image: () => Promise<Float32Array>;
  };
  let tf: Tf | undefined;
  try {
    const lib = await import('@huggingface/transformers');
    lib.env.allowRemoteModels = false;
    lib.env.localModelPath = `${resolve(packDir, '..')}/`;
    const id = packDir.split('/').pop()!;
    const [tokenizer, processor, textModel, visionModel] = await Promise.all([
      lib.AutoTokenizer.from_pretrained(id),
      lib.AutoProcessor.from_pretrained(id),
      lib.CLIPTextModelWithProjection.from_pretrained(id, { dtype: 'fp32' }),
      lib.CLIPVisionModelWithProjection.from_pretrained(id, { dtype: 'fp32' }),
    ]);
    const D = engine.pack.embeddingDim;
    const rows = (data: Float32Array, n: number) => Array.from({ length: n }, (_, i) => l2normalize(data.slice(i * D, (i + 1) * D)));
    tf = {
      text: async () => {
        const out = (await textModel(tokenizer(LABELS, { padding: true, truncation: true }))) as { text_embeds: { data: Float32Array } };
        return rows(out.text_embeds.data, LABELS.length);
      },
      image: async () => {
        const raw = await lib.RawImage.fromBlob(new Blob([new Uint8Array(png64)]));
        const out = (await visionModel(await processor(raw))) as { image_embeds: { data: Float32Array } };
        return rows(out.image_embeds.data, 1)[0]!;
      },
    };
  } catch (err) {
    log(`  transformers.js: could not load (${(err as Error).message})`);
  }
  const oursText = async () => {
    engine.clip.cacheTexts = false;
    return engine.embedTexts(LABELS);
  };
  const oursClassify = async () => {
    engine.clip.cacheTexts = false;
    return engine.classify(png64, LABELS);
  };
  const [oText, tText] = await measureAll([['text encoding, 10 labels (ours)', oursText], ...(tf ? [['text encoding, 10 labels (transformers.js)', tf.text] as [string, () => Promise<unknown>]] : [])]);
  const [oImage, tImage] = await measureAll([
    ['image encoding, 1 PNG 64 px (ours)', () => engine.embedImages([png64])],
    ...(tf ? [['image encoding, 1 PNG 64 px (transformers.js)', tf.image] as [string, () => Promise<unknown>]] : []),
  ]);
  const [oClassify, tClassify] = await measureAll([
    ['classify, 1 image × 10 labels (ours)', oursClassify],
    ...(tf
      ? [
          [
            'classify, 1 image × 10 labels (transformers.js)',
            async () => {
              const img = await tf.image();
              const txt = await tf.text();
              return softmax(txt.map((t) => engine.pack.logitScale * dot(img, t)));
            },
          ] as [string, () => Promise<unknown>],
        ]
      : []),
  ]);
  engine.clip.cacheTexts = true;
  await measure('classify, 1 image × 10 labels (ours, labels cached)', () => engine.classify(png64, LABELS));
  const theirs = tf && tText && tImage && tClassify ? { text: tText, image: tImage, classify: tClassify } : undefined;
  const oursStats = { text: oText!, image: oImage!, classify: oClassify! };

  const sweepRows = values.sweep ? await sweep() : undefined;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const ratios = theirs
    ? {
        text: theirs.text.p50 / oursStats.text.p50,
        image: theirs.image.p50 / oursStats.image.p50,
        classify: theirs.classify.p50 / oursStats.classify.p50,
      }
    : undefined;

  log('');
  log(`ratios measured in this run (${cpu}, ${availableParallelism()} cores; p50, higher = faster):`);
  if (againstReport) log(`  imagine, 4 images: ${againstReport['pack']} / ${againstReport['against']} ${(againstReport['packOverAgainst'] as number).toFixed(2)}× (shapes-v2's bar against 0.2.0: ≤ 1.5×)`);
  if (imagineReport) {
    log(`  imagine, 4 images: DDIM 25 + 25 / pack default (${imagineReport['packDefault']}) ${(imagineReport['ddim25OverDefault'] as number).toFixed(2)}× (bar ≥ 2.5×)`);
    for (const { ratioKey, labelKey } of FEW_STEP) {
      if (imagineReport[ratioKey] !== undefined) log(`  imagine, 4 images: DDIM 25 + 25 / ${imagineReport[labelKey]} ${(imagineReport[ratioKey] as number).toFixed(2)}×`);
    }
  }
  if (ratios) {
    log(`  transformers.js / ours, same ONNX files: text ${ratios.text.toFixed(2)}× (bar ≥ 1.2×), image ${ratios.image.toFixed(2)}×, classify ${ratios.classify.toFixed(2)}× (bar ≥ 1.5×)`);
  }
  if (decoderReport) {
    log(
      `  decoder: ${decoderReport['gflopPerStepBatch8']!.toFixed(2)} GFLOP per step at batch 8 → ${decoderReport['decoderGflops']!.toFixed(1)} GFLOP/s; ` +
        `onnxruntime matmul here (best size): ${decoderReport['matmulGflops']!.toFixed(1)} GFLOP/s (decoder at ${(100 * decoderReport['fractionOfMatmul']!).toFixed(0)} % of it)`,
    );
  }
  log(`peak RSS: engine ${enginePeakRssMiB.toFixed(0)} MiB; whole bench process (with transformers.js, FLOP counting${values.sweep ? ', the sweep' : ''}) ${peakRssMiB.toFixed(0)} MiB`);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({
        machine: { cpu, cores: availableParallelism(), node: process.version },
        pack: packDir,
        results: stats.map((s) => ({ ...s, p50: +s.p50.toFixed(3), p90: +s.p90.toFixed(3) })),
        decoder: decoderReport,
        imagine: imagineReport,
        ...(againstReport ? { against: againstReport } : {}),
        transformersJsRatios: ratios,
        peakRssMiB: { engine: Math.round(enginePeakRssMiB), process: Math.round(peakRssMiB) },
        ...(sweepRows ? { sweep: sweepRows } : {}),
      })}\n`,
    );
  }
  await engine.close();
}

await main();
