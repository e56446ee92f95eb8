/** The explainer's show beyond the basics (issue 15): /describe and "Describe image", U1–U4, text diffs. */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { APIMessage } from 'discord-api-types/v10';
import { buttons } from '../../src/sandbox/index.ts';
import { gridCellPng } from '../../src/engine/index.ts';
import { decodePng, hasResult, isEphemeral, shapePng, sharedEngine, useHarness } from './harness.ts';

const h = useHarness();

describe('/describe and "Describe image" (real discord.js ↔ local Discord, real ONNX pack)', () => {
  it('/describe ranks the world\'s captions for an uploaded image, with scores and a chart', async () => {
    const alice = h.discord.addUser('dalice');
    const run = h.discord.slash(alice, 'describe', { image: { filename: 'square.png', data: await shapePng() }, count: 3 });
    const result = await run.waitForMessage((m) => m.embeds.length > 0);
    expect(isEphemeral(result)).toBe(false);
    expect(result.content).toBe('Describing square.png');
    const embed = result.embeds[0]!;
    // The picture is a red square on blue: the best caption says so.
    expect(embed.title).toMatch(/^Best caption: a (big |small )?red square on a blue background$/);
    const lines = embed.description!.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^1\. \*\*a (big |small )?red square on a blue background\*\* — \d+\.\d %$/);
    const percents = lines.map((l) => Number(/— ([\d.]+) %$/.exec(l)![1]));
    expect(percents).toEqual([...percents].sort((a, b) => b - a));
    expect(embed.image?.url).toBe('attachment://captions.png');
    expect(await decodePng(result, /^captions\.png$/)).toMatchObject({ width: 480 });
  });

  it('"Describe image" on a message describes its image (5 captions)', async () => {
    const alice = h.discord.addUser('dalice2');
    const posted = await h.discord.post(alice, 'what is this?', [{ filename: 'mystery.png', data: await shapePng({ r: 40, g: 170, b: 60 }) }]);
    const result = await h.discord.messageCommand(alice, 'Describe image', posted).waitForMessage((m) => m.embeds.length > 0);
    expect(result.content).toBe('Describing mystery.png');
    expect(result.embeds[0]!.title).toMatch(/^Best caption: .*green square/);
    expect(result.embeds[0]!.description!.split('\n')).toHaveLength(5);
  });

  it('"Describe image" on a message without an image says so, privately', async () => {
    const alice = h.discord.addUser('dalice3');
    const posted = await h.discord.post(alice, 'no picture here');
    const answer = await h.discord.messageCommand(alice, 'Describe image', posted).waitForEphemeral();
    expect(answer.content).toContain('That message has no image attached');
  });
});

async function pixels(message: APIMessage, name: RegExp): Promise<{ data: Buffer; width: number; height: number }> {
  const attachment = message.attachments.find((a) => name.test(a.filename))!;
  const { data, info } = await sharp(Buffer.from(await (await fetch(attachment.url)).arrayBuffer())).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

describe('U1–U4: one cell of a grid on its own', () => {
  it('U3 posts image 3 at the size it was drawn, pixel for pixel, with its own V1 and 🎲 that work', async () => {
    const alice = h.discord.addUser('ualice');
    const bob = h.discord.addUser('ubob');
    const grid = await h.discord.slash(alice, 'imagine', { prompt: 'a big purple heart on a white background', seed: 5 }).waitForMessage(hasResult);
    expect(grid.content).toContain('U1–U4 for one image at full size');
    const original = h.bot.ctx.store.generations.get(grid.id)!;

    const cell = await h.discord.click(bob, grid, 'gen:u:3').waitForMessage((m) => m.attachments.some((a) => a.filename === 'unclip-5-u3.png'));
    expect(isEphemeral(cell)).toBe(false);
    expect(cell.content).toContain('a big purple heart on a white background');
    expect(cell.content).toContain('image 3');
    expect(buttons(cell).map((b) => b.label ?? b.custom_id)).toEqual(['V1', 'gen:again']);
    // The bottom-left quarter of the 256 px grid, exactly.
    const whole = await pixels(grid, /^unclip-5\.png$/);
    const alone = await pixels(cell, /-u3\.png$/);
    expect([alone.width, alone.height]).toEqual([whole.width / 2, whole.height / 2]);
    const row = (y: number) => whole.data.subarray(((whole.height / 2 + y) * whole.width) * 3, ((whole.height / 2 + y) * whole.width + alone.width) * 3);
    for (const y of [0, 17, alone.height - 1]) expect(Buffer.compare(alone.data.subarray(y * alone.width * 3, (y + 1) * alone.width * 3), row(y))).toBe(0);
    await h.discord.waitUntil(() => (h.discord.messageById(cell.id).reactions.has('🔁') ? true : null), 30_000, '🔁 under the cell');

    const stored = h.bot.ctx.store.generations.get(cell.id)!;
    expect(stored.ownerId).toBe(bob.id);
    expect(Array.from(stored.embeddings[0]!)).toEqual(Array.from(original.embeddings[2]!));
    // Its V1: variations of that very image.
    const variations = await h.discord.click(alice, cell, 'gen:v:1').waitForMessage(hasResult);
    expect(variations.content).toContain('Variations of image 1');
    expect(Array.from(h.bot.ctx.store.generations.get(variations.id)!.source!)).toEqual(Array.from(original.embeddings[2]!));
  });

  it('a single image has no U button and says V1, 🔁 and 🎲 once each; a 2-image result has U1 and U2', async () => {
    const alice = h.discord.addUser('ualice2');
    const single = await h.discord.slash(alice, 'imagine', { prompt: 'a small green circle', count: 1 }).waitForMessage(hasResult);
    expect(buttons(single).map((b) => b.custom_id)).toEqual(['gen:v:1', 'gen:again']);
    // One meaning per emoji: 🔁 the reaction for variations, 🎲 the button for a new seed.
    expect(single.content).toContain('V1 or react 🔁 for variations, 🎲 for a new seed');
    expect(single.content).not.toContain('V1–V1');
    const again = (single.components![0] as { components: { custom_id?: string; emoji?: { name?: string } }[] }).components.find((b) => b.custom_id === 'gen:again');
    expect(again?.emoji?.name).toBe('🎲');
    const two = await h.discord.slash(alice, 'imagine', { prompt: 'a small green circle', count: 2 }).waitForMessage(hasResult);
    expect(buttons(two).map((b) => b.custom_id)).toEqual(['gen:v:1', 'gen:v:2', 'gen:again', 'gen:u:1', 'gen:u:2']);
  });
});

/** The share CLIP gives `toward` against `from` in each cell of a posted grid, averaged. */
async function towardShare(message: APIMessage, cells: number, from: string, toward: string): Promise<number> {
  const attachment = message.attachments.find((a) => /^unclip-\d+\.png$/.test(a.filename))!;
  const grid = Buffer.from(await (await fetch(attachment.url)).arrayBuffer());
  const engine = await sharedEngine();
  let sum = 0;
  for (let i = 0; i < cells; i++) sum += (await engine.classify(await gridCellPng(grid, cells, i), [from, toward])).find((s) => s.label === toward)!.score;
  return sum / cells;
}

describe('/vary toward: text diffs', () => {
  it('moves the image toward the target caption: CLIP\'s share of the target rises with the strength', async () => {
    const alice = h.discord.addUser('talice');
    const image = { filename: 'square.png', data: await shapePng() };
    const shares: number[] = [];
    for (const strength of [0, 50, 100]) {
      const run = h.discord.slash(alice, 'vary', { image, toward: 'a green circle', strength, count: 4 });
      const result = await run.waitForMessage(hasResult);
      expect(result.content).toContain(`square.png moved toward **a green circle** (strength ${strength})`);
      // `from` defaulted to the image's best caption, found when the job ran.
      expect(result.content).toMatch(/from \*\*a (big |small )?red square on a blue background\*\* toward \*\*a green circle\*\*, θ \d\.\d\d/);
      expect(h.bot.ctx.store.generations.get(result.id)?.kind).toBe('vary');
      shares.push(await towardShare(result, 4, 'a red square on a blue background', 'a green circle'));
    }
    expect(shares[0]!).toBeLessThan(0.3);
    expect(shares[2]!).toBeGreaterThan(0.7);
    // never falling as the strength rises (to within CLIP's noise: at 0 and 50 both shares can be ~1e-8)
    expect(shares[1]!).toBeGreaterThanOrEqual(shares[0]! - 0.01);
    expect(shares[2]!).toBeGreaterThanOrEqual(shares[1]! - 0.01);
  });

  it('animate adds a WebP walk; from is taken as given; options without toward are refused privately', async () => {
    const alice = h.discord.addUser('talice2');
    const image = { filename: 'square.png', data: await shapePng() };
    const result = await h.discord.slash(alice, 'vary', { image, toward: 'a blue heart', from: 'a red square', animate: true, count: 1 }).waitForMessage(hasResult);
    expect(result.content).toContain('from **a red square** toward **a blue heart**');
    const walk = result.attachments.find((a) => a.filename.endsWith('-walk.webp'));
    expect(walk).toBeDefined();
    const meta = await sharp(Buffer.from(await (await fetch(walk!.url)).arrayBuffer()), { animated: true }).metadata();
    expect(meta.format).toBe('webp');
    const refused = await h.discord.slash(alice, 'vary', { image, strength: 40 }).waitForEphemeral();
    expect(refused.content).toBe('strength goes with toward: say which caption to move the image toward, e.g. toward:"a blue heart".');
  });
});

describe('/blend with texts in place of images', () => {
  it('first_text stands for the image the prior draws for it: at ratio 100 the blend is that text, at 0 the other image', async () => {
    const alice = h.discord.addUser('balice');
    const second = { filename: 'green.png', data: await shapePng({ r: 40, g: 170, b: 60 }) };
    const labels = ['a yellow star', 'a green square'];
    const winners: string[] = [];
    for (const ratio of [100, 0]) {
      const result = await h.discord.slash(alice, 'blend', { first_text: 'a yellow star', second, ratio }).waitForMessage(hasResult);
      expect(result.content).toContain(`Blend: ${ratio} % of **a yellow star**, ${100 - ratio} % of the second image`);
      const png = Buffer.from(await (await fetch(result.attachments.find((a) => /^unclip-\d+\.png$/.test(a.filename))!.url)).arrayBuffer());
      winners.push((await (await sharedEngine()).classify(png, labels))[0]!.label);
    }
    expect(winners).toEqual(['a yellow star', 'a green square']);
  });

  it('two texts blend with a walk; a side missing or given twice is refused privately', async () => {
    const alice = h.discord.addUser('balice2');
    const result = await h.discord.slash(alice, 'blend', { first_text: 'a red heart', second_text: 'a blue circle', animate: true }).waitForMessage(hasResult);
    expect(result.content).toContain('Blend: 50 % of **a red heart**, 50 % of **a blue circle**');
    expect(result.attachments.some((a) => a.filename.endsWith('-walk.webp'))).toBe(true);
    const image = { filename: 'red.png', data: await shapePng() };
    const missing = await h.discord.slash(alice, 'blend', { first: image }).waitForEphemeral();
    expect(missing.content).toBe('The second side is missing: attach the second image, or give second_text.');
    const twice = await h.discord.slash(alice, 'blend', { first: image, first_text: 'a red star', second_text: 'a cat' }).waitForEphemeral();
    expect(twice.content).toBe('Give the first image or first_text, not both.');
  });
});

describe('/dream', () => {
  it('a loop from a prompt: progress frame by frame, then an animated WebP and GIF with every frame, and a grid of four', async () => {
    const alice = h.discord.addUser('dralice');
    const run = h.discord.slash(alice, 'dream', { prompt: 'a big red star on a blue background', frames: 8 });
    const working = await run.waitForMessage((m) => /Step \d\/8…/.test(m.content));
    expect(working.content).toContain('💭 Dream of **a big red star on a blue background**');
    const result = await run.waitForMessage(hasResult);
    expect(result.content).toContain('8 frames (loop) · the grid shows four of them');
    expect(await decodePng(result)).toEqual({ width: 256, height: 256 });
    const fetched = async (suffix: string) => Buffer.from(await (await fetch(result.attachments.find((a) => a.filename.endsWith(suffix))!.url)).arrayBuffer());
    const webp = await sharp(await fetched('-walk.webp'), { animated: true }).metadata();
    const gif = await sharp(await fetched('-walk.gif'), { animated: true }).metadata();
    expect(webp.format).toBe('webp');
    expect(gif).toMatchObject({ format: 'gif', pages: 8, pageHeight: 128 });
    expect(h.bot.ctx.store.generations.get(result.id)).toMatchObject({ kind: 'imagine', prompt: 'a big red star on a blue background' });
  });

  it('a closed walk from an image; a prompt and an image together are refused privately', async () => {
    const alice = h.discord.addUser('dralice2');
    const image = { filename: 'square.png', data: await shapePng() };
    const result = await h.discord.slash(alice, 'dream', { image, mode: 'walk', frames: 6 }).waitForMessage(hasResult);
    expect(result.content).toContain('💭 Dream of square.png');
    expect(result.content).toContain('6 frames (walk)');
    const refused = await h.discord.slash(alice, 'dream', { image, prompt: 'a red star' }).waitForEphemeral();
    expect(refused.content).toBe('Give a prompt or an image to dream from (one of them).');
  });
});

describe('prompts outside the world, and over the limit', () => {
  it('names the words the pack does not know before drawing, and still draws', async () => {
    const alice = h.discord.addUser('palice');
    const run = h.discord.slash(alice, 'imagine', { prompt: 'a cat riding a red bicycle', count: 1 });
    const first = await run.waitForMessage((m) => m.content.length > 0);
    // The first thing shown (queued or working) already says it.
    expect(first.content).toContain('⚠️ This model\'s world has no word for "cat", "riding", "bicycle"');
    const result = await run.waitForMessage(hasResult);
    expect(result.content).toContain('no word for "cat", "riding", "bicycle"');
    const clean = await h.discord.slash(alice, 'imagine', { prompt: 'a big red star', count: 1 }).waitForMessage(hasResult);
    expect(clean.content).not.toContain('⚠️');
  });

  it('a prompt over the token limit is refused at once, with the limit; the option says it', async () => {
    const alice = h.discord.addUser('palice2');
    const answer = await h.discord.slash(alice, 'imagine', { prompt: 'a big red star on a blue background '.repeat(6).trim() }).waitForEphemeral();
    expect(answer.content).toMatch(/^The prompt is too long \(\d+ tokens; this model reads at most 32\): shorten it\.$/);
    const imagine = h.discord.commands.find((c) => c.name === 'imagine')!;
    expect(imagine.options?.find((o) => o.name === 'prompt')?.description).toContain('at most 32 tokens');
  });
});

describe('"Classify image" on a result grid', () => {
  it('classifies each cell on its own and says which image each answer is for', async () => {
    const alice = h.discord.addUser('calice');
    const grid = await h.discord.slash(alice, 'imagine', { prompt: 'a big red star on a blue background', seed: 9 }).waitForMessage(hasResult);
    const menu = h.discord.messageCommand(alice, 'Classify image', grid);
    await menu.modal();
    const result = await h.discord.submitModal(alice, menu, { labels: 'a red star, a red heart, a blue circle, a green square' }).waitForMessage((m) => m.embeds.length > 0);
    expect(result.content).toMatch(/^Classifying each of the 4 images of unclip-9\.png among 4 labels$/);
    expect(result.embeds.map((e) => e.footer?.text)).toEqual([1, 2, 3, 4].map((i) => `unclip-9.png · image ${i} of 4`));
    expect(result.embeds.map((e) => e.image?.url)).toEqual([1, 2, 3, 4].map((i) => `attachment://scores-${i}.png`));
    // Each cell is a red star: each answer says so (the whole grid, four tiny stars, did not).
    expect(result.embeds.map((e) => e.title)).toEqual([1, 2, 3, 4].map((i) => `Image ${i}: a red star`));
    expect(await decodePng(result, /^scores-3\.png$/)).toMatchObject({ width: 480 });
  });
});
