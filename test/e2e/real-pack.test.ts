/**
 * The bot adapts to the pack it runs (issue 14 item 4), through the real discord.js and the local
 * Discord, on a format-2 pack: the tiny random Kandinsky 2.2 with its sampling defaults in pack.json,
 * a label list for describe, no world, and a stand-in latent decoder to 1024 px of fine detail
 * (test/engine/tiny-packs.ts). The options state the pack's prompt limit (77 tokens) and guidance; a prompt
 * over it is refused with that limit; no world hints; /imagine runs the pack's steps and gives
 * 1024 px images, whose 2×2 grid (11.6 MB as PNG) reaches Discord as a JPEG under 10 MiB; U1 posts one
 * at 1024 px; /describe ranks the pack's labels.
 */
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIMessage } from 'discord-api-types/v10';
import { Engine } from '../../src/engine/index.ts';
import { LIMITS } from '../../src/discord/limits.ts';
import { isEphemeral, shapePng, startHarness, type Harness } from './harness.ts';
import { TINY_DEFAULTS, TINY_LABELS, tinyKandinskyPack, type TinyPack } from '../engine/tiny-packs.ts';

let pack: TinyPack;
let engine: Engine;
let h: Harness;

beforeAll(async () => {
  pack = tinyKandinskyPack({ detail: true });
  engine = await Engine.load({ packDir: pack.dir, threads: 2 });
  // No UNCLIP_STEPS / UNCLIP_PRIOR_STEPS: the pack's own defaults.
  h = await startHarness({ engine, env: { UNCLIP_PACK: pack.dir, UNCLIP_STEPS: '', UNCLIP_PRIOR_STEPS: '' } });
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await engine?.close();
  pack?.remove();
});

const isGrid = (m: APIMessage) => m.attachments.some((a) => /^unclip-\d+\.(png|jpg)$/.test(a.filename));
const option = (command: string, name: string) => h.discord.commands.find((c) => c.name === command)!.options!.find((o) => o.name === name)!;

describe('a format-2 pack without a world (tiny Kandinsky 2.2, 1024 px)', () => {
  it('the options state the pack\'s prompt limit and guidance, with no shapes-world example', () => {
    expect(option('imagine', 'prompt').description).toContain('at most 77 tokens, ~60 words');
    expect(option('imagine', 'prompt').description).not.toContain('star');
    expect(option('imagine', 'guidance').description).toContain(`default ${TINY_DEFAULTS.guidance} for this model`);
    expect(option('dream', 'prompt').description).toContain('at most 77 tokens');
  });

  it('a prompt over 77 tokens is refused at once, with the pack\'s limit', async () => {
    const alice = h.discord.addUser('alice');
    // 80 words (within the option's 300 characters), 82 tokens with the start and end markers.
    const answer = await h.discord.slash(alice, 'imagine', { prompt: Array.from({ length: 80 }, () => 'a').join(' ') }).waitForEphemeral();
    expect(answer.content).toBe('The prompt is too long (82 tokens; this model reads at most 77): shorten it.');
  });

  it('/imagine: no world hints, the pack\'s steps, a 2048 px grid over 10 MiB as PNG delivered as a JPEG under it; U1 at 1024 px', async () => {
    const bob = h.discord.addUser('bob');
    const run = h.discord.slash(bob, 'imagine', { prompt: 'a cat riding a bicycle', seed: 5 });
    const result = await run.waitForMessage(isGrid, 60_000);
    expect(result.content).not.toContain('⚠️');
    expect(result.content).not.toContain('no word for');
    // The decoder's progress counts the pack's default_steps.
    const steps = h.discord.requestsFor(result.id).flatMap((r) => [...JSON.stringify(r.json ?? '').matchAll(/Step \d+\/(\d+)/g)].map((m) => Number(m[1])));
    expect(steps.length).toBeGreaterThan(0);
    expect(new Set(steps)).toEqual(new Set([TINY_DEFAULTS.steps]));

    const grid = result.attachments.find((a) => a.filename.startsWith('unclip-'))!;
    expect(grid.filename).toBe('unclip-5.jpg');
    const bytes = h.discord.attachmentData(grid);
    expect(bytes.length).toBeLessThanOrEqual(LIMITS.uploadBytes);
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'jpeg', width: 2048, height: 2048 });
    expect(h.discord.requests.filter((r) => r.status === 413)).toEqual([]);
    // The engine with no steps or guidance (the pack's: its prior's and decoder's steps, its guidance) draws
    // the same four; their PNG grid is the one over Discord's limit that the JPEG replaced.
    const direct = await engine.imagine('a cat riding a bicycle', { n: 4, seed: 5 });
    expect(direct.grid.length).toBeGreaterThan(LIMITS.uploadBytes);

    const u1 = await h.discord.click(bob, result, 'gen:u:1').waitForMessage((m) => m.attachments.length > 0, 60_000);
    const cell = u1.attachments[0]!;
    expect(cell.filename).toBe('unclip-5-u1.png');
    const posted = sharp(h.discord.attachmentData(cell));
    expect(await posted.metadata()).toMatchObject({ format: 'png', width: 1024, height: 1024 });
    // U1 is the first image, losslessly (the stored result kept the PNG), as the engine drew it with the pack's defaults.
    const raw = (png: Buffer | Sharp) => (Buffer.isBuffer(png) ? sharp(png) : png).removeAlpha().raw().toBuffer();
    expect((await raw(posted)).equals(await raw(direct.images[0]!))).toBe(true);
  }, 120_000);

  it('/describe ranks the pack\'s labels (in its template), not a world\'s captions', async () => {
    const carol = h.discord.addUser('carol');
    const result = await h.discord
      .slash(carol, 'describe', { image: { filename: 'shape.png', data: await shapePng() }, count: 3 })
      .waitForMessage((m) => m.embeds.length > 0 && !isEphemeral(m));
    const embed = result.embeds[0]!;
    const lines = embed.description!.split('\n');
    expect(lines).toHaveLength(3);
    const captions = lines.map((l) => /^\d\. \**(.+?)\** — [\d.]+ %$/.exec(l)![1]);
    for (const c of captions) expect(TINY_LABELS.map((l) => `a photo of ${l}`)).toContain(c);
    expect(embed.footer?.text).toBe(`shape.png · the top 3 of the model's ${TINY_LABELS.length} labels (CLIP scores)`);
  });
});
