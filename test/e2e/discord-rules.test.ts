/** Discord's rules as the bot meets them: rate limits, server errors, dead tokens, deleted messages, mentions. */
import { describe, expect, it } from 'vitest';
import { decodePng, hasResult, mention, startHarness, useHarness } from './harness.ts';

const h = useHarness();

describe('Discord rules', () => {
  it('a 429 with retry_after (on the acknowledgement and on the edit) is waited out and retried', async () => {
    const alice = h.discord.addUser('alice');
    h.discord.rateLimitNext('POST /interactions/:interaction/:token/callback', { retryAfterMs: 400 });
    h.discord.rateLimitNext('PATCH /webhooks/:app/:token/messages/:message', { retryAfterMs: 400, times: 2 });
    const run = h.discord.slash(alice, 'imagine', { prompt: 'a big purple star', count: 1 });
    const result = await run.waitForMessage(hasResult);
    await decodePng(result);
    const limited = h.discord.requests.filter((r) => r.status === 429).map((r) => r.route);
    expect(limited).toEqual([
      'POST /interactions/:interaction/:token/callback',
      'PATCH /webhooks/:app/:token/messages/:message',
      'PATCH /webhooks/:app/:token/messages/:message',
    ]);
    expect(run.record.lateAck).toBe(false);
  });

  it('a 500 from Discord is retried', async () => {
    const alice = h.discord.addUser('alice500');
    h.discord.failNext('PATCH /webhooks/:app/:token/messages/:message', 500);
    const result = await h.discord.slash(alice, 'imagine', { prompt: 'a small orange heart', count: 1 }).waitForMessage(hasResult);
    expect(result.attachments).toHaveLength(1);
    expect(h.discord.requests.some((r) => r.status === 500)).toBe(true);
  });

  it('when the interaction token has expired, the result is posted to the channel mentioning the requester', async () => {
    const bob = h.discord.addUser('bob');
    const run = h.discord.slash(bob, 'imagine', { prompt: 'a big gray square', count: 4 });
    await run.acknowledged();
    h.discord.expireInteractionTokens();
    const posted = await h.discord.waitForMessage((m) => hasResult(m) && m.content.startsWith(mention(bob)));
    expect(posted.interaction_metadata).toBeUndefined();
    expect(h.discord.messageById(posted.id).pings).toEqual({ everyone: false, users: [bob.id], roles: [] });
    expect(await decodePng(posted)).toEqual({ width: 256, height: 256 });
    expect(h.discord.requests.some((r) => r.status === 401 && r.interactionId === run.id)).toBe(true);
    // Its buttons work like any other result's.
    const v1 = h.discord.click(bob, posted, 'gen:v:1');
    await v1.waitForMessage(hasResult);
  });

  it('when the reply was deleted before the result arrived, the result goes to the channel', async () => {
    const carl = h.discord.addUser('carl');
    const run = h.discord.slash(carl, 'imagine', { prompt: 'a small black circle', count: 4 });
    await run.acknowledged();
    h.discord.deleteMessage(run.record.originalMessageId!);
    const posted = await h.discord.waitForMessage((m) => hasResult(m) && m.content.startsWith(mention(carl)));
    expect(posted.content).toContain('a small black circle');
  });

  it('@everyone, @here and mentions in a prompt ping nobody', async () => {
    const dora = h.discord.addUser('dora');
    const victim = h.discord.addUser('victim');
    const prompt = `@everyone @here ${mention(victim)} a red star`;
    const run = h.discord.slash(dora, 'imagine', { prompt, count: 1 });
    const result = await run.waitForMessage(hasResult);
    expect(result.content).toContain('@everyone');
    expect(result.mention_everyone).toBe(false);
    expect(result.mentions).toEqual([]);
    for (const m of run.messages()) expect(h.discord.messageById(m.id).pings).toEqual({ everyone: false, users: [], roles: [] });
    // Nothing the bot ever sent in this channel pinged everyone.
    expect(h.discord.channelMessages().filter((m) => m.mention_everyone)).toEqual([]);
  });

  it('never logs the bot token', () => {
    const text = JSON.stringify(h.logs);
    expect(text).not.toContain(h.discord.token);
    expect(text).not.toMatch(/aW50ZXJhY3Rpb246/); // interaction tokens
  });
});

describe('a bot too slow to acknowledge', () => {
  it('still delivers: Discord answers 10062 Unknown interaction, and the result goes to the channel', async () => {
    // A 1 ms window: every acknowledgement is late, as when the bot's host stalls.
    const slow = await startHarness({ discord: { ackWindowMs: 1 } });
    try {
      const eli = slow.discord.addUser('eli');
      const run = slow.discord.slash(eli, 'imagine', { prompt: 'a small blue star', count: 1 });
      const posted = await slow.discord.waitForMessage((m) => hasResult(m) && m.content.startsWith(mention(eli)));
      expect(posted.content).toContain('a small blue star');
      expect(run.record.lateAck).toBe(true);
      expect(slow.discord.requests.some((r) => (r.response as { code?: number } | undefined)?.code === 10062)).toBe(true);
      slow.discord.assertNoUnhandledRequests();
    } finally {
      await slow.stop();
    }
  });

  it('an interaction Discord dispatches twice runs one job: one acknowledgement, one result (a command, then a button click)', async () => {
    const ann = h.discord.addUser('ann-twice');
    const run = h.discord.slash(ann, 'imagine', { prompt: 'a small red heart', count: 1 });
    h.discord.repeatDispatch(run);
    const result = await run.waitForMessage(hasResult);
    const click = h.discord.click(ann, result, 'gen:again');
    h.discord.repeatDispatch(click);
    await click.waitForMessage(hasResult);
    const ctx = h.bot.ctx;
    await h.discord.waitUntil(() => (ctx.queue.waiting === 0 && !ctx.queue.running && ctx.inflight.size === 0 ? true : null), 30_000, 'the queue to be idle');
    for (const interaction of [run, click]) {
      const acks = h.discord.requests.filter((r) => r.interactionId === interaction.id && r.route === 'POST /interactions/:interaction/:token/callback');
      expect(acks.map((r) => r.status < 300)).toEqual([true]);
    }
    expect(h.discord.channelMessages().filter((m) => hasResult(m) && m.content.includes('a small red heart'))).toHaveLength(2);
    expect(h.logs.filter((l) => l['msg'] === 'interaction dispatched again; already handled').map((l) => l['interaction'])).toEqual([run.id, click.id]);
    expect(h.logs.filter((l) => l['msg'] === 'job queued' && l['user'] === ann.id)).toHaveLength(2);
    expect(h.discord.requests.filter((r) => (r.interactionId === run.id || r.interactionId === click.id) && r.status >= 400)).toEqual([]);
  });
});
