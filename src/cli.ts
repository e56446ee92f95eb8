/**
 * The command line: the engine façade without Discord.
 *
 *   npm run --silent unclip -- classify <image>... --labels "<label>,<label>,..." [--template T] [--json]
 *   npm run --silent unclip -- imagine "<prompt>" [--n 1-4] [--seed N] [--scheduler ddim|dpmsolver++|unipc] [--steps N] [--guidance X] [--out DIR] [--json]
 *   npm run --silent unclip -- vary <image> [--n 1-4] [--seed N] [--steps N] [--guidance X] [--out DIR] [--json]
 *   npm run --silent unclip -- blend <first> <second> [--ratio 0-100] [--frames N] [--seed N] [--out DIR] [--json]
 *   npm run --silent unclip -- describe <image> [--top N] [--json]
 *
 * `--pack DIR` (or $UNCLIP_PACK) picks another pack; default models/shapes-v1.
 * Exit status: 0 done, 2 bad input or usage (one line on stderr), 1 anything else (a broken pack…).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Engine, PackError, SCHEDULER_NAMES, UserInputError, type Generation } from './engine/index.ts';
import { validateScheduler } from './engine/schedulers/index.ts';
import { parseLabels, validateCount, validateFrames, validatePrompt, validateRatio } from './engine/validate.ts';

/** UNCLIP_DEVICE and UNCLIP_THREADS, checked as the bot's configuration checks them. */
export function engineEnv(env: NodeJS.ProcessEnv = process.env): { device: 'cpu' | 'cuda'; threads?: number } {
  const device = env['UNCLIP_DEVICE'] || 'cpu';
  if (device !== 'cpu' && device !== 'cuda') throw new UserInputError(`UNCLIP_DEVICE must be cpu or cuda (got "${device}")`);
  const rawThreads = env['UNCLIP_THREADS'];
  if (!rawThreads) return { device };
  const threads = Number(rawThreads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new UserInputError(`UNCLIP_THREADS must be a whole number from 1 to 256 (got "${rawThreads}")`);
  return { device, threads };
}

export const DEFAULT_PACK = fileURLToPath(new URL('../models/shapes-v1', import.meta.url));
const CLI_MAX_LABELS = 1000;

const USAGE = `usage:
  unclip classify <image>... --labels "<label>,<label>,..." [--template "a photo of {}"] [--json]
  unclip imagine "<prompt>" [--n 1-4] [--seed N] [--scheduler S] [--steps N] [--guidance X] [--out DIR] [--json]
  unclip vary <image> [--n 1-4] [--seed N] [--scheduler S] [--steps N] [--guidance X] [--out DIR] [--json]
  unclip blend <first> <second> [--ratio 0-100] [--frames N] [--seed N] [--scheduler S] [--out DIR] [--json]
  unclip describe <image> [--top N] [--json]
--scheduler: ${SCHEDULER_NAMES.join(', ')} (default: the pack's); --steps: default the pack's for that scheduler
options for all: --pack DIR (or UNCLIP_PACK), --verbose`;

class UsageError extends Error {}

const OPTIONS = {
  labels: { type: 'string' },
  template: { type: 'string' },
  json: { type: 'boolean', default: false },
  n: { type: 'string' },
  seed: { type: 'string' },
  steps: { type: 'string' },
  scheduler: { type: 'string' },
  guidance: { type: 'string' },
  ratio: { type: 'string' },
  frames: { type: 'string' },
  top: { type: 'string' },
  out: { type: 'string', default: 'out' },
  pack: { type: 'string' },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** A numeric option: undefined when absent, a UserInputError when not a number. */
function number(values: Values, name: 'n' | 'seed' | 'steps' | 'guidance' | 'ratio' | 'frames' | 'top'): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) throw new UserInputError(`--${name} must be a number (got "${v}").`);
  return x;
}

const ALLOWED: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  classify: ['labels', 'template'],
  imagine: ['n', 'seed', 'scheduler', 'steps', 'guidance', 'out'],
  vary: ['n', 'seed', 'scheduler', 'steps', 'guidance', 'out'],
  blend: ['ratio', 'frames', 'seed', 'scheduler', 'steps', 'guidance', 'out', 'n'],
  describe: ['top'],
};
const COMMON = ['json', 'pack', 'verbose', 'help'];

async function readImage(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserInputError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message}`);
  }
}

async function save(out: string, prefix: string, gen: Generation): Promise<string[]> {
  await mkdir(out, { recursive: true });
  const paths = gen.images.map((_, i) => join(out, `${prefix}-${gen.seed}-${i + 1}.png`));
  await Promise.all(gen.images.map((png, i) => writeFile(paths[i]!, png)));
  if (gen.images.length > 1) await writeFile(join(out, `${prefix}-${gen.seed}-grid.png`), gen.grid);
  return paths;
}

function percent(score: number): string {
  return `${(score * 100).toFixed(1).padStart(5)}%`;
}

export async function main(argv: string[], io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const write = (s: string) => io.stdout.write(s);
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parse(argv));
  } catch (err) {
    io.stderr.write(`error: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [verb, ...args] = positionals;
  if (values.help || !verb) {
    (values.help ? io.stdout : io.stderr).write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  let engine: Engine | undefined;
  try {
    const allowed = ALLOWED[verb];
    if (!allowed) throw new UsageError(`unknown command "${verb}"`);
    for (const [k, v] of Object.entries(values)) {
      const given = v !== undefined && v !== false && !(k === 'out' && v === 'out');
      if (given && !COMMON.includes(k) && !allowed.includes(k as keyof typeof OPTIONS)) throw new UsageError(`--${k} does not apply to ${verb}`);
    }
    const arity: Record<string, [number, number]> = { classify: [1, Infinity], imagine: [1, 1], vary: [1, 1], blend: [2, 2], describe: [1, 1] };
    const [lo, hi] = arity[verb]!;
    if (args.length < lo || args.length > hi) {
      throw new UsageError(`${verb} takes ${lo === hi ? lo : `at least ${lo}`} argument${hi === 1 ? '' : 's'} (got ${args.length})`);
    }
    if (verb === 'classify' && values.labels === undefined) throw new UserInputError('classify needs --labels "<label>,<label>,...".');
    const opts = {
      ...(number(values, 'n') !== undefined ? { n: number(values, 'n')! } : {}),
      ...(number(values, 'seed') !== undefined ? { seed: number(values, 'seed')! } : {}),
      ...(number(values, 'steps') !== undefined ? { steps: number(values, 'steps')! } : {}),
      ...(number(values, 'guidance') !== undefined ? { guidance: number(values, 'guidance')! } : {}),
      ...(values.scheduler !== undefined ? { scheduler: validateScheduler(values.scheduler) } : {}),
    };
    // Check what can be checked, and read the inputs, before loading the pack: bad input fails fast.
    if (verb === 'classify') parseLabels(values.labels!, CLI_MAX_LABELS);
    if (verb === 'imagine') validatePrompt(args[0]);
    if (opts.n !== undefined) validateCount(opts.n);
    if (number(values, 'ratio') !== undefined) validateRatio(number(values, 'ratio'));
    if (number(values, 'frames') !== undefined) validateFrames(number(values, 'frames'));
    const images = verb === 'imagine' ? [] : await Promise.all(args.map(readImage));

    const verbose = values.verbose;
    const settings = engineEnv();
    engine = await Engine.load({
      ...settings,
      packDir: resolve(values.pack ?? (process.env['UNCLIP_PACK'] || DEFAULT_PACK)),
      log: (line) => {
        if (verbose || /CUDA/.test(line)) io.stderr.write(`${line}\n`);
      },
    });

    switch (verb) {
      case 'classify': {
        const results = [];
        for (const [i, img] of images.entries()) {
          const scores = await engine.classify(img, values.labels!, {
            maxLabels: CLI_MAX_LABELS,
            ...(values.template !== undefined ? { template: values.template } : {}),
          });
          results.push({ image: args[i]!, scores });
        }
        if (values.json) write(`${JSON.stringify({ results })}\n`);
        else for (const r of results) write(`${r.image}\n${r.scores.map((s) => `  ${percent(s.score)}  ${s.label}`).join('\n')}\n`);
        return 0;
      }
      case 'describe': {
        const top = number(values, 'top');
        const captions = await engine.describe(images[0]!, top !== undefined ? { top } : {});
        if (values.json) write(`${JSON.stringify({ results: [{ image: args[0]!, captions }] })}\n`);
        else write(`${args[0]}\n${captions.map((c) => `  ${percent(c.score)}  ${c.caption}`).join('\n')}\n`);
        return 0;
      }
      case 'imagine':
      case 'vary':
      case 'blend': {
        let gen: Generation & { animation?: Buffer };
        if (verb === 'imagine') gen = await engine.imagine(args[0]!, opts);
        else if (verb === 'vary') gen = await engine.vary(images[0]!, opts);
        else {
          const ratio = number(values, 'ratio');
          const frames = number(values, 'frames');
          gen = await engine.blend(images[0]!, images[1]!, {
            ...opts,
            ...(ratio !== undefined ? { ratio } : {}),
            ...(frames !== undefined ? { frames } : {}),
          });
        }
        const paths = await save(values.out, verb, gen);
        let animation: string | undefined;
        if (gen.animation) {
          animation = join(values.out, `${verb}-${gen.seed}-walk.webp`);
          await writeFile(animation, gen.animation);
        }
        if (values.json) {
          write(`${JSON.stringify({ images: paths, timings: gen.timings, seed: gen.seed, ...(animation ? { animation } : {}) })}\n`);
        } else {
          write(`${[...paths, ...(animation ? [animation] : [])].join('\n')}\nseed ${gen.seed}, ${Math.round(gen.timings['total'] ?? 0)} ms\n`);
        }
        return 0;
      }
    }
    throw new UsageError(`unknown command "${verb}"`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`error: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof UserInputError) {
      io.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    if (err instanceof PackError) {
      io.stderr.write(`error: model pack: ${err.message}\n`);
      return 1;
    }
    io.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  } finally {
    await engine?.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
