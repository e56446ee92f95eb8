/**
 * UNCLIP_SHARDS end to end: a local Discord that requires sharding (one guild per connection at most,
 * two guilds, one on each shard), the real bot with two gateway shards in its one discord.js client.
 * A command in each guild reaches the bot on that guild's shard only and is answered; after a restart
 * the journal's job and the battles' deadline timers are taken up once, not once per shard. Without
 * UNCLIP_SHARDS the bot cannot connect, and says what to set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayDispatchEvents, type APIMessage } from 'discord-api-types/v10';
import { Bot } from '../../src/discord/bot.ts';
import { loadConfig } from '../../src/discord/config.ts';
import { deployCommands } from '../../src/discord/deploy.ts';
import { createLogger } from '../../src/discord/logger.ts';
import { LocalDiscordDriver, shardOf } from '../../src/sandbox/index.ts';
import { Store } from '../../src/store/index.ts';
import { hasResult, mention, sandboxEnv, sharedEngine, startBot, type BotOptions } from './harness.ts';

let discord: LocalDiscordDriver;
let dir: string;
let first: { guildId: string; channelId: string };
let second: { guildId: string; channelId: string };
const running: { bot: Bot; store: Store }[] = [];

async function boot(opts: Omit<BotOptions, 'store'> = {}) {
  const store = Store.open(join(dir, 'bot.db'));
  const { bot, logs } = await startBot(discord, { ...opts, store, env: { UNCLIP_SHARDS: 'auto', ...opts.env } });
  running.push({ bot, store });
  return { bot, store, logs };
}

async function shutdown(): Promise<void> {
  const last = running.pop()!;
  await last.bot.stop();
  last.store.close();
}

const commandLogs = (logs: Record<string, unknown>[]) => logs.filter((l) => l['msg'] === 'command');
const resultsIn = (channelId: string, text: string) => discord.channelMessages(channelId).filter((m: APIMessage) => hasResult(m) && m.content.includes(text));
const battleResultsIn = (channelId: string) => discord.channelMessages(channelId).filter((m) => m.content.includes('**Results**'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'unclip-shards-'));
  // Discord's rule, scaled down: at most one guild per connection, one shard recommended per guild.
  discord = await LocalDiscordDriver.start({ sharding: { guildsPerShard: 1, maxGuildsPerShard: 1, maxConcurrency: 2 } });
  first = { guildId: discord.guildId, channelId: discord.channelId };
  second = discord.addGuild('Second', { onShard: [1 - shardOf(first.guildId, 2), 2] });
  await deployCommands({ token: discord.token, restUrl: discord.apiUrl });
  await sharedEngine();
}, 120_000);

afterEach(async () => {
  while (running.length) await shutdown();
  discord.assertNoUnhandledRequests();
});

afterAll(async () => {
  await discord?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a sharded gateway (UNCLIP_SHARDS)', () => {
  it('without UNCLIP_SHARDS the bot is refused (4011 Sharding required) and says to set it', async () => {
    const config = loadConfig(sandboxEnv(discord));
    const bot = await Bot.create({ config, engine: await sharedEngine(), log: createLogger({ level: 'error', secrets: [discord.token], write: () => {} }) });
    await expect(bot.start()).rejects.toThrow(/Sharding is required.*set UNCLIP_SHARDS=auto/);
    await bot.stop();
  });

  it("two shards: each guild's command reaches its own shard and is answered; after a restart the journal and the battle timers run once", async () => {
    const alice = discord.addUser('alice');
    const bob = discord.addUser('bob');
    const host = discord.addUser('host');
    // Long jobs in the first process, so that one is still waiting when it stops.
    const one = await boot({ env: { UNCLIP_STEPS: '20' } });
    expect(one.bot.client.ws.shards.size).toBe(2);
    expect(one.logs.find((l) => l['msg'] === 'connected to Discord')).toMatchObject({ shards: 2, guilds: 2 });
    expect(one.logs.filter((l) => l['msg'] === 'shard ready').map((l) => [l['shard'], l['guilds']]).sort()).toEqual([[0, 1], [1, 1]]);

    for (const where of [first, second]) await discord.slash(host, 'battle start', { theme: 'a red star', minutes: 1 }, { channelId: where.channelId }).waitForMessage();
    const ran = discord.slash(alice, 'imagine', { prompt: 'a big red star', count: 1 });
    const waits = discord.slash(bob, 'imagine', { prompt: 'a small blue heart', count: 1 }, { channelId: second.channelId });
    await waits.waitForMessage((m) => m.content.includes('Queued: position 1'));

    // Each interaction went to the session of its guild's shard only, and the bot saw it there.
    const shardsThatGot = (id: string) => discord.gateway.shardsThatGot((t, d) => t === GatewayDispatchEvents.InteractionCreate && (d as { id: string }).id === id);
    expect(shardsThatGot(ran.record.id)).toEqual([[shardOf(first.guildId, 2), 2]]);
    expect(shardsThatGot(waits.record.id)).toEqual([[shardOf(second.guildId, 2), 2]]);
    const seen = commandLogs(one.logs).filter((l) => l['command'] === 'imagine');
    expect(seen.map((l) => [l['guild'], l['shard']])).toEqual([
      [first.guildId, shardOf(first.guildId, 2)],
      [second.guildId, shardOf(second.guildId, 2)],
    ]);

    // Stopped while bob's job waits: it stays journalled; alice's finishes and is posted.
    await shutdown();
    expect(resultsIn(first.channelId, 'a big red star')).toHaveLength(1);
    expect(resultsIn(second.channelId, 'a small blue heart')).toHaveLength(0);

    // 58 s later by the bot's clock: both battles still open; their timers rebuilt once each.
    const two = await boot({ now: () => Date.now() + 58_000 });
    expect(two.bot.client.ws.shards.size).toBe(2);
    expect(two.bot.ctx.battleTimers.size).toBe(2);
    expect(two.logs.filter((l) => l['msg'] === 'battle timers rebuilt')).toEqual([expect.objectContaining({ battles: 2 })]);
    expect(two.logs.filter((l) => l['msg'] === 'recovering unfinished jobs')).toEqual([expect.objectContaining({ jobs: 1 })]);
    const recovered = await discord.waitForMessage((m) => m.channel_id === second.channelId && hasResult(m) && m.content.includes('a small blue heart'), 60_000);
    expect(recovered.content).toContain(mention(bob));
    for (const where of [first, second]) {
      await discord.waitForMessage((m) => m.channel_id === where.channelId && m.content.includes('**Results**'), 30_000);
    }
    await discord.waitUntil(() => (two.store.journal.unfinished().length === 0 ? true : null), 30_000, 'the journal to be done');
    await discord.waitUntil(() => (two.store.battles.inState('announced').length === 2 ? true : null), 30_000, 'both battles announced');
    expect(resultsIn(second.channelId, 'a small blue heart')).toHaveLength(1);
    for (const where of [first, second]) expect(battleResultsIn(where.channelId)).toHaveLength(1);
  });
});
