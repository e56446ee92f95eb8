/**
 * The bot on a CLIP-only pack without a world (issue 14 item 4), through the real discord.js and the
 * local Discord: the tiny Kandinsky's CLIP with no pack.json, its tokenizer reading at most 16 tokens
 * (test/engine/tiny-packs.ts). The prompt options state that limit, a longer prompt is refused with it,
 * no prompt gets world hints, and /describe ranks the general labels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERAL_LABELS } from '../../src/engine/captions.ts';
import { Engine } from '../../src/engine/index.ts';
import { tinyClipOnlyPack, type TinyPack } from '../engine/tiny-packs.ts';
import { isEphemeral, shapePng, startHarness, type Harness } from './harness.ts';

let pack: TinyPack;
let engine: Engine;
let h: Harness;

beforeAll(async () => {
  pack = tinyClipOnlyPack({ model_max_length: 16 });
  engine = await Engine.load({ packDir: pack.dir, threads: 2 });
  h = await startHarness({ engine, env: { UNCLIP_PACK: pack.dir } });
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await engine?.close();
  pack?.remove();
});

const option = (command: string, name: string) => h.discord.commands.find((c) => c.name === command)!.options!.find((o) => o.name === name)!;
const words = (n: number) => Array.from({ length: n }, () => 'a').join(' ');

describe('a CLIP-only pack whose tokenizer reads at most 16 tokens', () => {
  it('the prompt options state its limit, with no shapes-world example; guidance has no default to state', () => {
    for (const command of ['imagine', 'dream']) {
      expect(option(command, 'prompt').description).toContain('at most 16 tokens, ~10 words');
      expect(option(command, 'prompt').description).not.toContain('star');
    }
    expect(option('imagine', 'guidance').description).toBe('How closely to follow the prompt (default: the model’s)');
    const start = h.discord.commands.find((c) => c.name === 'battle')!.options!.find((o) => o.name === 'start')! as { options: { name: string; description: string }[] };
    expect(start.options.find((o) => o.name === 'theme')!.description).toBe('What entries should show, e.g. "a lighthouse at dusk"');
    expect(option('blend', 'first_text').description).not.toContain('star');
    expect(option('blend', 'second_text').description).toContain('at most 16 tokens');
  });

  it('a prompt over 16 tokens is refused at once, with that limit (/imagine, /blend\'s texts, a battle entry)', async () => {
    const alice = h.discord.addUser('alice');
    const answer = await h.discord.slash(alice, 'imagine', { prompt: words(15) }).waitForEphemeral();
    expect(answer.content).toBe('The prompt is too long (17 tokens; this model reads at most 16): shorten it.');
    const blend = await h.discord.slash(alice, 'blend', { first_text: 'a red star', second_text: words(20) }).waitForEphemeral();
    expect(blend.content).toBe('second_text is too long (22 tokens; this model reads at most 16): shorten it.');
    await h.discord.slash(alice, 'battle start', { theme: 'a red star', minutes: 30 }).waitForMessage();
    const entry = await h.discord.slash(h.discord.addUser('dave'), 'battle enter', { prompt: words(15) }).waitForEphemeral();
    expect(entry.content).toBe('The prompt is too long (17 tokens; this model reads at most 16): shorten it.');
  });

  it('a prompt outside any world gets no hint; the pack cannot draw, and says so', async () => {
    const bob = h.discord.addUser('bob');
    const answer = await h.discord.slash(bob, 'imagine', { prompt: 'a cat riding a bicycle' }).waitForEphemeral();
    expect(answer.content).toContain('is CLIP-only: it can classify and describe, but not imagine');
    expect(answer.content).not.toContain('no word for');
  });

  it('/describe ranks the general labels', async () => {
    const carol = h.discord.addUser('carol');
    const result = await h.discord
      .slash(carol, 'describe', { image: { filename: 'shape.png', data: await shapePng() }, count: 3 })
      .waitForMessage((m) => m.embeds.length > 0 && !isEphemeral(m));
    const embed = result.embeds[0]!;
    const captions = embed.description!.split('\n').map((l) => /^\d\. \**(.+?)\** — [\d.]+ %$/.exec(l)![1]);
    expect(captions).toHaveLength(3);
    for (const c of captions) expect(GENERAL_LABELS.map((l) => `a photo of ${l}`)).toContain(c);
    expect(embed.footer?.text).toBe(`shape.png · the top 3 of ${GENERAL_LABELS.length} everyday labels (CLIP scores)`);
  });
});
