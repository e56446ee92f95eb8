/** Every command's happy path, and what buttons and reactions on a result do. */
import { describe, expect, it } from 'vitest';
import { InteractionResponseType } from 'discord-api-types/v10';
import { buttons } from '../../src/sandbox/index.ts';
import { decodePng, hasResult, isEphemeral, shapePng, useHarness } from './harness.ts';

const h = useHarness();

describe('commands (real discord.js ↔ local Discord, real ONNX pack)', () => {
  it('the options state the bundled pack\'s prompt limit, a prompt of its world and its guidance', () => {
    const option = (command: string, name: string) => h.discord.commands.find((c) => c.name === command)!.options!.find((o) => o.name === name)!;
    expect(option('imagine', 'prompt').description).toBe('What to draw, e.g. "a big red star on a blue background" (at most 32 tokens, ~25 words)');
    expect(option('dream', 'prompt').description).toBe('Start from a text, e.g. "a big red star" (at most 32 tokens, ~25 words)');
    expect(option('imagine', 'guidance').description).toBe('How closely to follow the prompt (default 3 for this model)');
  });

  it('/imagine defers, then posts a 2×2 PNG grid with the prompt, seed, V1–V4, 🎲 and U1–U4, and adds 1️⃣–4️⃣', async () => {
    const alice = h.discord.addUser('alice');
    const run = h.discord.slash(alice, 'imagine', { prompt: 'a big red star on a blue background', seed: 7 });
    expect(await run.acknowledged()).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    const result = await run.waitForMessage(hasResult);
    expect(isEphemeral(result)).toBe(false);
    expect(result.content).toContain('a big red star on a blue background');
    expect(result.content).toContain('seed 7');
    expect(await decodePng(result)).toEqual({ width: 256, height: 256 });
    expect(buttons(result).map((b) => b.label ?? b.custom_id)).toEqual(['V1', 'V2', 'V3', 'V4', 'gen:again', 'U1', 'U2', 'U3', 'U4']);
    const reactions = await h.discord.waitUntil(() => {
      const r = h.discord.messageById(result.id).reactions;
      return r.size === 4 ? [...r.keys()] : null;
    }, 30_000, 'the bot to add its reactions');
    expect(reactions).toEqual(['1️⃣', '2️⃣', '3️⃣', '4️⃣']);
  });

  it('/imagine count:1 posts a single image and reacts 🔁', async () => {
    const alice = h.discord.addUser('alice1');
    const run = h.discord.slash(alice, 'imagine', { prompt: 'a small green circle', count: 1 });
    const result = await run.waitForMessage(hasResult);
    expect(await decodePng(result)).toEqual({ width: 128, height: 128 });
    await h.discord.waitUntil(() => (h.discord.messageById(result.id).reactions.has('🔁') ? true : null), 30_000, '🔁');
  });

  it('V2 makes variations of cell 2; 🎲 makes the same prompt with a new seed', async () => {
    const alice = h.discord.addUser('alice2');
    const bob = h.discord.addUser('bob2');
    const original = await h.discord.slash(alice, 'imagine', { prompt: 'a yellow heart on a black background', seed: 11 }).waitForMessage(hasResult);
    const stored = await h.bot.ctx.store.generations.get(original.id);
    expect(stored?.embeddings).toHaveLength(4);

    const v2 = h.discord.click(bob, original, 'gen:v:2');
    const variations = await v2.waitForMessage(hasResult);
    expect(variations.content).toContain('Variations of image 2');
    expect(await decodePng(variations)).toEqual({ width: 256, height: 256 });
    const varStored = await h.bot.ctx.store.generations.get(variations.id);
    expect(varStored?.ownerId).toBe(bob.id);
    expect(Array.from(varStored!.source!)).toEqual(Array.from(stored!.embeddings[1]!));

    const again = h.discord.click(alice, original, 'gen:again');
    const rerolled = await again.waitForMessage(hasResult);
    expect(rerolled.content).toContain('a yellow heart on a black background');
    expect(rerolled.content).not.toContain('seed 11\n');
    const rerollStored = await h.bot.ctx.store.generations.get(rerolled.id);
    expect(rerollStored?.prompt).toBe('a yellow heart on a black background');
    expect(rerollStored?.seed).not.toBe(11);
  });

  it('a 3️⃣ reaction on a result posts variations of image 3 in the channel', async () => {
    const alice = h.discord.addUser('alice3');
    const carol = h.discord.addUser('carol3');
    const original = await h.discord.slash(alice, 'imagine', { prompt: 'a big blue square', seed: 3 }).waitForMessage(hasResult);
    await h.discord.waitUntil(() => (h.discord.messageById(original.id).reactions.size === 4 ? true : null), 30_000, 'reactions');
    h.discord.react(carol, original, '3️⃣');
    const posted = await h.discord.waitForMessage((m) => hasResult(m) && m.content.includes('Variations of image 3') && m.content.startsWith(`<@${carol.id}>`));
    expect(await decodePng(posted)).toEqual({ width: 256, height: 256 });
    // The result notifies carol (a new message that pings at creation); the statuses before it
    // (posted without a ping) are gone, so nothing stays at "Queued" or "Step n/N".
    expect(h.discord.messageById(posted.id).pings.users).toEqual([carol.id]);
    const statuses = [...h.discord.world.messages.values()].filter((r) => r.message.id !== posted.id && r.message.content.startsWith(`<@${carol.id}>`));
    expect(statuses.length).toBeGreaterThan(0);
    await h.discord.waitUntil(() => (statuses.every((r) => r.deleted) ? true : null), 30_000, 'the statuses to be removed');
    const stored = await h.bot.ctx.store.generations.get(original.id);
    expect(Array.from((await h.bot.ctx.store.generations.get(posted.id))!.source!)).toEqual(Array.from(stored!.embeddings[2]!));
  });

  it('/vary posts variations of an uploaded image', async () => {
    const alice = h.discord.addUser('alice4');
    const run = h.discord.slash(alice, 'vary', { image: { filename: 'square.png', data: await shapePng() }, count: 2 });
    const result = await run.waitForMessage(hasResult);
    expect(result.content).toContain('Variations of square.png');
    expect(await decodePng(result)).toEqual({ width: 256, height: 128 });
  });

  it('/blend posts the blend, and an animated WebP with animate:true', async () => {
    const alice = h.discord.addUser('alice5');
    const first = { filename: 'red.png', data: await shapePng({ r: 220, g: 40, b: 40 }) };
    const second = { filename: 'green.png', data: await shapePng({ r: 40, g: 170, b: 60 }) };
    const run = h.discord.slash(alice, 'blend', { first, second, ratio: 30, animate: true });
    const result = await run.waitForMessage(hasResult);
    expect(result.content).toContain('30 % of the first image, 70 % of the second');
    expect(await decodePng(result)).toEqual({ width: 128, height: 128 });
    const walk = result.attachments.find((a) => a.filename.endsWith('.webp'));
    expect(walk).toBeDefined();
    const { default: sharp } = await import('sharp');
    const meta = await sharp(Buffer.from(await (await fetch(walk!.url)).arrayBuffer()), { animated: true }).metadata();
    expect(meta.format).toBe('webp'); // (identical neighbouring frames are merged by the encoder, so no frame count here)
  });

  it('/classify ranks the labels in an embed with a bar chart PNG', async () => {
    const alice = h.discord.addUser('alice6');
    const run = h.discord.slash(alice, 'classify', { image: { filename: 'square.png', data: await shapePng() }, labels: 'a red square, a green circle, a yellow star' });
    const result = await run.waitForMessage((m) => m.embeds.length > 0);
    const embed = result.embeds[0]!;
    const lines = embed.description!.split('\n');
    expect(lines).toHaveLength(3);
    // The red square (the picture: a red square on blue) ranks first, in bold, scores high to low summing to 100 %.
    expect(embed.title).toBe('Most likely: a red square');
    expect(lines[0]).toMatch(/^\*\*a red square\*\* — \d+\.\d %$/);
    const percents = lines.map((l) => Number(/— ([\d.]+) %$/.exec(l)![1]));
    expect(percents).toEqual([...percents].sort((a, b) => b - a));
    expect(percents.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    expect(embed.image?.url).toBe('attachment://scores.png');
    expect(await decodePng(result, /^scores\.png$/)).toMatchObject({ width: 480 });
  });

  it('"Classify image" on a message asks for labels in a modal, then classifies', async () => {
    const alice = h.discord.addUser('alice7');
    const posted = await h.discord.post(alice, 'what is this?', [{ filename: 'mystery.png', data: await shapePng() }]);
    const menu = h.discord.messageCommand(alice, 'Classify image', posted);
    await menu.modal();
    const submit = h.discord.submitModal(alice, menu, { labels: 'a red square, a blue heart', template: 'a photo of {}' });
    const result = await submit.waitForMessage((m) => m.embeds.length > 0);
    expect(result.embeds[0]!.footer?.text).toBe('mystery.png · template "a photo of {}"');
    expect(result.embeds[0]!.title).toBe('Most likely: a red square');
    expect(await decodePng(result, /^scores\.png$/)).toMatchObject({ width: 480 });
  });

  it('/queue tells you your jobs, ephemerally', async () => {
    const alice = h.discord.addUser('alice8');
    const answer = await h.discord.slash(alice, 'queue').waitForEphemeral();
    expect(answer.content).toContain('You have no jobs in the queue.');
    expect(answer.content).toMatch(/Queue: \d+ waiting/);
  });
});
