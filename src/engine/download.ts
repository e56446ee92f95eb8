/**
 * `npm run pack:download -- <owner/name> [--out DIR] [--quantized] [--revision REV]`
 *
 * Downloads the CLIP part of a Hugging Face model repository in the transformers.js ONNX layout
 * (e.g. Xenova/clip-vit-base-patch32) into models/<name>/, so that `--pack models/<name>` serves
 * classify and describe. Needs internet access; never run by the tests. Honours $HF_ENDPOINT and
 * $HF_TOKEN. Files are written to a temporary name and renamed when complete.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface DownloadPlan {
  /** Where each file comes from (URL) and goes (path inside the pack folder). */
  files: { url: string; path: string }[];
  dir: string;
}

const JSON_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json'];

export function downloadPlan(
  repo: string,
  opts: { out?: string; quantized?: boolean; revision?: string; endpoint?: string } = {},
): DownloadPlan {
  if (!/^\w[\w.-]*\/\w[\w.-]*$/.test(repo)) throw new Error(`"${repo}" is not a Hugging Face repository name (owner/name)`);
  const endpoint = (opts.endpoint ?? 'https://huggingface.co').replace(/\/$/, '');
  const rev = encodeURIComponent(opts.revision ?? 'main');
  const url = (f: string) => `${endpoint}/${repo}/resolve/${rev}/${f}`;
  const suffix = opts.quantized ? '_quantized' : '';
  const dir = resolve(opts.out ?? fileURLToPath(new URL(`../../models/${repo.split('/')[1]}`, import.meta.url)));
  return {
    dir,
    files: [
      ...JSON_FILES.map((f) => ({ url: url(f), path: f })),
      // The engine always opens onnx/<model>.onnx: a quantized download is saved under that name.
      { url: url(`onnx/text_model${suffix}.onnx`), path: 'onnx/text_model.onnx' },
      { url: url(`onnx/vision_model${suffix}.onnx`), path: 'onnx/vision_model.onnx' },
    ],
  };
}

async function fetchTo(url: string, path: string, token: string | undefined, log: (s: string) => void): Promise<void> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, redirect: 'follow' });
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.part`;
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(tmp));
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  log(`  ${path} (${((await stat(path)).size / 1024 / 1024).toFixed(1)} MiB)`);
}

export async function download(plan: DownloadPlan, log: (s: string) => void = console.log): Promise<void> {
  log(`downloading into ${plan.dir}`);
  const token = process.env['HF_TOKEN'] || undefined;
  for (const f of plan.files) await fetchTo(f.url, join(plan.dir, f.path), token, log);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, quantized: { type: 'boolean', default: false }, revision: { type: 'string' } },
  });
  const repo = positionals[0];
  if (!repo || positionals.length > 1) {
    console.error('usage: npm run pack:download -- <owner/name> [--out DIR] [--quantized] [--revision REV]\n  e.g. npm run pack:download -- Xenova/clip-vit-base-patch32');
    process.exit(2);
  }
  try {
    const plan = downloadPlan(repo, {
      ...(values.out ? { out: values.out } : {}),
      quantized: values.quantized,
      ...(values.revision ? { revision: values.revision } : {}),
      ...(process.env['HF_ENDPOINT'] ? { endpoint: process.env['HF_ENDPOINT'] } : {}),
    });
    await download(plan);
    console.log(`done: npm run --silent unclip -- classify <image> --labels "a cat, a dog" --pack ${plan.dir}`);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  }
}
