/** The real CLI, spawned as a user runs it: JSON output schema, files written, exit status 2 on bad input. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
let red: string;
let blue: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, env: { ...process.env, UNCLIP_PACK: '' }, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
/** Exactly as documented: npm run --silent unclip -- … */
const npmUnclip = (...args: string[]) => run('npm', ['run', '--silent', 'unclip', '--', ...args]);
/** The same entry point without npm's start-up cost. */
const unclip = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unclip-cli-'));
  const svg = (body: string, bg: string) =>
    Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="100%" height="100%" fill="${bg}"/>${body}</svg>`);
  red = join(dir, 'red.png');
  blue = join(dir, 'blue.jpg');
  await sharp(svg('<circle cx="32" cy="32" r="16" fill="rgb(220,40,40)"/>', 'white')).png().toFile(red);
  await sharp(svg('<rect x="16" y="16" width="32" height="32" fill="rgb(40,90,220)"/>', 'yellow')).jpeg().toFile(blue);
  await writeFile(join(dir, 'notes.png'), 'this is text with a .png name');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Parses stdout as exactly one JSON document. */
function oneJson(r: Run): Record<string, unknown> {
  expect(r.stderr, r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

async function expectGenerationSchema(doc: Record<string, unknown>, count: number): Promise<string[]> {
  expect(Object.keys(doc)).toEqual(expect.arrayContaining(['images', 'timings']));
  const images = doc['images'] as string[];
  expect(images).toHaveLength(count);
  for (const p of images) {
    expect(p).toMatch(/\.png$/);
    expect((await sharp(p).metadata()).format).toBe('png');
  }
  const timings = doc['timings'] as Record<string, unknown>;
  expect(Object.values(timings).length).toBeGreaterThan(0);
  expect(Object.values(timings).every((v) => typeof v === 'number' && v >= 0)).toBe(true);
  expect(typeof timings['total']).toBe('number');
  return images;
}

describe('--json output', () => {
  it('classify: {"results":[{"image","scores":[{"label","score"}…]}]}, sorted, summing to 1', async () => {
    const doc = oneJson(await npmUnclip('classify', red, blue, '--labels', 'a red circle, a blue square,a green heart', '--json'));
    expect(Object.keys(doc)).toEqual(['results']);
    const results = doc['results'] as { image: string; scores: { label: string; score: number }[] }[];
    expect(results.map((r) => r.image)).toEqual([red, blue]);
    for (const r of results) {
      expect(Object.keys(r)).toEqual(['image', 'scores']);
      expect(r.scores.map((s) => s.label).sort()).toEqual(['a blue square', 'a green heart', 'a red circle']);
      for (const s of r.scores) expect(Object.keys(s)).toEqual(['label', 'score']);
      expect(r.scores.reduce((a, s) => a + s.score, 0)).toBeCloseTo(1, 9);
      for (let i = 1; i < r.scores.length; i++) expect(r.scores[i - 1]!.score).toBeGreaterThanOrEqual(r.scores[i]!.score);
    }
  });

  it('imagine: {"images":[…png],"timings":{…}}, and the same seed writes the same bytes', async () => {
    const out = join(dir, 'imagine');
    const args = ['imagine', 'a big red star on a blue background', '--n', '2', '--seed', '7', '--steps', '3', '--out', out, '--json'];
    const doc = oneJson(await unclip(...args));
    const images = await expectGenerationSchema(doc, 2);
    expect(doc['seed']).toBe(7);
    const first = await Promise.all(images.map((p) => readFile(p)));
    const again = oneJson(await unclip(...args));
    const second = await Promise.all((again['images'] as string[]).map((p) => readFile(p)));
    expect(first.every((b, i) => b.equals(second[i]!))).toBe(true);
  });

  it('--scheduler picks the sampler: DPM-Solver++, UniPC and DDIM draw different images from the same seed', async () => {
    const args = (scheduler: string) => ['imagine', 'a big red star on a blue background', '--n', '1', '--seed', '7', '--steps', '4', '--scheduler', scheduler, '--out', join(dir, scheduler), '--json'];
    const [dpm, ddim, unipc] = [oneJson(await unclip(...args('dpmsolver++'))), oneJson(await unclip(...args('ddim'))), oneJson(await unclip(...args('unipc')))];
    const [a] = await expectGenerationSchema(dpm, 1);
    const [b] = await expectGenerationSchema(ddim, 1);
    const [c] = await expectGenerationSchema(unipc, 1);
    const [pa, pb, pc] = await Promise.all([a!, b!, c!].map((p) => readFile(p)));
    expect(pa!.equals(pb!)).toBe(false);
    expect(pc!.equals(pa!)).toBe(false);
    expect(pc!.equals(pb!)).toBe(false);
  });

  it('vary and blend (with an animated walk) write their images', async () => {
    const vary = oneJson(await unclip('vary', red, '--n', '1', '--seed', '1', '--steps', '3', '--out', join(dir, 'vary'), '--json'));
    await expectGenerationSchema(vary, 1);
    const blend = oneJson(await unclip('blend', red, blue, '--ratio', '30', '--frames', '3', '--seed', '2', '--steps', '3', '--out', join(dir, 'blend'), '--json'));
    await expectGenerationSchema(blend, 1);
    expect((await sharp(blend['animation'] as string).metadata()).format).toBe('webp');
  });

  it('describe: {"results":[{"image","captions":[{"caption","score"}…]}]}', async () => {
    const doc = oneJson(await unclip('describe', red, '--top', '3', '--json'));
    const [r] = doc['results'] as { image: string; captions: { caption: string; score: number }[] }[];
    expect(r!.image).toBe(red);
    expect(r!.captions).toHaveLength(3);
    for (const c of r!.captions) expect(c.caption).toMatch(/ on a \w+ background$/);
  });
});

describe('bad input: exit 2 and one clear line on stderr', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['not an image', () => ['classify', join(dir, 'notes.png'), '--labels', 'a,b'], /not a readable image/],
    ['a missing file', () => ['vary', join(dir, 'missing.png')], /cannot read .*missing\.png: no such file/],
    ['one label', () => ['classify', red, '--labels', 'cat'], /at least 2 labels/],
    ['duplicate labels', () => ['classify', red, '--labels', 'cat,dog,cat'], /Duplicate label "cat"/],
    ['over 1000 labels', () => ['classify', red, '--labels', Array.from({ length: 1001 }, (_, i) => `l${i}`).join(',')], /Too many labels: 1001 \(at most 1000\)/],
    ['ratio out of range', () => ['blend', red, blue, '--ratio', '101'], /ratio must be a number from 0 to 100 \(got 101\)/],
    ['empty prompt', () => ['imagine', ''], /prompt is empty/],
    ['n not a number', () => ['imagine', 'a red star', '--n', 'four'], /--n must be a number/],
    ['an unknown scheduler', () => ['imagine', 'a red star', '--scheduler', 'euler'], /Unknown scheduler "euler": choose "ddim", "dpmsolver\+\+" or "unipc"/],
  ];
  it.each(cases)('%s', async (_, args, message) => {
    const r = await unclip(...args());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(message);
  });

  it('usage errors also exit 2, with the usage', async () => {
    const r = await unclip('classify', red, '--ratio', '3', '--labels', 'a,b');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --ratio does not apply to classify\nusage:/);
  });

  it('a broken pack exits 1 naming the file', async () => {
    const r = await unclip('describe', red, '--pack', join(dir, 'no-such-pack'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no-such-pack: is not a model pack folder/);
  });
});
