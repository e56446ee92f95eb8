/**
 * Pack loading: a CLIP-only pack (the Hugging Face layout, no pack.json) serves classify/describe and
 * refuses generation clearly; a missing or malformed file is a start-up PackError naming the file.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, PackError, UserInputError } from '../../src/engine/index.ts';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { fileURLToPath } from 'node:url';
import { PACK_DIR, packCopy as packCopyIn, packLoadError } from './pack-fixture.ts';

const BPE = fileURLToPath(new URL('../fixtures/clip-bpe/', import.meta.url));

let root: string;

/** A copy of the bundled pack (ONNX files linked), with `skip` left out. */
const packCopy = (name: string, skip: string[] = []) => packCopyIn(join(root, name), { skip });

async function loadError(dir: string): Promise<PackError> {
  const err = await packLoadError(dir);
  expect(err).toBeInstanceOf(PackError);
  return err as PackError;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'unclip-pack-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

// First in the file: onnxruntime's process-wide log level is set by the first session created.
describe('UNCLIP_DEVICE=cuda', () => {
  it('uses the CUDA provider where it loads, else says so in one log line and runs on the CPU', async () => {
    const lines: string[] = [];
    const engine = await Engine.load({ packDir: PACK_DIR, device: 'cuda', log: (l) => lines.push(l) });
    try {
      const fallback = lines.filter((l) => /CUDA/.test(l));
      if (engine.pack.device === 'cuda') expect(fallback).toEqual([]);
      else {
        expect(fallback).toHaveLength(1);
        expect(fallback[0]).toMatch(/^CUDA execution provider unavailable \(.+\); running on the CPU$/);
      }
      expect((await engine.imagine('a red star', { n: 1, steps: 2, priorSteps: 2, seed: 1 })).images).toHaveLength(1);
    } finally {
      await engine.close();
    }
  });
});

describe('a CLIP-only pack (no pack.json, no prior/decoder)', () => {
  it('classifies and describes, and refuses imagine/vary/blend with a clear message', async () => {
    const dir = await packCopy('clip-only', ['pack.json', 'onnx/prior.onnx', 'onnx/decoder.onnx', 'onnx/latent_decoder.onnx']);
    const engine = await Engine.load({ packDir: dir });
    try {
      expect(engine.pack).toMatchObject({ name: 'clip-only', canGenerate: false, imageSize: 0, logitScale: 100, contextLength: 32, clipImageSize: 64 });
      const img = await sharp({ create: { width: 80, height: 64, channels: 3, background: 'red' } }).png().toBuffer();
      const scores = await engine.classify(img, ['a red square', 'a blue circle']);
      expect(scores.reduce((s, x) => s + x.score, 0)).toBeCloseTo(1, 10);
      expect(await engine.describe(img, { top: 2 })).toHaveLength(2);
      for (const run of [() => engine.imagine('a red star'), () => engine.vary(img), () => engine.blend(img, img)]) {
        const err = await run().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UserInputError);
        expect((err as Error).message).toMatch(/"clip-only" is CLIP-only: it can classify and describe, but not/);
      }
    } finally {
      await engine.close();
    }
  });
});

describe('a CLIP-only pack in the Hugging Face layout of real CLIP (BPE tokenizer, old preprocessor format)', () => {
  it('tokenizes like transformers.js, pads with <|endoftext|>, and classifies', async () => {
    const dir = join(root, 'clip-bpe');
    await mkdir(join(dir, 'onnx'), { recursive: true });
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) await copyFile(join(BPE, f), join(dir, f));
    for (const f of ['text_model.onnx', 'vision_model.onnx']) await symlink(join(PACK_DIR, 'onnx', f), join(dir, 'onnx', f));
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ model_type: 'clip', projection_dim: 128, text_config: { max_position_embeddings: 77 }, vision_config: { image_size: 64 } }),
    );
    await writeFile(
      join(dir, 'preprocessor_config.json'),
      JSON.stringify({ crop_size: 64, do_center_crop: true, do_normalize: true, do_resize: true, feature_extractor_type: 'CLIPFeatureExtractor', resample: 3, size: 64 }),
    );
    const engine = await Engine.load({ packDir: dir });
    try {
      expect(engine.pack).toMatchObject({ canGenerate: false, contextLength: 77, logitScale: 100, clipImageSize: 64 });
      env.allowRemoteModels = false;
      env.localModelPath = `${root}/`;
      const reference = await AutoTokenizer.from_pretrained('clip-bpe');
      const texts = ['a red star', 'A  RED Star!', 'a blue xyz star'];
      for (const t of texts) expect(engine.clip.encodeIds(t), t).toEqual(Array.from(reference(t).input_ids.data as BigInt64Array, Number));
      expect(engine.clip.encodeIds('a red star')).toEqual([22, 0, 5, 18, 23]);
      const batch = engine.clip.tokenize(['a red star', 'a blue xyz star']);
      expect(Array.from(batch.ids.slice(0, batch.length), Number)).toEqual([22, 0, 5, 18, 23, 23, 23, 23]);
      const jpeg = await sharp({ create: { width: 100, height: 80, channels: 3, background: 'blue' } }).jpeg().toBuffer();
      const scores = await engine.classify(jpeg, ['a red star', 'a blue star'], { template: 'a {}' });
      expect(scores).toHaveLength(2);
      expect(scores[0]!.score + scores[1]!.score).toBeCloseTo(1, 10);
    } finally {
      await engine.close();
    }
  });
});

describe('broken packs: a start-up error that names the file', () => {
  it.each([
    ['tokenizer.json', /tokenizer\.json: missing/],
    ['preprocessor_config.json', /preprocessor_config\.json: missing/],
    ['config.json', /config\.json: missing/],
    ['onnx/text_model.onnx', /onnx\/text_model\.onnx: missing/],
    ['onnx/decoder.onnx', /onnx\/decoder\.onnx: missing/],
    ['onnx/latent_decoder.onnx', /onnx\/latent_decoder\.onnx: missing/],
  ])('missing %s', async (file, message) => {
    const err = await loadError(await packCopy(`missing-${file.replace('/', '-')}`, [file]));
    expect(err.message).toMatch(message);
  });

  it('a pack folder that does not exist', async () => {
    expect((await loadError(join(root, 'nope'))).message).toMatch(/nope: is not a model pack folder/);
  });

  it('malformed JSON', async () => {
    const dir = await packCopy('bad-json');
    await writeFile(join(dir, 'pack.json'), '{"format": 1, ');
    expect((await loadError(dir)).message).toMatch(/pack\.json: is not valid JSON/);
  });

  it('a pack.json field of the wrong kind', async () => {
    const dir = await packCopy('bad-field');
    const pack = JSON.parse(await readFile(join(dir, 'pack.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    pack['decoder']!['prediction'] = 'noise';
    await writeFile(join(dir, 'pack.json'), JSON.stringify(pack));
    expect((await loadError(dir)).message).toMatch(/pack\.json: decoder\.prediction must be "epsilon", "v" or "x0"/);
  });

  it('a config.json that is not a CLIP config', async () => {
    const dir = await packCopy('bad-config');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert' }));
    expect((await loadError(dir)).message).toMatch(/config\.json: must be a Hugging Face CLIP config/);
  });

  it('an ONNX file that is not a model', async () => {
    const dir = await packCopy('garbage-onnx', ['onnx/prior.onnx']);
    await writeFile(join(dir, 'onnx', 'prior.onnx'), 'not a protobuf');
    expect((await loadError(dir)).message).toMatch(/onnx\/prior\.onnx: not a loadable ONNX model/);
  });

  it('an ONNX model with the wrong inputs', async () => {
    const dir = await packCopy('swapped', ['onnx/vision_model.onnx']);
    await symlink(join(PACK_DIR, 'onnx', 'text_model.onnx'), join(dir, 'onnx', 'vision_model.onnx'));
    expect((await loadError(dir)).message).toMatch(/onnx\/vision_model\.onnx: has no input named "pixel_values" \(its inputs: input_ids\)/);
  });

  it('an unusable tokenizer.json', async () => {
    const dir = await packCopy('bad-tokenizer');
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify({ version: '1.0' }));
    expect((await loadError(dir)).message).toMatch(/tokenizer\.json: must be a Hugging Face tokenizers JSON/);
  });
});

describe('sampling defaults from pack.json (default_scheduler, scheduler_steps)', () => {
  async function withSampling(name: string, edit: (m: Record<string, unknown>) => void): Promise<string> {
    const dir = await packCopy(name);
    const pack = JSON.parse(await readFile(join(dir, 'pack.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    for (const model of ['prior', 'decoder']) edit(pack[model]!);
    await writeFile(join(dir, 'pack.json'), JSON.stringify(pack));
    return dir;
  }

  it('a pack without them runs DDIM for default_steps; a pack naming DPM-Solver++ or UniPC runs it for its steps', async () => {
    // a copy of the bundled pack without the fields is a pack from before them
    const plain = await Engine.load({
      packDir: await withSampling('plain', (m) => {
        m['default_steps'] = 25;
        delete m['default_scheduler'];
        delete m['scheduler_steps'];
      }),
    });
    const dpm = await Engine.load({
      packDir: await withSampling('dpm-default', (m) => {
        m['default_scheduler'] = 'dpmsolver++';
        m['default_steps'] = 3;
        m['scheduler_steps'] = { ddim: 2 };
      }),
    });
    const unipc = await Engine.load({
      packDir: await withSampling('unipc-default', (m) => {
        m['default_scheduler'] = 'unipc';
        m['default_steps'] = 3;
        m['scheduler_steps'] = { 'dpmsolver++': 4 };
      }),
    });
    const bundled = await Engine.load({ packDir: PACK_DIR });
    try {
      // the bundled pack names UniPC 7 (measured by bench:quality); a pack naming no steps for a scheduler gets the engine's
      const bundledSteps = { ddim: 25, 'dpmsolver++': 10, unipc: 7 };
      expect(bundled.samplingDefaults().decoder).toEqual({ scheduler: 'unipc', steps: 7, stepsFor: bundledSteps });
      expect(bundled.samplingDefaults().prior).toEqual({ scheduler: 'unipc', steps: 7, stepsFor: bundledSteps });
      expect(plain.samplingDefaults().decoder).toEqual({ scheduler: 'ddim', steps: 25, stepsFor: { ddim: 25, 'dpmsolver++': 10, unipc: 7 } });
      expect(dpm.samplingDefaults().prior).toEqual({ scheduler: 'dpmsolver++', steps: 3, stepsFor: { ddim: 2, 'dpmsolver++': 3, unipc: 7 } });
      expect(unipc.samplingDefaults().decoder).toEqual({ scheduler: 'unipc', steps: 3, stepsFor: { ddim: 25, 'dpmsolver++': 4, unipc: 3 } });
      const prompt = 'a big red star on a blue background';
      const byDefault = await dpm.imagine(prompt, { seed: 3, n: 1 });
      const explicit = await plain.imagine(prompt, { seed: 3, n: 1, scheduler: 'dpmsolver++', steps: 3, priorSteps: 3 });
      expect(byDefault.images[0]!.equals(explicit.images[0]!)).toBe(true);
      const unipcByDefault = await unipc.imagine(prompt, { seed: 3, n: 1 });
      const unipcExplicit = await plain.imagine(prompt, { seed: 3, n: 1, scheduler: 'unipc', steps: 3, priorSteps: 3 });
      expect(unipcByDefault.images[0]!.equals(unipcExplicit.images[0]!)).toBe(true);
      expect(unipcByDefault.images[0]!.equals(byDefault.images[0]!)).toBe(false);
      // Naming DDIM alone takes the pack's steps for it.
      const ddim = await dpm.imagine(prompt, { seed: 3, n: 1, scheduler: 'ddim' });
      const ddim2 = await plain.imagine(prompt, { seed: 3, n: 1, scheduler: 'ddim', steps: 2, priorSteps: 2 });
      expect(ddim.images[0]!.equals(ddim2.images[0]!)).toBe(true);
    } finally {
      await Promise.all([plain.close(), dpm.close(), unipc.close(), bundled.close()]);
    }
  });

  it.each([
    ['an unknown default_scheduler', (m: Record<string, unknown>) => (m['default_scheduler'] = 'euler'), /pack\.json: prior\.default_scheduler must be one of "ddim", "dpmsolver\+\+", "unipc" \(got "euler"\)/],
    ['an unknown scheduler in scheduler_steps', (m: Record<string, unknown>) => (m['scheduler_steps'] = { plms: 10 }), /pack\.json: prior\.scheduler_steps\.plms is not a scheduler/],
    ['steps out of range', (m: Record<string, unknown>) => (m['scheduler_steps'] = { 'dpmsolver++': 0 }), /pack\.json: prior\.scheduler_steps\.dpmsolver\+\+ must be an integer in \[1, 1000\] \(got 0\)/],
  ])('%s is a start-up error naming the field', async (name, edit, message) => {
    const err = await loadError(await withSampling(`bad-${name.replace(/ /g, '-')}`, edit));
    expect(err.message).toMatch(message);
  });
});
