/**
 * Delivery through the outbox, with the real discord.js client against the strict local Discord.
 * The outbox's timings are shortened (retry after 100 ms, fall back to the channel after 1 s of
 * failures instead of 60 s); the logic is the one that runs with Discord-sized timings, and the
 * outage lasts the 10 minutes of the issue (it is still on when the result arrives).
 */
import { describe, expect, it } from 'vitest';
import type { APIMessage } from 'discord-api-types/v10';
import type { RecordedRequest } from '../../src/sandbox/index.ts';
import { hasResult, mention, useDurableHarness } from './harness.ts';

const h = useDurableHarness();
const delivery = { backoffMs: 100, maxBackoffMs: 1000, fallbackAfterMs: 1000, giveUpAfterMs: 10 * 60_000 };
const EDIT_ROUTE = 'PATCH /webhooks/:app/:token/messages/:message';
const POST_ROUTE = 'POST /channels/:channel/messages';

/** The result messages in the channel whose content has `prompt`. */
const resultsFor = (prompt: string) => h.discord.channelMessages().filter((m) => hasResult(m) && m.content.includes(prompt));
/** The request that created a message, as the bot sent it (recorded once its answer is sent). */
const creationOf = (message: APIMessage) => h.discord.waitForRequest((r: RecordedRequest) => r.messageId === message.id && r.action === 'create');

describe('delivery through the outbox', () => {
  it('a result survives 10 minutes of 500s on the edit route: posted once, to the channel, mentioning the requester at creation; the job is done, not failed', async () => {
    const { store } = await h.boot('outage.db', { delivery });
    const ada = h.discord.addUser('ada-o');
    const clear = h.discord.failPersistently(EDIT_ROUTE, { forMs: 10 * 60_000 });
    try {
      const run = h.discord.slash(ada, 'imagine', { prompt: 'a big green heart', count: 1 });
      const posted = await h.discord.waitForMessage((m) => hasResult(m) && m.content.includes('a big green heart'), 120_000);
      // Through the channel, while the outage is still on.
      expect(posted.content.startsWith(`${mention(ada)} `)).toBe(true);
      expect(await creationOf(posted)).toMatchObject({ route: POST_ROUTE, json: { allowed_mentions: { parse: [], users: [ada.id] } } });
      expect(h.discord.messageById(posted.id).pings.users).toEqual([ada.id]);
      expect(h.discord.requests.filter((r) => r.route === EDIT_ROUTE && r.status === 500).length).toBeGreaterThan(3);
      // The deferred reply (its webhook still failing) now points to the result, edited with the bot's token.
      const [status] = run.messages();
      await h.discord.waitUntil(() => (h.discord.messageById(status!.id).message.content.includes('✅ Posted in the channel') ? true : null), 30_000, 'the status to point to the result');
      await h.discord.waitUntil(() => (store.outbox.get(1)?.state === 'delivered' ? true : null), 30_000, 'the delivery to be recorded');
      expect(store.outbox.get(1)).toMatchObject({ state: 'delivered', messageId: posted.id, payload: null });
      expect(store.journal.get(1)).toMatchObject({ state: 'done', resultMessageId: posted.id, error: null });
      expect(store.generations.get(posted.id)).toMatchObject({ ownerId: ada.id, prompt: 'a big green heart' });
    } finally {
      clear();
    }
    // Once: the edit route coming back does not bring a second copy.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(resultsFor('a big green heart')).toHaveLength(1);
    expect(h.discord.requests.some((r) => r.route === EDIT_ROUTE && r.status === 200 && r.files.length > 0)).toBe(false);
    expect(h.discord.channelMessages().some((m) => /model failed/.test(m.content))).toBe(false);
  });

  it('a result Discord would not take before a restart is delivered by the next process, to the channel, mentioning the requester', async () => {
    const first = await h.boot('restart.db', { delivery });
    const bea = h.discord.addUser('bea-o');
    const clearEdits = h.discord.failPersistently(EDIT_ROUTE);
    const clearPosts = h.discord.failPersistently(POST_ROUTE);
    try {
      h.discord.slash(bea, 'imagine', { prompt: 'a small blue square', count: 1 });
      // Failing through the interaction, then through the channel: still pending, the job done.
      await h.discord.waitUntil(() => (h.discord.requests.some((r) => r.route === POST_ROUTE && r.status === 500) ? true : null), 120_000, 'the channel fallback to be tried');
      expect(first.store.outbox.pending()).toMatchObject([{ id: 1, state: 'pending' }]);
      expect(first.store.journal.get(1)).toMatchObject({ state: 'done', attempts: 1 });
      await h.shutdown();
    } finally {
      clearEdits();
      clearPosts();
    }
    expect(resultsFor('a small blue square')).toHaveLength(0);

    const { store } = await h.boot('restart.db', { delivery });
    const posted = await h.discord.waitForMessage((m) => hasResult(m) && m.content.includes('a small blue square'), 60_000);
    expect(posted.content.startsWith(`${mention(bea)} `)).toBe(true);
    expect(await creationOf(posted)).toMatchObject({ route: POST_ROUTE, json: { allowed_mentions: { parse: [], users: [bea.id] } } });
    await h.discord.waitUntil(() => (store.outbox.get(1)?.state === 'delivered' ? true : null), 30_000, 'the delivery to be recorded');
    // Not run again: one attempt of the model, the result of the first process.
    expect(store.journal.get(1)).toMatchObject({ state: 'done', attempts: 1, resultMessageId: posted.id });
    expect(resultsFor('a small blue square')).toHaveLength(1);
  });
});
