/**
 * Messages within Discord's limits on a strict local Discord (limits refused with 50035, rate limits
 * on): a battle of 25 entries with 300-character prompts shows its status and posts its results
 * (each would be several thousand characters written out in full), and text people typed is echoed
 * without its control and bidi-override characters.
 */
import { describe, expect, it } from 'vitest';
import type { APIMessage, APIUser } from 'discord-api-types/v10';
import { hasResult, isEphemeral, useHarness } from './harness.ts';

const h = useHarness({ discord: { rateLimits: true } });

// 300 characters in few words: the bundled pack's CLIP reads at most 32 tokens (a word each).
const prompt300 = (i: number) => `a big red star ${i} on a blue background`.padEnd(300, ' starrybackgroundsky').slice(0, 300);

describe('messages within Discord\'s limits', () => {
  it('a battle of 25 entries with 300-character prompts shows its status and posts its results', async () => {
    const host = h.discord.addUser('host');
    const players = Array.from({ length: 25 }, (_, i) => h.discord.addUser(`player${i}`));
    await h.discord.slash(host, 'battle start', { theme: `a red star ${'on a blue background '.repeat(9)}`.slice(0, 200), minutes: 30 }).waitForMessage();
    const entries = players.map((p, i) => h.discord.slash(p, 'battle enter', { prompt: prompt300(i) }));
    const isEntryOf = (user: APIUser) => (m: APIMessage) => m.content.includes(`Entry by <@${user.id}>`) && m.attachments.length > 0;
    await Promise.all(players.map((p) => h.discord.waitForMessage(isEntryOf(p), 300_000)));
    expect(entries).toHaveLength(25);

    // An entry's message is posted a moment before the store counts it: ask until all 25 are in.
    let status = await h.discord.slash(host, 'battle status').waitForEphemeral();
    for (let tries = 0; status.content.includes('being drawn') && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = await h.discord.slash(host, 'battle status').waitForEphemeral();
    }
    expect(status.content.length).toBeLessThanOrEqual(2000);
    expect(status.content).toContain('25 entries');
    expect(status.content).toMatch(/\n…and \d+ more\n/);
    expect(status.content).toMatch(/You have not voted yet\.$/);
    const shown = status.content.split('\n').filter((l) => /^(🥇|🥈|🥉|\d+\.) <@\d+>/.test(l));
    const more = Number(/…and (\d+) more/.exec(status.content)![1]);
    expect(shown.length + more).toBe(25);

    const end = await h.discord.slash(host, 'battle end').waitForEphemeral();
    expect(end.content).toContain('the results are posted in the channel');
    const results = await h.discord.waitForMessage((m) => m.content.startsWith('🏆 **Results**'), 60_000);
    expect(results.content.length).toBeLessThanOrEqual(2000);
    expect(results.content).toMatch(/\n…and \d+ more\nRanked by votes/);
    expect(results.attachments.map((a) => a.filename)).toEqual(['podium.png']);
    expect(h.discord.requests.filter((r) => r.status === 400)).toEqual([]);
  }, 300_000); // 25 model runs

  it('echoes a prompt without NUL, control characters or right-to-left overrides', async () => {
    const zed = h.discord.addUser('zed');
    const run = h.discord.slash(zed, 'imagine', { prompt: 'a big red \u202Eratsa\u202C star\u0000 on\u0007 blue\u2066', count: 1 });
    const result = await run.waitForMessage(hasResult, 120_000);
    expect(isEphemeral(result)).toBe(false);
    expect(result.content).toContain('a big red ratsa star on blue');
    expect(result.content).not.toMatch(/[\u0000-\u0008\u202A-\u202E\u2066-\u2069]/);
  });
});
