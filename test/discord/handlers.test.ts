/**
 * Each handler on its own (Sapphire's per-piece tests): the custom ids it builds are the ones it
 * parses, and `run` on a real in-memory store returns the job to queue or refuses with a UserInputError.
 */
import { describe, expect, it } from 'vitest';
import type { ButtonInteraction, ModalSubmitInteraction } from 'discord.js';
import { UserInputError } from '../../src/engine/index.ts';
import * as again from '../../src/discord/handlers/again.ts';
import * as cancel from '../../src/discord/handlers/cancel.ts';
import { cellForReaction, cellReaction, reactionsFor } from '../../src/discord/handlers/cell-reaction.ts';
import * as classifyLabels from '../../src/discord/handlers/classify-labels.ts';
import { HANDLERS } from '../../src/discord/handlers/index.ts';
import * as upscale from '../../src/discord/handlers/upscale.ts';
import * as variations from '../../src/discord/handlers/variations.ts';
import * as vote from '../../src/discord/handlers/vote.ts';
import type { ReactionEvent } from '../../src/discord/handler.ts';
import { findHandler } from '../../src/discord/router.ts';
import type { StoredGeneration } from '../../src/store/index.ts';
import { emb, testContext } from './fakes.ts';

const button = (customId: string, extra: Record<string, unknown> = {}) => ({ customId, ...extra }) as unknown as ButtonInteraction;
const reaction = (emoji: string, messageId = 'm1', userId = 'bob'): ReactionEvent => ({ client: null as never, emoji, userId, messageId, channelId: 'c', guildId: 'g' });
const idle = () => testContext(async () => { throw new Error('not run here'); });

function stored(over: Partial<StoredGeneration> = {}): StoredGeneration {
  return { messageId: 'm1', channelId: 'c', guildId: 'g', ownerId: 'alice', kind: 'imagine', prompt: 'a big red star', seed: 3, embeddings: [emb(1, 0), emb(0, 1), emb(1, 1), emb(2, 2)], source: null, grid: null, createdAt: 1, ...over };
}

describe('custom ids', () => {
  it('each handler parses the ids it builds, and only those; reactions map to cells', () => {
    const parsedBy = (id: string) => {
      const found = findHandler(HANDLERS, 'button', button(id));
      return found && { handler: found.handler, parsed: found.parsed };
    };
    expect(parsedBy(variations.customId(2))).toEqual({ handler: variations.variations, parsed: 2 });
    expect(parsedBy(again.customId())).toEqual({ handler: again.again, parsed: true });
    expect(parsedBy(cancel.customId('17'))).toEqual({ handler: cancel.cancel, parsed: '17' });
    expect(parsedBy(vote.customId(42))).toEqual({ handler: vote.vote, parsed: 42 });
    expect(parsedBy('battle:vote:x')).toBeNull();
    expect(parsedBy('gen:v:9')).toBeNull();
    expect(parsedBy(upscale.customId(3))).toEqual({ handler: upscale.upscale, parsed: 3 });
    expect(parsedBy('gen:u:5')).toBeNull();
    expect(findHandler(HANDLERS, 'modal', button(classifyLabels.customId('123')))).toEqual({ handler: classifyLabels.classifyLabels, parsed: '123' });
    expect(findHandler(HANDLERS, 'button', button(classifyLabels.customId('123')))).toBeNull();
    expect(cellForReaction('2️⃣', 4)).toBe(1);
    expect(cellForReaction('4️⃣', 2)).toBeNull();
    expect(cellForReaction('🔁', 1)).toBe(0);
    expect(cellForReaction('🔁', 4)).toBeNull();
    expect(reactionsFor(1)).toEqual(['🔁']);
    expect(reactionsFor(3)).toEqual(['1️⃣', '2️⃣', '3️⃣']);
  });

  it('the built components carry those ids', () => {
    expect(variations.button(0).toJSON()).toMatchObject({ custom_id: 'gen:v:1', label: 'V1' });
    expect(cancel.cancelRow('5').toJSON().components[0]).toMatchObject({ custom_id: 'job:cancel:5', label: 'Cancel' });
    // The 👍 button's label is its entry's vote count: the one count people see.
    expect(vote.voteRow(8).toJSON().components[0]).toMatchObject({ custom_id: 'battle:vote:8', label: '0', emoji: { name: '👍' }, disabled: false });
    expect(vote.voteRow(8, 3, true).toJSON().components[0]).toMatchObject({ label: '3', disabled: true });
    expect(classifyLabels.labelsModal('k').toJSON()).toMatchObject({ custom_id: 'classify:labels:k', title: 'Classify image' });
  });
});

describe('V1–V4 and 🎲 buttons', () => {
  it('variations of the clicked cell, for whoever clicked', async () => {
    const ctx = idle();
    ctx.store.generations.save(stored());
    const request = await variations.variations.run(button('gen:v:3', { message: { id: 'm1' }, user: { id: 'bob' } }), 2, ctx);
    expect(request).toMatchObject({ kind: 'vary', userId: 'bob', n: 4, headline: 'Variations of image 3 of **a big red star**', label: 'variations of image 3' });
    expect(Array.from((request as { image: { embedding: Float32Array } }).image.embedding)).toEqual([1, 1]);
  });

  it('refuses a result it has no data for, and a cell the result does not have', async () => {
    const ctx = idle();
    ctx.store.generations.save(stored({ embeddings: [emb(1, 0), emb(0, 1)] }));
    await expect(variations.variations.run(button('gen:v:1', { message: { id: 'gone' }, user: { id: 'bob' } }), 0, ctx)).rejects.toThrow(variations.NO_DATA);
    const wrongCell = variations.variations.run(button('gen:v:4', { message: { id: 'm1' }, user: { id: 'bob' } }), 3, ctx);
    await expect(wrongCell).rejects.toBeInstanceOf(UserInputError);
    await expect(wrongCell).rejects.toThrow('This result has only 2 image(s).');
  });

  it('🎲 draws the prompt again, or decodes a blend’s source again', async () => {
    const ctx = idle();
    ctx.store.generations.save(stored());
    ctx.store.generations.save(stored({ messageId: 'm2', kind: 'blend', prompt: null, embeddings: [emb(3, 3)], source: emb(5, 5) }));
    const click = (id: string) => button('gen:again', { message: { id }, user: { id: 'carol' } });
    // The clicker's language goes with the job (no locale on this fake interaction: English).
    expect(await again.again.run(click('m1'), true, ctx)).toEqual({ kind: 'imagine', userId: 'carol', locale: 'en', prompt: 'a big red star', n: 4, label: 'imagine: a big red star', headline: '**a big red star**' });
    const blend = await again.again.run(click('m2'), true, ctx);
    expect(blend).toMatchObject({ kind: 'vary', n: 1, headline: 'Blend, new seed' });
    expect(Array.from((blend as { image: { embedding: Float32Array } }).image.embedding)).toEqual([5, 5]);
  });
});

describe('U1–U4 buttons', () => {
  it('U rows only under a grid; refuses a result it has no data or no picture for, and a cell it does not have', async () => {
    expect(upscale.upscaleRow(1)).toBeNull();
    expect(upscale.upscaleRow(3)!.toJSON().components.map((c) => ('custom_id' in c ? c.custom_id : null))).toEqual(['gen:u:1', 'gen:u:2', 'gen:u:3']);
    const ctx = idle();
    ctx.store.generations.save(stored({ embeddings: [emb(1, 0), emb(0, 1)] }));
    const click = (id: string, cell: number) => upscale.upscale.run(button(upscale.customId(cell), { message: { id }, user: { id: 'bob' } }), cell, ctx);
    await expect(click('gone', 0)).rejects.toThrow('I no longer have the data of this result, so I cannot post one of its images.');
    await expect(click('m1', 3)).rejects.toThrow('This result has only 2 image(s).');
    await expect(click('m1', 0)).rejects.toThrow('I have the data of this result but not its picture');
  });
});

describe('Cancel button', () => {
  it('only the owner cancels; a finished job says so', async () => {
    const ctx = testContext(() => new Promise(() => {}), { jobTimeoutMs: 10_000 });
    const added = ctx.queue.add({ kind: 'imagine', userId: 'alice', prompt: 'p', n: 1, headline: 'h', label: 'l' });
    if (!added.ok) throw new Error(added.reason);
    let deferred = 0;
    const click = (userId: string) => button(cancel.customId(added.job.id), { user: { id: userId }, deferUpdate: async () => void deferred++ });
    await expect(cancel.cancel.run(click('bob'), added.job.id, ctx)).rejects.toThrow('Only the person who asked for this job can cancel it.');
    await cancel.cancel.run(click('alice'), added.job.id, ctx);
    expect(deferred).toBe(1);
    await expect(cancel.cancel.run(click('alice'), added.job.id, ctx)).rejects.toThrow('That job has already finished.');
  });
});

describe('"Classify image" modal', () => {
  const modal = (labels: string, template = '') =>
    ({ customId: 'classify:labels:k', user: { id: 'dana' }, fields: { getTextInputValue: (name: string) => (name === 'labels' ? labels : template) } }) as unknown as ModalSubmitInteraction;
  const image = { name: 'star.png', url: 'https://cdn.discordapp.com/star.png', size: 100, contentType: 'image/png' };

  it('turns the labels into a classification of the waiting image, once', async () => {
    const ctx = idle();
    ctx.pendingClassify.set('k', image);
    expect(await classifyLabels.classifyLabels.run(modal(' a red star , a blue circle ', 'a drawing of {}'), 'k', ctx)).toMatchObject({
      kind: 'classify',
      userId: 'dana',
      image,
      labels: ['a red star', 'a blue circle'],
      template: 'a drawing of {}',
      headline: 'Classifying star.png among 2 labels',
    });
    expect(ctx.pendingClassify.has('k')).toBe(false);
    await expect(classifyLabels.classifyLabels.run(modal('a, b'), 'k', ctx)).rejects.toThrow('This form has expired');
  });

  it('refuses bad labels or a template without {}, keeping the image for another try', async () => {
    const ctx = idle();
    ctx.pendingClassify.set('k', image);
    await expect(classifyLabels.classifyLabels.run(modal('only one'), 'k', ctx)).rejects.toThrow(/at least 2 labels/);
    await expect(classifyLabels.classifyLabels.run(modal('a, b', 'a photo'), 'k', ctx)).rejects.toThrow('The template must contain {}');
    expect(ctx.pendingClassify.get('k')).toEqual(image);
  });
});

describe('reactions', () => {
  it('1️⃣–4️⃣ ask for variations of that cell of a stored result; other emoji and unknown messages do nothing', async () => {
    const ctx = idle();
    ctx.store.generations.save(stored({ embeddings: [emb(1, 0), emb(0, 1)] }));
    expect(cellReaction.parse(reaction('👍'))).toBeNull();
    expect(await cellReaction.run(reaction('2️⃣'), '2️⃣', ctx)).toMatchObject({ kind: 'vary', userId: 'bob', headline: 'Variations of image 2 of **a big red star**' });
    expect(await cellReaction.run(reaction('3️⃣'), '3️⃣', ctx)).toBeUndefined();
    expect(await cellReaction.run(reaction('1️⃣', 'elsewhere'), '1️⃣', ctx)).toBeUndefined();
  });

  it('taking a 👍 off an entry does nothing: the bot takes every 👍 off once counted; the vote goes back with the button', () => {
    expect(findHandler(HANDLERS, 'reaction-remove', reaction('👍', 'entry-msg'))).toBeNull();
  });
});
