/**
 * Restart recovery on its own: a real in-memory journal with the rows a previous process left, a
 * real queue whose processor records what it was asked to run, replies that record what people see.
 */
import { describe, expect, it } from 'vitest';
import type { JobRequest } from '../../src/discord/request.ts';
import { MAX_ATTEMPTS, recoverJobs } from '../../src/discord/recovery.ts';
import { imagesResult, RecordingReply, settle, testContext } from './fakes.ts';

function recovering() {
  const ran: JobRequest[] = [];
  const ctx = testContext(async (job) => (ran.push(job.data), imagesResult(1)));
  const replies: RecordingReply[] = [];
  const replyFor = (job: { userId: string; id: number }) => {
    const reply = new RecordingReply(job.userId, `result-${job.id}`);
    replies.push(reply);
    return reply;
  };
  const journal = (payload: unknown, attempts = 0) => {
    const id = ctx.store.journal.add({ userId: 'pat', channelId: 'c', guildId: 'g', interactionId: null, payload });
    for (let i = 0; i < attempts; i++) ctx.store.journal.started(id);
    return id;
  };
  return { ctx, ran, replies, replyFor, journal };
}

describe('recoverJobs', () => {
  it('runs each unfinished job once more, in its journal row, and journals it done with its new message', async () => {
    const { ctx, ran, replies, replyFor, journal } = recovering();
    const request: JobRequest = { kind: 'imagine', userId: 'pat', prompt: 'a gray heart', n: 1, headline: '**a gray heart**', label: 'imagine: a gray heart' };
    const id = journal(request, 1);
    const done = journal({ kind: 'imagine', userId: 'x', prompt: 'old', n: 1, headline: 'h', label: 'l' });
    ctx.store.journal.done(done, 'm');
    recoverJobs(ctx, replyFor);
    await settle(ctx);
    expect(ran).toEqual([request]);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.shown.map((s) => s.payload.content.split('\n')[1])).toEqual(['🎨 Working on it again after a restart…', expect.stringMatching(/^seed 7 /)]);
    expect(ctx.store.journal.get(id)).toMatchObject({ state: 'done', attempts: 2, resultMessageId: `result-${id}` });
    expect(ctx.store.sqlite.prepare('SELECT COUNT(*) FROM jobs').pluck().get()).toBe(2);
  });

  it('a job keeps its requester’s language across the restart: its statuses and result in French', async () => {
    const { ctx, replies, replyFor, journal } = recovering();
    journal({ kind: 'imagine', userId: 'pat', locale: 'fr', prompt: 'a gray heart', n: 1, headline: '**a gray heart**', label: 'imaginer : a gray heart' }, 1);
    recoverJobs(ctx, replyFor);
    await settle(ctx);
    expect(replies[0]!.shown.map((s) => s.payload.content.split('\n')[1])).toEqual(['🎨 Repris après un redémarrage…', 'graine 7 · V1 ou réagissez 🔁 pour des variations, 🎲 pour une nouvelle graine']);
  });

  it('reads the rows an older version journalled ({ type: "generation", job } and { type: "battle-entry", entry })', async () => {
    const { ctx, ran, replyFor, journal } = recovering();
    const battle = ctx.store.battles.start({ guildId: 'g', channelId: 'c', starterId: 's', theme: 'a red star', maxEntries: null, endsAt: Date.now() + 60_000 })!;
    const reserved = ctx.store.battles.reserveEntry(battle.id, 'pat', 'a big red star');
    if (!reserved.ok) throw new Error();
    journal({ type: 'generation', job: { userId: 'pat', request: { kind: 'vary', image: { embedding: Float32Array.from([1, 0]) }, n: 2 }, headline: 'Variations of image 1', label: 'variations of image 1' } });
    journal({ type: 'battle-entry', entry: { userId: 'pat', battleId: battle.id, entryId: reserved.entryId, prompt: 'a big red star' } }, MAX_ATTEMPTS);
    recoverJobs(ctx, replyFor);
    await settle(ctx);
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatchObject({ kind: 'vary', userId: 'pat', n: 2, headline: 'Variations of image 1', label: 'variations of image 1' });
    expect(Array.from((ran[0] as { image: { embedding: Float32Array } }).image.embedding)).toEqual([1, 0]);
  });

  it('gives up a job interrupted twice: journalled failed, its requester told, a battle entry dropped', async () => {
    const { ctx, ran, replies, replyFor, journal } = recovering();
    const battle = ctx.store.battles.start({ guildId: 'g', channelId: 'c', starterId: 's', theme: 'a red star', maxEntries: null, endsAt: Date.now() + 60_000 })!;
    const reserved = ctx.store.battles.reserveEntry(battle.id, 'pat', 'a big red star');
    if (!reserved.ok) throw new Error();
    const id = journal({ kind: 'battle-entry', userId: 'pat', battleId: battle.id, entryId: reserved.entryId, prompt: 'a big red star', theme: 'a red star', headline: 'h', label: 'l' }, MAX_ATTEMPTS);
    recoverJobs(ctx, replyFor);
    await settle(ctx);
    expect(ran).toEqual([]);
    expect(replies[0]!.shown).toEqual([{ payload: { content: 'Your battle entry "a big red star"\n⚠️ This job was interrupted twice (the bot stopped while drawing it), so it was dropped. Please try again.' }, final: true }]);
    expect(ctx.store.journal.get(id)).toMatchObject({ state: 'failed', error: 'stopped 2 times while running' });
    expect(ctx.store.battles.reserveEntry(battle.id, 'pat', 'another').ok).toBe(true);
  });

  it('a row it cannot read is marked failed and the others still run', async () => {
    const { ctx, ran, replyFor, journal } = recovering();
    const bad = journal({ something: 'else' });
    journal({ kind: 'imagine', userId: 'pat', prompt: 'p', n: 1, headline: 'h', label: 'l' });
    recoverJobs(ctx, replyFor);
    await settle(ctx);
    expect(ctx.store.journal.get(bad)).toMatchObject({ state: 'failed', error: 'could not be recovered' });
    expect(ran.map((r) => r.kind)).toEqual(['imagine']);
    expect(ctx.lines.find((l) => l['msg'] === 'could not recover a job')).toMatchObject({ level: 'error', journal: bad });
  });
});
