/**
 * A job for a pack no worker has waits and says so, through the local Discord: the bot on Redis with
 * two gateway shards (two guilds, one on each, sharing the one Redis queue), no worker running; each
 * person's status says that no worker has the pack; a worker process with that pack starts, and both
 * jobs run on it and are posted once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Locale, type APIMessage } from 'discord-api-types/v10';
import { deployCommands } from '../../src/discord/deploy.ts';
import { LocalDiscordDriver, shardOf } from '../../src/sandbox/index.ts';
import { Store } from '../../src/store/index.ts';
import { hasResult } from '../e2e/harness.ts';
import { startRedisBot, WorkerProcess } from './cluster.ts';
import { hasRedis, RedisServer } from './redis-server.ts';

const WAITING = 'Waiting for a worker that has the pack shapes-v1 — none is running right now.';
const WAITING_FR = 'En attente d’un worker qui a le pack shapes-v1 : aucun ne tourne en ce moment.';

describe.skipIf(!hasRedis)('a job for a pack no worker has', () => {
  let redis: RedisServer;
  let discord: LocalDiscordDriver;
  let store: Store;
  let bot: Awaited<ReturnType<typeof startRedisBot>> | null = null;
  let worker: WorkerProcess | null = null;

  beforeAll(async () => {
    redis = await RedisServer.start();
    discord = await LocalDiscordDriver.start({ sharding: { guildsPerShard: 1, maxGuildsPerShard: 1, maxConcurrency: 2 } });
    await deployCommands({ token: discord.token, restUrl: discord.apiUrl });
    store = Store.open(':memory:');
  }, 60_000);

  afterAll(async () => {
    await bot?.bot.stop();
    store?.close();
    if (worker?.child.exitCode === null) await worker.kill('SIGTERM');
    await discord?.stop();
    await redis?.destroy();
  });

  it('waits, says so, and runs once a worker with that pack starts; two shards share the one queue', async () => {
    const second = discord.addGuild('Second', { onShard: [1 - shardOf(discord.guildId, 2), 2] });
    bot = await startRedisBot(discord, redis.url, store, { UNCLIP_SHARDS: 'auto' });
    expect(bot.bot.client.ws.shards.size).toBe(2);
    const ann = discord.addUser('ann');
    const ben = discord.addUser('ben');
    const here = discord.slash(ann, 'imagine', { prompt: 'a big red star', count: 1 });
    const there = discord.slash(ben, 'imagine', { prompt: 'a small green heart', count: 1 }, { channelId: second.channelId });
    const held = await Promise.all([here, there].map((run) => run.waitForMessage((m) => m.content.includes(WAITING))));
    expect(held.map((m) => m.content.split('\n')[1]).sort()).toEqual([`⏳ Queued: position 1. ${WAITING}`, `⏳ Queued: position 2. ${WAITING}`]);
    expect(bot.logs.filter((l) => l['msg'] === 'no live worker has the pack: jobs wait for one')).toHaveLength(1);
    // The two arrive on two shards, in either order.
    expect((await discord.slash(ben, 'queue', {}, { channelId: second.channelId }).waitForEphemeral()).content).toMatch(new RegExp(`• imagine: a small green heart: position [12]\\. ${WAITING}`));
    // Ben switches his Discord to French: /queue answers in it, the hold too (his job's status keeps the language he asked in).
    discord.setLocale(ben, Locale.French);
    expect((await discord.slash(ben, 'queue', {}, { channelId: second.channelId }).waitForEphemeral()).content).toMatch(new RegExp(`• imagine: a small green heart — position [12]\\. ${WAITING_FR}`));

    worker = await WorkerProcess.start('w1', redis.url);
    const [a, b] = await Promise.all([here.waitForMessage(hasResult, 120_000), there.waitForMessage(hasResult, 120_000)]);
    expect(a!.channel_id).toBe(discord.channelId);
    expect(b!.channel_id).toBe(second.channelId);
    expect(a!.content).not.toContain(WAITING);
    expect(worker.started()).toHaveLength(2);
    expect(new Set(worker.started()).size).toBe(2);
    const results = (channelId: string, text: string) => discord.channelMessages(channelId).filter((m: APIMessage) => hasResult(m) && m.content.includes(text));
    expect(results(discord.channelId, 'a big red star')).toHaveLength(1);
    expect(results(second.channelId, 'a small green heart')).toHaveLength(1);
    discord.assertNoUnhandledRequests();
  }, 180_000);
});
