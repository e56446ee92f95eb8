/**
 * The bot under Discord's rate limits (the local Discord's per-route buckets and global limit, on
 * here): discord.js's REST queue reads the X-RateLimit-* headers, so a queue of jobs with progress
 * edits and reactions gets every result out without running into 429s, and each message is edited
 * a bounded number of times.
 */
import { describe, expect, it } from 'vitest';
import { hasResult, useHarness } from './harness.ts';

const h = useHarness({ env: { UNCLIP_STEPS: '12' }, discord: { rateLimits: true } });

describe('the bot under Discord\'s rate limits', () => {
  it('a queue of six /imagine jobs: every result posted, ≤ 10 edits per message, no 429 storm', async () => {
    const users = ['ria', 'sam', 'tia', 'uma', 'vic', 'wes'].map((name) => h.discord.addUser(name));
    const runs = users.map((user, i) => h.discord.slash(user, 'imagine', { prompt: `a big red star ${i}`, count: i === 0 ? 4 : 1 }));
    const results = await Promise.all(runs.map((r) => r.waitForMessage(hasResult, 180_000)));
    expect(results).toHaveLength(6);
    const reactions = await h.discord.waitUntil(() => (results.every((m) => (h.discord.messageById(m.id).reactions.size ?? 0) > 0) ? true : null), 60_000, 'the reactions on every result');
    expect(reactions).toBe(true);

    const edits = [...h.discord.editCounts().values()];
    expect(Math.max(...edits)).toBeLessThanOrEqual(10);
    // discord.js learns a bucket from its first answer; until then it may meet one 429 per bucket
    // (Discord does the same). More than that would be the bot ignoring the headers.
    const limited = h.discord.rateLimited();
    const perBucket = new Map<string, number>();
    for (const r of limited) perBucket.set(r.route!, (perBucket.get(r.route!) ?? 0) + 1);
    expect([...perBucket.values()].every((n) => n <= 2)).toBe(true);
    expect(limited.length).toBeLessThanOrEqual(4);
  });
});
