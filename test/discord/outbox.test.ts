/**
 * The outbox on its own: a real queue, a real in-memory store, replies whose sends fail as the test
 * says (Discord's 5xx as discord.js throws them after its own retries, 4xx answers). Timings are
 * shortened (backoff 5 ms, fallback after 20 ms, give up after 200 ms); the logic is the one that
 * runs with Discord-sized ones.
 */
import { describe, expect, it } from 'vitest';
import { DiscordAPIError, HTTPError, type Message } from 'discord.js';
import { submit } from '../../src/discord/jobs.ts';
import { isRetryable, resumeDeliveries, type OutboxPayload } from '../../src/discord/outbox.ts';
import type { ReplyPayload } from '../../src/discord/replies.ts';
import type { JobRequest } from '../../src/discord/request.ts';
import { imagesResult, RecordingReply, settle, testContext } from './fakes.ts';

const http500 = () => new HTTPError(500, 'Internal Server Error', 'PATCH', '/webhooks/1/t/messages/@original', {});
const refused = () => new DiscordAPIError({ code: 50013, message: 'Missing Permissions' }, 50013, 403, 'POST', '/channels/1/messages', {});

/** A reply whose sends through the interaction fail with `interactionErrors()` until it falls back, then with `channelErrors()` (null: it works). */
class FlakyReply extends RecordingReply {
  viaChannel = false;
  attempts = { interaction: 0, channel: 0 };
  superseded: { messageId: string; text: string }[] = [];
  constructor(
    private readonly interactionError: () => Error | null,
    private readonly channelError: () => Error | null = () => null,
  ) {
    super('u', 'status-1', 'i-1');
  }
  protected override async send(payload: ReplyPayload, final: boolean): Promise<Message | null> {
    if (!final) return super.send(payload, final);
    const error = this.viaChannel ? (this.attempts.channel++, this.channelError()) : (this.attempts.interaction++, this.interactionError());
    if (error) throw error;
    this.shown.push({ payload, final });
    const id = this.viaChannel ? 'posted-1' : 'status-1';
    return { id, url: `https://discord.com/channels/g/channel/${id}`, react: async () => {} } as unknown as Message;
  }
  override fallBackToChannel(): boolean {
    if (this.viaChannel) return false;
    this.viaChannel = true;
    return true;
  }
  override async supersede(messageId: string, text: string): Promise<void> {
    this.superseded.push({ messageId, text });
  }
  override async targetMessageId(): Promise<string | null> {
    return this.viaChannel ? null : 'status-1';
  }
}

const imagine: JobRequest = { kind: 'imagine', userId: 'u', prompt: 'a red star', n: 1, headline: '**a red star**', label: 'imagine: a red star' };

describe('the outbox', () => {
  it('stores the result and journals the job done before the first attempt; retries 5xx, then falls back to the channel and points the status there', async () => {
    const ctx = testContext(async () => imagesResult(1, 5), { delivery: { backoffMs: 5, fallbackAfterMs: 300, giveUpAfterMs: 60_000 } });
    let stored: unknown = null;
    const reply = new FlakyReply(() => {
      stored ??= { outbox: ctx.store.outbox.pending(), jobs: ctx.store.sqlite.prepare('SELECT state FROM jobs').all() };
      return http500();
    });
    submit(ctx, reply, imagine);
    await settle(ctx);
    // Before anything was sent: the result in the outbox, the job done (its model run succeeded).
    expect(stored).toMatchObject({ outbox: [{ jobId: 1, state: 'pending', userId: 'u', payload: { request: imagine, result: { kind: 'images', seed: 5 } } }], jobs: [{ state: 'done' }] });
    expect(reply.attempts.interaction).toBeGreaterThanOrEqual(2);
    expect(reply.attempts.channel).toBe(1);
    expect(reply.shown.filter((s) => s.final)).toHaveLength(1);
    expect(reply.last).toContain('seed 5');
    expect(ctx.store.journal.get(1)).toMatchObject({ state: 'done', resultMessageId: 'posted-1' });
    expect(ctx.store.outbox.get(1)).toMatchObject({ state: 'delivered', messageId: 'posted-1', payload: null, attempts: reply.attempts.interaction });
    expect(ctx.store.generations.get('posted-1')).toMatchObject({ ownerId: 'u', seed: 5 });
    expect(reply.superseded).toEqual([{ messageId: 'status-1', text: '**a red star**\n✅ Posted in the channel: https://discord.com/channels/g/channel/posted-1' }]);
    expect(reply.errors).toEqual([]);
  });

  it('a 4xx from the interaction falls back at once; a 4xx from the channel too gives up at once and tells the requester; never "the model failed"', async () => {
    const ctx = testContext(async () => imagesResult(1));
    const reply = new FlakyReply(refused, refused);
    submit(ctx, reply, imagine);
    await settle(ctx);
    expect(reply.attempts).toEqual({ interaction: 1, channel: 1 });
    expect(reply.errors).toEqual(['**a red star**\n⚠️ Your result is ready, but Discord refused to show it (Missing Permissions). Please try again.']);
    expect(ctx.store.outbox.get(1)).toMatchObject({ state: 'given-up', payload: null });
    expect(ctx.store.journal.get(1)).toMatchObject({ state: 'done', error: null });
    expect(reply.shown.map((s) => s.payload.content).join()).not.toMatch(/model failed/);
  });

  it('gives up only after giveUpAfterMs of failures, telling the requester how long it tried', async () => {
    const ctx = testContext(async () => imagesResult(1), { delivery: { backoffMs: 5, maxBackoffMs: 20, fallbackAfterMs: 20, giveUpAfterMs: 150 } });
    const reply = new FlakyReply(http500, http500);
    const started = Date.now();
    submit(ctx, reply, imagine);
    await settle(ctx);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(reply.attempts.channel).toBeGreaterThanOrEqual(2);
    expect(reply.errors).toEqual(['**a red star**\n⚠️ Your result was ready, but Discord kept failing to show it for 1 second, so it was dropped. Please try again.']);
    expect(ctx.store.outbox.get(1)).toMatchObject({ state: 'given-up', lastError: 'Internal Server Error' });
    expect(ctx.store.journal.get(1)?.state).toBe('done');
  });

  it('a stop leaves a delivery that is waiting to retry pending; the next start delivers it', async () => {
    const ctx = testContext(async () => imagesResult(1, 11), { delivery: { backoffMs: 60_000 } });
    const reply = new FlakyReply(http500, http500);
    submit(ctx, reply, imagine);
    await new Promise((resolve) => setTimeout(resolve, 50));
    ctx.deliveries.stop();
    await settle(ctx);
    const [pending] = ctx.store.outbox.pending<OutboxPayload>();
    expect(pending).toMatchObject({ id: 1, state: 'pending', attempts: 1, statusMessageId: 'status-1' });

    // The next process: same store, its own timings.
    const next = testContext(async () => imagesResult(1));
    Object.assign(next, { store: ctx.store });
    const again = new RecordingReply('u', 'new-post');
    resumeDeliveries(next, () => again);
    await settle(next);
    expect(again.shown).toHaveLength(1);
    expect(again.last).toContain('seed 11');
    expect(ctx.store.outbox.get(1)).toMatchObject({ state: 'delivered', messageId: 'new-post' });
    expect(ctx.store.journal.get(1)).toMatchObject({ state: 'done', resultMessageId: 'new-post' });
    expect(ctx.store.generations.get('new-post')).toMatchObject({ seed: 11 });
  });

  it('knows what is worth retrying', () => {
    expect(isRetryable(http500())).toBe(true);
    expect(isRetryable(new DiscordAPIError({ code: 0, message: 'x' }, 0, 429, 'PATCH', '/', {}))).toBe(true);
    expect(isRetryable(new DiscordAPIError({ code: 0, message: 'x' }, 0, 502, 'PATCH', '/', {}))).toBe(true);
    expect(isRetryable(Object.assign(new Error('fetch failed'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(refused())).toBe(false);
  });
});
