/**
 * The local Discord shards as Discord does: IDENTIFY's `shard: [id, count]` is checked (4010 Invalid
 * shard), a session that would hold too many guilds is refused (4011 Sharding required), each guild's
 * events reach only the session of shard (guild_id >> 22) % count, and GET /gateway/bot recommends a
 * shard count; discord.js's `shards: 'auto'` follows it. IDENTIFYs are limited per bucket (shard id %
 * max_concurrency) per window: a faster one gets op 9 Invalid Session; discord.js waits its turn.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Events, GatewayIntentBits, REST, Routes, SlashCommandBuilder, type Interaction } from 'discord.js';
import { GatewayCloseCodes, GatewayDispatchEvents, GatewayOpcodes } from 'discord-api-types/v10';
import { WebSocket } from 'ws';
import { LocalDiscordDriver, Sharding, shardOf, type ShardPair } from '../../src/sandbox/index.ts';

let discord: LocalDiscordDriver;
let client: Client | null = null;

afterEach(async () => {
  await client?.destroy();
  client = null;
  await discord.stop();
});

type Identified = { ready: { shard: ShardPair; guilds: { id: string }[] } } | { closed: number } | { invalidSession: boolean };

/** A bare gateway connection: HELLO, then IDENTIFY with `shard` (omitted when undefined); resolves with READY's data, op 9's `d` or the close code. */
function identify(shard: unknown): Promise<Identified> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json`);
    ws.on('error', reject);
    ws.on('close', (code) => resolve({ closed: code }));
    ws.on('message', (raw) => {
      const payload = JSON.parse(String(raw)) as { op: number; t?: string; d: unknown };
      if (payload.op === GatewayOpcodes.Hello) {
        ws.send(JSON.stringify({ op: GatewayOpcodes.Identify, d: { token: discord.token, intents: GatewayIntentBits.Guilds, properties: { os: 'linux', browser: 't', device: 't' }, ...(shard === undefined ? {} : { shard }) } }));
      } else if (payload.t === GatewayDispatchEvents.Ready) {
        resolve({ ready: payload.d as { shard: ShardPair; guilds: { id: string }[] } });
        ws.close(1000);
      } else if (payload.op === GatewayOpcodes.InvalidSession) {
        resolve({ invalidSession: payload.d as boolean });
        ws.close(1000);
      }
    });
  });
}

/** GET /gateway/bot as the bot calls it. */
async function gatewayBot(): Promise<{ shards: number; session_start_limit: { total: number; remaining: number; max_concurrency: number } }> {
  return (await fetch(`${discord.apiUrl}/v10/gateway/bot`, { headers: { authorization: `Bot ${discord.token}` } })).json() as never;
}

async function deployEcho(): Promise<void> {
  const rest = new REST({ api: discord.apiUrl }).setToken(discord.token);
  await rest.put(Routes.applicationCommands(discord.bot.id), {
    body: [new SlashCommandBuilder().setName('echo').setDescription('echo').addStringOption((o) => o.setName('text').setDescription('t').setRequired(true)).toJSON()],
  });
}

describe('sharding in the local Discord', () => {
  it('refuses an invalid shard with 4010 and takes a missing one as [0, 1]', async () => {
    discord = await LocalDiscordDriver.start();
    for (const bad of [[1, 1], [0, 0], [-1, 2], [0.5, 2], [0], 'x', [0, 1, 2]]) {
      expect(await identify(bad)).toEqual({ closed: GatewayCloseCodes.InvalidShard });
    }
    const ready = await identify(undefined);
    expect('ready' in ready && ready.ready.shard).toEqual([0, 1]);
    expect('ready' in ready && ready.ready.guilds.map((g) => g.id)).toEqual([discord.guildId]);
  });

  it('recommends a shard count, refuses one session over the guild limit with 4011, and gives each shard its own guilds', async () => {
    discord = await LocalDiscordDriver.start({ sharding: { guildsPerShard: 1, maxGuildsPerShard: 1, identifyWindowMs: 0 } });
    const first = shardOf(discord.guildId, 2);
    const second = discord.addGuild('Second', { onShard: [1 - first, 2] });
    const gateway = await gatewayBot();
    expect(gateway).toMatchObject({ shards: 2, session_start_limit: { max_concurrency: 1 } });

    expect(await identify([0, 1])).toEqual({ closed: GatewayCloseCodes.ShardingRequired });
    const mine = await identify([first, 2]);
    const theirs = await identify([1 - first, 2]);
    expect('ready' in mine && mine.ready.guilds.map((g) => g.id)).toEqual([discord.guildId]);
    expect('ready' in theirs && theirs.ready.guilds.map((g) => g.id)).toEqual([second.guildId]);
  });

  it('limits IDENTIFY to one per bucket (shard id % max_concurrency) per window: a faster one gets op 9 Invalid Session', async () => {
    discord = await LocalDiscordDriver.start({ sharding: { maxConcurrency: 2, identifyWindowMs: 60_000 } });
    const limit = async () => (await gatewayBot()).session_start_limit;
    expect(await limit()).toMatchObject({ total: 1000, remaining: 1000, max_concurrency: 2 });
    expect(await identify([0, 4])).toHaveProperty('ready');
    expect(await identify([1, 4])).toHaveProperty('ready'); // bucket 1: its own window
    expect(await identify([2, 4])).toEqual({ invalidSession: false }); // bucket 0 again, within its window
    expect(await limit()).toMatchObject({ remaining: 998 });
    expect(discord.sharding.identifiesRefused).toBe(1);
  });

  it("a bucket's window reopens after it has passed; the refused IDENTIFY does not restart it", () => {
    const sharding = new Sharding({ maxConcurrency: 2 });
    expect(sharding.mayIdentify([0, 4], 1_000)).toBe(true);
    expect(sharding.mayIdentify([2, 4], 5_999)).toBe(false);
    expect(sharding.mayIdentify([1, 4], 5_999)).toBe(true);
    expect(sharding.mayIdentify([2, 4], 6_000)).toBe(true);
    expect(sharding.mayIdentify([0, 4], 10_999)).toBe(false);
    expect([sharding.sessionsStarted, sharding.identifiesRefused, sharding.sessionsRemaining]).toEqual([3, 2, 997]);
  });

  it("discord.js with shards: 'auto' runs the recommended two, each IDENTIFY in its turn; each guild's interactions reach only its shard", async () => {
    // max_concurrency 1: discord.js waits Discord's 5 s between the two shards' IDENTIFYs, as it must
    discord = await LocalDiscordDriver.start({ sharding: { guildsPerShard: 1, maxGuildsPerShard: 1, maxConcurrency: 1 } });
    const first = shardOf(discord.guildId, 2);
    const second = discord.addGuild('Second', { onShard: [1 - first, 2] });
    await deployEcho();
    client = new Client({ intents: [GatewayIntentBits.Guilds], shards: 'auto', rest: { api: discord.apiUrl } });
    const seen: { text: string; shard: number | undefined }[] = [];
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      seen.push({ text: interaction.options.getString('text', true), shard: interaction.guild?.shardId });
      await interaction.reply({ content: 'ok' });
    });
    const ready = new Promise((resolve) => client!.once(Events.ClientReady, resolve));
    await client.login(discord.token);
    await ready;
    expect(client.ws.shards.size).toBe(2);
    expect([discord.sharding.sessionsStarted, discord.sharding.identifiesRefused]).toEqual([2, 0]);
    expect(client.guilds.cache.get(discord.guildId)?.shardId).toBe(first);
    expect(client.guilds.cache.get(second.guildId)?.shardId).toBe(1 - first);

    const alice = discord.addUser('alice');
    const a = discord.slash(alice, 'echo', { text: 'in the first guild' });
    const b = discord.slash(alice, 'echo', { text: 'in the second guild' }, { channelId: second.channelId });
    await Promise.all([a.waitForMessage(), b.waitForMessage()]);
    expect(seen.sort((x, y) => x.text.localeCompare(y.text))).toEqual([
      { text: 'in the first guild', shard: first },
      { text: 'in the second guild', shard: 1 - first },
    ]);
    const got = (id: string) => discord.gateway.shardsThatGot((t, d) => t === GatewayDispatchEvents.InteractionCreate && (d as { id: string }).id === id);
    expect(got(a.record.id)).toEqual([[first, 2]]);
    expect(got(b.record.id)).toEqual([[1 - first, 2]]);

    // A guild the bot joins later: GUILD_CREATE on its shard only.
    const third = discord.addGuild('Third', { onShard: [first, 2] });
    await discord.waitUntil(() => client!.guilds.cache.get(third.guildId) ?? null, 10_000, 'the third guild');
    expect(client.guilds.cache.get(third.guildId)?.shardId).toBe(first);
    expect(discord.gateway.shardsThatGot((t, d) => t === GatewayDispatchEvents.GuildCreate && (d as { id: string }).id === third.guildId)).toEqual([[first, 2]]);
  });
});
