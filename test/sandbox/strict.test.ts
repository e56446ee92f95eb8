/**
 * The local Discord as strict as Discord: message limits answered with 50035 in Discord's nested
 * error shape, per-route and global rate limits with Discord's headers (read by discord.js's REST
 * queue), a repeated dispatch, a persistent 5xx on a route, and the counters other tests assert on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, DiscordAPIError, Events, GatewayIntentBits, HTTPError, REST, Routes, SlashCommandBuilder, type Interaction } from 'discord.js';
import { RESTJSONErrorCodes } from 'discord-api-types/v10';
import { LocalDiscordDriver, type LocalDiscordOptions } from '../../src/sandbox/index.ts';

let discord: LocalDiscordDriver;
let client: Client | null = null;

async function start(opts: LocalDiscordOptions = {}) {
  discord = await LocalDiscordDriver.start({ rateLimits: true, ...opts });
  return new REST({ api: discord.apiUrl, retries: 0 }).setToken(discord.token);
}

afterEach(async () => {
  await client?.destroy();
  client = null;
  await discord.stop();
});

const rawPost = (path: string, body: unknown) =>
  fetch(`${discord.apiUrl}/v10${path}`, { method: 'POST', headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

const button = (id: string) => ({ type: 2, style: 1, label: 'b', custom_id: id });
const row = (ids: string[]) => ({ type: 1, components: ids.map(button) });
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`.padEnd(100, 'x'));
const file = (n: number, size = 4) => ({ name: `f${n}.txt`, data: Buffer.alloc(size, 97) });

/** What discord.js makes of the 400: the status, Discord's code, and the `_errors` at `path`. */
async function refusal(send: Promise<unknown>, path: string[]) {
  const error = await send.then(() => null, (e: unknown) => e);
  if (!(error instanceof DiscordAPIError)) throw new Error(`expected a DiscordAPIError, got ${String(error)}`);
  let node = (error.rawError as { errors?: unknown }).errors as Record<string, unknown>;
  for (const key of path) node = node?.[key] as Record<string, unknown>;
  return { status: error.status, code: error.code, message: (error.rawError as { message: string }).message, errors: node?._errors };
}

describe('message limits, refused as Discord refuses them', () => {
  it('accepts a message at every limit', async () => {
    const rest = await start();
    const atLimits = {
      content: 'c'.repeat(2000),
      embeds: [{ title: 't'.repeat(256), description: 'd'.repeat(4096), fields: [{ name: 'n'.repeat(256), value: 'v'.repeat(1024) }] }],
      components: [0, 1, 2, 3, 4].map((r) => row(ids(`r${r}-`, 5))),
      allowed_mentions: { parse: [] },
    };
    const files = Array.from({ length: 10 }, (_, i) => file(i));
    await rest.post(Routes.channelMessages(discord.channelId), { body: atLimits, files });
    const many = { embeds: Array.from({ length: 10 }, (_, i) => ({ title: `e${i}`, fields: Array.from({ length: 25 }, (_, j) => ({ name: `f${j}`, value: 'v' })) })) };
    await rest.post(Routes.channelMessages(discord.channelId), { body: many });
    expect(discord.channelMessages().map((m) => [m.content.length, m.embeds.length, m.components?.length ?? 0, m.attachments.length])).toEqual([
      [2000, 1, 5, 10],
      [0, 10, 0, 0],
    ]);
  });

  it('answers 50035 with the nested _errors of each field over its limit', async () => {
    const rest = await start({ rateLimits: false });
    const send = (body: object, files?: { name: string; data: Buffer }[]) => rest.post(Routes.channelMessages(discord.channelId), { body, ...(files ? { files } : {}) });
    const max = (n: number) => [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${n} or fewer in length.` }];
    const cases: [string, Promise<unknown>, string[], unknown][] = [
      ['content 2001', send({ content: 'c'.repeat(2001) }), ['content'], max(2000)],
      ['embed title 257', send({ embeds: [{ title: 't'.repeat(257) }] }), ['embeds', '0', 'title'], max(256)],
      ['description 4097', send({ embeds: [{ title: 'a' }, { description: 'd'.repeat(4097) }] }), ['embeds', '1', 'description'], max(4096)],
      ['26 fields', send({ embeds: [{ fields: Array.from({ length: 26 }, () => ({ name: 'n', value: 'v' })) }] }), ['embeds', '0', 'fields'], max(25)],
      ['field name 257', send({ embeds: [{ fields: [{ name: 'n', value: 'v' }, { name: 'n'.repeat(257), value: 'v' }] }] }), ['embeds', '0', 'fields', '1', 'name'], max(256)],
      ['field value 1025', send({ embeds: [{ fields: [{ name: 'n', value: 'v'.repeat(1025) }] }] }), ['embeds', '0', 'fields', '0', 'value'], max(1024)],
      ['6001 in all', send({ embeds: [{ description: 'd'.repeat(4000) }, { description: 'd'.repeat(2001) }] }), ['embeds'], [{ code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' }]],
      ['11 embeds', send({ embeds: Array.from({ length: 11 }, () => ({ title: 't' })) }), ['embeds'], max(10)],
      ['6 rows', send({ components: [0, 1, 2, 3, 4, 5].map((r) => row([`r${r}`])) }), ['components'], max(5)],
      ['6 buttons in a row', send({ components: [row(['a', 'b', 'c', 'd', 'e', 'f'])] }), ['components', '0', 'components'], [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 5 in length.' }]],
      ['custom_id 101', send({ components: [row(['ok', 'i'.repeat(101)])] }), ['components', '0', 'components', '1', 'custom_id'], max(100)],
      ['11 files', send({ content: 'x' }, Array.from({ length: 11 }, (_, i) => file(i))), ['attachments'], max(10)],
    ];
    for (const [what, sent, path, expected] of cases) {
      expect([what, await refusal(sent, path)]).toEqual([what, { status: 400, code: RESTJSONErrorCodes.InvalidFormBodyOrContentType, message: 'Invalid Form Body', errors: expected }]);
    }
    const big = await rest.post(Routes.channelMessages(discord.channelId), { body: { content: 'x' }, files: [file(0, 10 * 1024 * 1024 + 1)] }).catch((e: unknown) => e);
    expect(big).toBeInstanceOf(DiscordAPIError);
    expect([(big as DiscordAPIError).status, (big as DiscordAPIError).code]).toEqual([413, RESTJSONErrorCodes.RequestEntityTooLarge]);
    expect(discord.channelMessages()).toEqual([]);
  });
});

describe('rate limits, with Discord\'s headers and buckets', () => {
  it('counts a bucket per route and channel, says so in X-RateLimit-*, and answers 429 over it', async () => {
    await start();
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await rawPost(`/channels/${discord.channelId}/messages`, { content: `m${i}` }));
    expect(answers.map((r) => [r.status, r.headers.get('x-ratelimit-limit'), r.headers.get('x-ratelimit-remaining'), r.headers.get('x-ratelimit-bucket')])).toEqual([
      ...[4, 3, 2, 1, 0].map((left) => [200, '5', String(left), 'channel-message-create']),
      [429, '5', '0', 'channel-message-create'],
    ]);
    const first = answers[0]!;
    expect(Number(first.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
    expect(Number(first.headers.get('x-ratelimit-reset-after'))).toBeLessThanOrEqual(5);
    expect(Number(first.headers.get('x-ratelimit-reset')) * 1000).toBeGreaterThan(Date.now() - 1000);
    const limited = answers[5]!;
    const body = (await limited.json()) as { message: string; retry_after: number; global: boolean };
    expect(body.message).toBe('You are being rate limited.');
    expect(body.global).toBe(false);
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.retry_after).toBeLessThanOrEqual(5);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.headers.get('x-ratelimit-scope')).toBe('user');
    expect(discord.channelMessages()).toHaveLength(5); // the limited one was not served
    expect(discord.rateLimited().map((r) => r.route)).toEqual(['POST /channels/:channel/messages']);

    const other = discord.world.addChannel(discord.guildId, 'other');
    expect((await rawPost(`/channels/${other.id}/messages`, { content: 'elsewhere' })).status).toBe(200);
  });

  it('limits the bot token to 50 requests a second in all (X-RateLimit-Global)', async () => {
    // Discord's 50 in a window of a minute here, so that a slow machine cannot spread them over two.
    await start({ rateLimits: { global: { limit: 50, windowMs: 60_000 } } });
    const get = () => fetch(`${discord.apiUrl}/v10/users/@me`, { headers: { authorization: `Bot ${discord.token}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await get()).status);
    const over = await get();
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(over.status).toBe(429);
    expect(over.headers.get('x-ratelimit-global')).toBe('true');
    expect(over.headers.get('x-ratelimit-scope')).toBe('global');
    expect(((await over.json()) as { global: boolean }).global).toBe(true);
  });

  it('is respected by discord.js: 12 edits of one message in a row all land, without a 429', async () => {
    const rest = await start();
    const message = (await rest.post(Routes.channelMessages(discord.channelId), { body: { content: 'v0' } })) as { id: string };
    await Promise.all(Array.from({ length: 12 }, (_, i) => rest.patch(Routes.channelMessage(discord.channelId, message.id), { body: { content: `v${i + 1}` } })));
    expect(discord.rateLimited()).toEqual([]);
    expect(discord.editsOf(message.id)).toBe(12);
    expect(discord.messageById(message.id).message.content).toBe('v12');
    // The server refuses a sixth edit inside a window, so discord.js must have waited for the reset.
    const edits = discord.requestsFor(message.id).filter((r) => r.action === 'edit');
    expect(edits[5]!.at - edits[0]!.at).toBeGreaterThanOrEqual(4900);
  });

  it('are off unless asked for', async () => {
    discord = await LocalDiscordDriver.start();
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await rawPost(`/channels/${discord.channelId}/messages`, { content: `m${i}` }));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(answers[0]!.headers.get('x-ratelimit-limit')).toBeNull();
  });
});

describe('driver methods for loss paths', () => {
  async function echoBot() {
    const rest = new REST({ api: discord.apiUrl }).setToken(discord.token);
    await rest.put(Routes.applicationGuildCommands(discord.bot.id, discord.guildId), { body: [new SlashCommandBuilder().setName('echo').setDescription('echo').toJSON()] });
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.apiUrl } });
    const ready = new Promise((resolve) => client!.once(Events.ClientReady, resolve));
    await client.login(discord.token);
    await ready;
    return client;
  }

  it('repeats a dispatch: the same interaction arrives twice; the second answer gets 40060', async () => {
    await start();
    const bot = await echoBot();
    const seen: string[] = [];
    const outcomes: (string | number)[] = [];
    bot.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      seen.push(interaction.id);
      try {
        await interaction.deferReply();
        await interaction.editReply('one');
        await interaction.editReply('two');
        outcomes.push('answered');
      } catch (error) {
        outcomes.push(error instanceof DiscordAPIError ? error.code : String(error));
      }
    });
    const run = discord.slash(discord.addUser('alice'), 'echo');
    await run.waitForMessage((m) => m.content === 'two');
    discord.repeatDispatch(run);
    await discord.waitUntil(() => (outcomes.length === 2 ? true : null), 10_000, 'two outcomes');
    expect(seen).toEqual([run.id, run.id]);
    expect(outcomes).toEqual(['answered', RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged]);
    expect(discord.editsOf(run.record.originalMessageId!)).toBe(2);
  });

  it('answers 5xx on a route until cleared, or for a while; discord.js retries, then gives up', async () => {
    await start();
    const rest = new REST({ api: discord.apiUrl, retries: 2 }).setToken(discord.token);
    const message = (await rest.post(Routes.channelMessages(discord.channelId), { body: { content: 'v0' } })) as { id: string };
    const clear = discord.failPersistently('PATCH /channels/:channel/messages/:message', { status: 502 });
    const edit = (content: string) => rest.patch(Routes.channelMessage(discord.channelId, message.id), { body: { content } });
    const failed = await edit('v1').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(HTTPError);
    expect((failed as HTTPError).status).toBe(502);
    const patches = () => discord.requests.filter((r) => r.route === 'PATCH /channels/:channel/messages/:message');
    expect(patches().map((r) => [r.status, r.fault])).toEqual(Array(3).fill([502, true])); // one try and two retries
    expect(await edit('v2').catch((e: unknown) => (e as HTTPError).status)).toBe(502);
    clear();
    await edit('v3');
    expect(discord.messageById(message.id).message.content).toBe('v3');
    expect(discord.editsOf(message.id)).toBe(1);

    discord.failPersistently('PATCH /channels/:channel/messages/:message', { forMs: 200 });
    expect(await edit('v4').catch((e: unknown) => (e as HTTPError).status)).toBe(500);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await edit('v5');
    expect(discord.messageById(message.id).message.content).toBe('v5');
    discord.failPersistently('PATCH /channels/:channel/messages/:message');
    discord.clearFaults();
    await edit('v6');
    expect(discord.editCounts().get(message.id)).toBe(3);
  });
});
