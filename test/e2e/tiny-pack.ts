/**
 * A format-2 pack for the bot's e2e tests: the tiny random Kandinsky 2.2 pack of the parity tests
 * (test/fixtures/real-weights/kandinsky-2-2-tiny), copied to a temporary folder with its pack.json's
 * sampling defaults set to a few steps (its own 25 + 50 take minutes on two cores), a label list for
 * describe, and, with `detail`, the stand-in latent decoder to 1024 px of fine detail
 * (make_detail_decoder.py): a grid of four is then about 12.6 MB as PNG, over Discord's 10 MiB.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REAL_WEIGHTS } from '../engine/real-weights-parity.ts';

export const TINY_DEFAULTS = { priorSteps: 2, steps: 3, guidance: 3 } as const;
/** Words the tiny pack's tokenizer knows (it is the shapes packs' word-level one). */
export const TINY_LABELS = ['a red star', 'a blue circle', 'a green heart', 'a yellow square', 'a purple triangle'];

export interface TinyPack {
  dir: string;
  remove(): void;
}

export function tinyKandinskyPack(opts: { detail?: boolean } = {}): TinyPack {
  const dir = mkdtempSync(join(tmpdir(), 'unclip-tiny-pack-'));
  cpSync(`${REAL_WEIGHTS}kandinsky-2-2-tiny`, dir, { recursive: true });
  const pack = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  pack['prior']!['default_steps'] = TINY_DEFAULTS.priorSteps;
  pack['decoder']!['default_steps'] = TINY_DEFAULTS.steps;
  pack['decoder']!['default_guidance'] = TINY_DEFAULTS.guidance;
  pack['describe'] = { labels: TINY_LABELS, template: 'a photo of {}' };
  if (opts.detail) {
    copyFileSync(`${REAL_WEIGHTS}detail-latent-decoder-1024.onnx`, join(dir, 'onnx', 'latent_decoder.onnx'));
    pack['latent_decoder'] = { image_size: 1024, scale: 1 };
  }
  writeFileSync(join(dir, 'pack.json'), JSON.stringify(pack));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
