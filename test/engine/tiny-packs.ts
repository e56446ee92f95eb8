/**
 * Packs without a world for the tests of what the bot reads from the pack it runs (issue 14 item 4),
 * made in a temporary folder from the tiny random Kandinsky 2.2 pack of the parity tests
 * (test/fixtures/real-weights/kandinsky-2-2-tiny):
 * - `tinyKandinskyPack`: the format-2 pack with its pack.json's sampling defaults set to a few steps
 *   (its own 25 + 50 take minutes on two cores), a label list for describe, and, with `detail`, the
 *   stand-in latent decoder to 1024 px of fine detail (make_detail_decoder.py): a grid of four is then
 *   about 12.6 MB as PNG, over Discord's 10 MiB;
 * - `tinyClipOnlyPack`: its CLIP alone (text and vision models, no pack.json), the prompt limit then the
 *   tokenizer's `model_max_length` (tokenizer_config.json, patched with `tokenizerConfig`).
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REAL_WEIGHTS } from './real-weights-parity.ts';

const TINY = `${REAL_WEIGHTS}kandinsky-2-2-tiny`;
export const TINY_DEFAULTS = { priorSteps: 2, steps: 3, guidance: 3 } as const;
/** Words the tiny pack's tokenizer knows (it is the shapes packs' word-level one). */
export const TINY_LABELS = ['a red star', 'a blue circle', 'a green heart', 'a yellow square', 'a purple triangle'];

export interface TinyPack {
  dir: string;
  remove(): void;
}

function tempPack(prefix: string): TinyPack {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function tinyKandinskyPack(opts: { detail?: boolean } = {}): TinyPack {
  const pack = tempPack('unclip-tiny-pack-');
  cpSync(TINY, pack.dir, { recursive: true });
  const json = JSON.parse(readFileSync(join(pack.dir, 'pack.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  json['prior']!['default_steps'] = TINY_DEFAULTS.priorSteps;
  json['decoder']!['default_steps'] = TINY_DEFAULTS.steps;
  json['decoder']!['default_guidance'] = TINY_DEFAULTS.guidance;
  json['describe'] = { labels: TINY_LABELS, template: 'a photo of {}' };
  if (opts.detail) {
    copyFileSync(`${REAL_WEIGHTS}detail-latent-decoder-1024.onnx`, join(pack.dir, 'onnx', 'latent_decoder.onnx'));
    json['latent_decoder'] = { image_size: 1024, scale: 1 };
  }
  writeFileSync(join(pack.dir, 'pack.json'), JSON.stringify(json));
  return pack;
}

export function tinyClipOnlyPack(tokenizerConfig: Record<string, unknown>): TinyPack {
  const pack = tempPack('unclip-clip-only-');
  mkdirSync(join(pack.dir, 'onnx'));
  for (const f of ['config.json', 'tokenizer.json', 'preprocessor_config.json']) copyFileSync(join(TINY, f), join(pack.dir, f));
  for (const f of ['text_model.onnx', 'vision_model.onnx']) copyFileSync(join(TINY, 'onnx', f), join(pack.dir, 'onnx', f));
  const config = JSON.parse(readFileSync(join(TINY, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(pack.dir, 'tokenizer_config.json'), JSON.stringify({ ...config, ...tokenizerConfig }));
  return pack;
}
