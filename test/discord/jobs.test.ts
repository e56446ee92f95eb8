/** submit's outcomes, with a reply that records what a person would see (no Discord needed here): a real queue, a real in-memory journal. */
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/engine/index.ts';
import { submit } from '../../src/discord/jobs.ts';
import type { JobRequest, JobResult } from '../../src/discord/request.ts';
import { classifyJob, imagesResult, RecordingReply, settle, testContext } from './fakes.ts';

/** A processor that does what the request's headline says. */
const scripted = (bodies: Record<string, () => Promise<JobResult>>) => async (job: { data: JobRequest }) => bodies[job.data.headline]!();
const scores = async (): Promise<JobResult> => ({ kind: 'scores', scores: [{ label: 'the result', score: 0.9 }, { label: 'other', score: 0.1 }] });

describe('submit', () => {
  it('a model error fails that job with a message, and the next job still runs', async () => {
    const ctx = testContext(scripted({ broken: async () => { throw new Error('onnxruntime: invalid dimensions'); }, fine: scores }));
    const broken = new RecordingReply('a');
    const fine = new RecordingReply('b');
    submit(ctx, broken, classifyJob('u', 'broken'));
    submit(ctx, fine, classifyJob('u', 'fine'));
    await settle(ctx);
    expect(broken.last).toBe('broken\n⚠️ The model failed on this one. Nothing else is affected; please try again.');
    expect(broken.last).not.toContain('onnxruntime');
    expect(fine.shown.at(-1)?.payload.embeds?.[0]).toMatchObject({ data: { title: 'Most likely: the result' } });
  });

  it('a user error goes to userError; a timeout says so; a refusal never acknowledges', async () => {
    const ctx = testContext(scripted({ bad: async () => { throw new UserInputError('The image is corrupt.'); }, slow: () => new Promise(() => {}), x: scores }), { jobTimeoutMs: 100, perUser: 1, abortGraceMs: 50 });
    const bad = new RecordingReply('a');
    submit(ctx, bad, classifyJob('a', 'bad'));
    await settle(ctx);
    expect(bad.errors).toEqual(['The image is corrupt.']);

    const slow = new RecordingReply('b');
    submit(ctx, slow, classifyJob('b', 'slow'));
    const refused = new RecordingReply('b');
    const ok = submit(ctx, refused, classifyJob('b', 'x'));
    expect(ok).toBe(false);
    expect(refused.begun).toBe(0);
    await settle(ctx);
    expect(refused.errors[0]).toMatch(/already have 1 job waiting/);
    expect(slow.last).toMatch(/longer than 0 s and was stopped/);
  });

  it('shows the position with a Cancel button while waiting, and a cancelled job says so', async () => {
    let release!: () => void;
    const ctx = testContext(scripted({ first: () => new Promise((resolve) => (release = () => void resolve(imagesResult(1)))), second: scores }), { jobTimeoutMs: 10_000 });
    const first = new RecordingReply('a');
    const second = new RecordingReply('b');
    submit(ctx, first, { kind: 'imagine', userId: 'a', prompt: 'p', n: 1, headline: 'first', label: 'x' });
    submit(ctx, second, classifyJob('b', 'second'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(second.begun).toBe(1);
    expect(second.last).toBe('second\n⏳ Queued: position 1.');
    const cancelButton = (second.shown.at(-1)!.payload.components![0] as unknown as { components: { data: { custom_id: string } }[] }).components[0]!.data.custom_id;
    expect(cancelButton).toMatch(/^job:cancel:\d+$/);
    expect(ctx.queue.cancel(cancelButton.split(':')[2]!, 'b')).toBe('cancelled');
    release();
    await settle(ctx);
    expect(second.last).toBe('second\n✖️ Cancelled.');
    expect(first.last).toContain('first\nseed 7');
  });

  it('journals a generation: queued with the request itself, running, then done with the message it is in', async () => {
    const ctx = testContext(scripted({ H: async () => imagesResult(4, 9) }));
    const reply = new RecordingReply('u', 'm-1');
    const request: JobRequest = { kind: 'imagine', userId: 'u', prompt: 'a red star', n: 4, seed: 9, headline: 'H', label: 'imagine: a red star' };
    submit(ctx, reply, request);
    const [row] = ctx.store.journal.unfinished();
    expect(row).toMatchObject({ userId: 'u', channelId: 'channel', guildId: 'guild', payload: request });
    await settle(ctx);
    expect(ctx.store.journal.get(row!.id)).toMatchObject({ state: 'done', attempts: 1, resultMessageId: 'm-1' });
    expect(ctx.store.generations.get('m-1')).toMatchObject({ ownerId: 'u', kind: 'imagine', prompt: 'a red star', seed: 9 });
  });

  it('a battle entry that fails is journalled failed and dropped, so its author may enter again; a classification is not journalled', async () => {
    const ctx = testContext(scripted({ entry: async () => { throw new UserInputError('The battle closed before your entry could be drawn.'); }, c: scores }));
    const battle = ctx.store.battles.start({ guildId: 'g', channelId: 'channel', starterId: 's', theme: 'a red star', maxEntries: null, endsAt: Date.now() + 60_000 })!;
    const reserved = ctx.store.battles.reserveEntry(battle.id, 'u', 'a big red star');
    if (!reserved.ok) throw new Error(reserved.reason);
    const reply = new RecordingReply('u');
    submit(ctx, reply, { kind: 'battle-entry', userId: 'u', battleId: battle.id, entryId: reserved.entryId, prompt: 'a big red star', theme: 'a red star', headline: 'entry', label: 'x' });
    submit(ctx, new RecordingReply('v'), classifyJob('v', 'c'));
    await settle(ctx);
    expect(reply.errors).toEqual(['The battle closed before your entry could be drawn.']);
    expect(ctx.store.sqlite.prepare('SELECT state, error FROM jobs').all()).toEqual([{ state: 'failed', error: 'The battle closed before your entry could be drawn.' }]);
    expect(ctx.store.battles.reserveEntry(battle.id, 'u', 'again').ok).toBe(true);
  });

  it('one job per interaction: a second submit for an interaction that has its job starts nothing; the message shown is journalled', async () => {
    const ran: string[] = [];
    const ctx = testContext(async (job) => (ran.push(job.data.headline), imagesResult(1)));
    const request: JobRequest = { kind: 'imagine', userId: 'u', prompt: 'p', n: 1, headline: 'H', label: 'l' };
    const first = new RecordingReply('u', 'status-1', 'interaction-1');
    expect(submit(ctx, first, request)).toBe(true);
    const repeat = new RecordingReply('u', 'status-2', 'interaction-1');
    expect(submit(ctx, repeat, request)).toBe(false);
    expect(repeat.begun + repeat.shown.length + repeat.errors.length).toBe(0);
    await settle(ctx);
    expect(ran).toEqual(['H']);
    const rows = ctx.store.sqlite.prepare('SELECT interaction_id AS interaction, status_message_id AS status, state FROM jobs').all();
    expect(rows).toEqual([{ interaction: 'interaction-1', status: 'status-1', state: 'done' }]);
    expect(submit(ctx, new RecordingReply('u', null, 'interaction-2'), request)).toBe(true);
    await settle(ctx);
    expect(ran).toEqual(['H', 'H']);
  });
});
