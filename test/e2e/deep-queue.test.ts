/**
 * Status edits that scale: 180 /imagine jobs waiting at once (60 people, 3 each, in 6 channels),
 * on the strict local Discord with Discord's rate limits on, through the real discord.js client and
 * the real engine. Time runs twice as fast as in production on both sides: position edits at most
 * every 5 s (10 s in production) and each job 0.25 s (1 prior and 1 decoder step, held to at least
 * 0.25 s; the bundled pack's 25 steps take about 0.5 s), so the queue drains in under a minute.
 * Every job's message is edited at most 10 times (unpaced, the last jobs' messages got dozens), the
 * buckets answer few 429s, and the bot keeps working. The edits per job are printed (a bench figure).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/index.ts';
import type { Bot } from '../../src/discord/bot.ts';
import { deployCommands } from '../../src/discord/deploy.ts';
import { LocalDiscordDriver, type TestInteraction } from '../../src/sandbox/index.ts';
import { hasResult, sharedEngine, startBot } from './harness.ts';

/** The real engine, each imagine taking at least `ms` (a model of the production speed, at this test's time scale). */
function atLeast(engine: Engine, ms: number): Engine {
  return new Proxy(engine, {
    get(target, key) {
      if (key === 'imagine') return async (...args: Parameters<Engine['imagine']>) => (await Promise.all([target.imagine(...args), sleep(ms)]))[0];
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const COLOURS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown', 'white', 'gray', 'black'];
const SHAPES = ['circle', 'square', 'triangle', 'star', 'heart'];

let discord: LocalDiscordDriver;
let bot: Bot;
let logs: Record<string, unknown>[];
let channels: string[];

beforeAll(async () => {
  discord = await LocalDiscordDriver.start({ rateLimits: true });
  // Channels exist before the bot connects (they come in its GUILD_CREATE).
  channels = [discord.channelId, ...Array.from({ length: 5 }, (_, i) => discord.world.addChannel(discord.guildId, `queue-${i}`).id)];
  await deployCommands({ token: discord.token, restUrl: discord.apiUrl, guildId: discord.guildId });
  ({ bot, logs } = await startBot(discord, {
    env: { UNCLIP_QUEUE_GLOBAL: '200', UNCLIP_QUEUE_PER_USER: '3', UNCLIP_STEPS: '1', UNCLIP_PRIOR_STEPS: '1' },
    engine: atLeast(await sharedEngine(), 250),
    positionIntervalMs: 5000,
  }));
});

afterAll(async () => {
  await bot?.stop();
  await discord?.stop();
});

describe('180 jobs waiting', () => {
  it('each job’s message is edited at most 10 times, with few 429s, and every result is posted', async () => {
    const users = Array.from({ length: 60 }, (_, i) => discord.addUser(`deep-${i}`));
    const runs: TestInteraction[] = [];
    for (let i = 0; i < 180; i++) {
      const prompt = `a ${i % 2 ? 'big' : 'small'} ${COLOURS[i % COLOURS.length]} ${SHAPES[Math.floor(i / COLOURS.length) % SHAPES.length]}`;
      runs.push(discord.slash(users[i % users.length]!, 'imagine', { prompt, count: 1 }, { channelId: channels[i % channels.length]! }));
      // In bursts of 30 (as people type): each acknowledged within Discord's 3 s.
      if (i % 30 === 29) await Promise.all(runs.slice(-30).map((r) => r.acknowledged()));
    }
    expect(bot.ctx.queue.waiting).toBeGreaterThanOrEqual(150);
    const results = await Promise.all(runs.map((r) => r.waitForMessage(hasResult, 400_000)));
    expect(results).toHaveLength(180);
    expect(new Set(results.map((m) => m.id)).size).toBe(180);

    const edits = results.map((m) => discord.editsOf(m.id));
    const mean = edits.reduce((a, b) => a + b, 0) / edits.length;
    const limited = discord.rateLimited();
    console.info(`180 queued jobs: edits per job mean ${mean.toFixed(2)}, max ${Math.max(...edits)}; 429s from the buckets: ${limited.length}`);
    expect(Math.max(...edits)).toBeLessThanOrEqual(10);
    // discord.js learns each bucket from its first answers; a bucket (route and channel or token)
    // may meet a 429 or two before that, never a storm.
    const perBucket = new Map<string, number>();
    for (const r of limited) {
      const bucket = `${r.route} ${r.path.split('/').slice(0, 4).join('/')}`; // the route and its channel or webhook token
      perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + 1);
    }
    expect([...perBucket.values()].every((n) => n <= 2)).toBe(true);
    expect(limited.length).toBeLessThanOrEqual(2 * channels.length);
    // Nothing crashed: no error logged, and the bot still answers.
    expect(logs.filter((l) => l['level'] === 'error')).toEqual([]);
    const after = discord.slash(users[0]!, 'queue');
    expect(await after.acknowledged()).toBeTruthy();
  });
});
