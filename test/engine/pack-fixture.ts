/** Where the bundled pack is, for the tests that run the real ONNX models. */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../../src/engine/index.ts';

export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));
export const PACK_NAME = 'shapes-v1';
export const PACK_DIR = `${MODELS_DIR}${PACK_NAME}`;

export interface PackJson {
  metrics?: Record<string, unknown>;
  training?: { stages?: { clip?: { zero_shot?: unknown } } };
}

/** The bundled pack.json, for the claims it makes about itself (`metrics`, `training`). */
export function packJson(): PackJson {
  return JSON.parse(readFileSync(`${PACK_DIR}/pack.json`, 'utf8')) as PackJson;
}

/** The labelled evaluation images of the shapes world (training/fixtures.py). */
export const WORLD_FIXTURES = fileURLToPath(new URL('../fixtures/world/', import.meta.url));

export interface WorldFixture {
  file: string;
  split: 'seen' | 'heldout';
  colour: string;
  shape: string;
}
export interface WorldLabels {
  colours: string[];
  shapes: string[];
  images: WorldFixture[];
}

export function worldLabels(): WorldLabels {
  return JSON.parse(readFileSync(`${WORLD_FIXTURES}labels.json`, 'utf8')) as WorldLabels;
}

/** The 55 zero-shot classes 'a <colour> <shape>', as training/eval.py judges. */
export function colourShapeClasses(labels: WorldLabels): { label: string; colour: string; shape: string }[] {
  return labels.colours.flatMap((colour) => labels.shapes.map((shape) => ({ label: `a ${colour} ${shape}`, colour, shape })));
}

const PACK_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json', 'pack.json'];
const PACK_MODELS = ['text_model.onnx', 'vision_model.onnx', 'prior.onnx', 'decoder.onnx', 'latent_decoder.onnx'];

/** A copy of the bundled pack in `dir` (ONNX files linked), with `skip` left out and pack.json `edit`ed. */
export async function packCopy(dir: string, opts: { skip?: string[]; edit?: (pack: Record<string, Record<string, unknown>>) => void } = {}): Promise<string> {
  const skip = opts.skip ?? [];
  await mkdir(join(dir, 'onnx'), { recursive: true });
  for (const f of PACK_FILES) if (!skip.includes(f)) await copyFile(join(PACK_DIR, f), join(dir, f));
  for (const f of PACK_MODELS) if (!skip.includes(`onnx/${f}`)) await symlink(join(PACK_DIR, 'onnx', f), join(dir, 'onnx', f));
  if (opts.edit) {
    const pack = JSON.parse(await readFile(join(dir, 'pack.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    opts.edit(pack);
    await writeFile(join(dir, 'pack.json'), JSON.stringify(pack));
  }
  return dir;
}

/** What loading the pack in `dir` throws (undefined if it loads; the engine is closed again). */
export function packLoadError(dir: string): Promise<unknown> {
  return Engine.load({ packDir: dir }).then(
    async (e) => {
      await e.close();
      return undefined;
    },
    (e: unknown) => e,
  );
}
