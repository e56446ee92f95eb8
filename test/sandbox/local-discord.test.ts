import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  ModalBuilder,
  Partials,
  REST,
  Routes,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
  type Interaction,
} from 'discord.js';
import { InteractionResponseType, MessageFlags, RESTJSONErrorCodes } from 'discord-api-types/v10';
import { LocalDiscordDriver } from '../../src/sandbox/index.ts';

let discord: LocalDiscordDriver;
let client: Client;

async function connect(intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions]) {
  client = new Client({ intents, partials: [Partials.Message, Partials.Reaction, Partials.User], rest: { api: discord.apiUrl } });
  const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
  await client.login(discord.token);
  await ready;
}

async function deploy() {
  const rest = new REST({ api: discord.apiUrl }).setToken(discord.token);
  await rest.put(Routes.applicationGuildCommands(discord.bot.id, discord.guildId), {
    body: [
      new SlashCommandBuilder()
        .setName('echo')
        .setDescription('echo')
        .addStringOption((o) => o.setName('text').setDescription('t').setRequired(true).setMaxLength(20))
        .addAttachmentOption((o) => o.setName('file').setDescription('f'))
        .toJSON(),
    ],
  });
}

beforeEach(async () => {
  discord = await LocalDiscordDriver.start();
});

afterEach(async () => {
  await client?.destroy();
  await discord.stop();
});

describe('the local Discord with the real discord.js client', () => {
  it('connects over the gateway, receives the guild and serves a slash command with an attachment', async () => {
    await connect();
    await deploy();
    expect(client.guilds.cache.get(discord.guildId)?.channels.cache.get(discord.channelId)?.name).toBe('general');

    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      const file = interaction.options.getAttachment('file', true);
      const bytes = Buffer.from(await (await fetch(file.url)).arrayBuffer());
      await interaction.editReply({
        content: `${interaction.options.getString('text', true)} ${bytes.length}`,
        files: [{ attachment: Buffer.from('hello'), name: 'out.txt' }],
        components: [new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('b1').setLabel('B').setStyle(ButtonStyle.Primary))],
        allowedMentions: { parse: [] },
      });
    });
    const alice = discord.addUser('alice');
    const handle = discord.slash(alice, 'echo', { text: '@everyone hi', file: { filename: 'a.bin', data: Buffer.alloc(7) } });
    const reply = await handle.waitForMessage((m) => m.attachments.length === 1);
    expect(reply.content).toBe('@everyone hi 7');
    expect(reply.mention_everyone).toBe(false);
    expect(discord.attachmentData(reply.attachments[0]!).toString()).toBe('hello');
    expect(await handle.acknowledged()).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    discord.assertNoUnhandledRequests();
  });

  it('answers 40060 to a second acknowledgement and 10062 after the 3 s window', async () => {
    await discord.stop();
    discord = await LocalDiscordDriver.start({ ackWindowMs: 200 });
    await connect();
    await deploy();
    const codes: (number | string)[] = [];
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      if (interaction.options.getString('text') === 'late') await new Promise((r) => setTimeout(r, 400));
      try {
        await interaction.reply({ content: 'one' });
        // discord.js refuses a second reply itself; go around it as a buggy bot would.
        await client.rest.post(Routes.interactionCallback(interaction.id, interaction.token), { body: { type: 4, data: { content: 'two' } }, auth: false });
      } catch (error) {
        codes.push(error instanceof DiscordAPIError ? error.code : String(error));
      }
    });
    const alice = discord.addUser('alice');
    discord.slash(alice, 'echo', { text: 'twice' });
    await discord.waitUntil(() => (codes.length ? codes : null), 10_000, 'an error');
    discord.slash(alice, 'echo', { text: 'late' });
    await discord.waitUntil(() => (codes.length > 1 ? codes : null), 10_000, 'an error');
    expect(codes).toEqual([RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged, RESTJSONErrorCodes.UnknownInteraction]);
  });

  it('refuses a dead interaction token and retries after a 429', async () => {
    await connect();
    await deploy();
    const results: string[] = [];
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      if (interaction.options.getString('text') === 'expire') discord.expireInteractionTokens();
      try {
        await interaction.editReply('done');
        results.push('edited');
      } catch (error) {
        results.push(error instanceof DiscordAPIError ? String(error.code) : String(error));
      }
    });
    const alice = discord.addUser('alice');
    discord.rateLimitNext('PATCH /webhooks/:app/:token/messages/:message', { retryAfterMs: 200 });
    const first = discord.slash(alice, 'echo', { text: 'limited' });
    await first.waitForMessage((m) => m.content === 'done');
    expect(discord.requests.filter((r) => r.status === 429)).toHaveLength(1);
    discord.slash(alice, 'echo', { text: 'expire' });
    await discord.waitUntil(() => (results.length === 2 ? results : null), 10_000, 'two results');
    expect(results).toEqual(['edited', String(RESTJSONErrorCodes.InvalidWebhookToken)]);
  });

  it('delivers button clicks, modals and reactions, and filters events by intents', async () => {
    await connect([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions]);
    await deploy();
    const seen: string[] = [];
    client.on(Events.MessageCreate, () => seen.push('messageCreate'));
    client.on(Events.MessageReactionAdd, (reaction, user) => seen.push(`reaction ${reaction.emoji.name} ${user.id}`));
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (interaction.isChatInputCommand()) {
        await interaction.reply({
          content: 'pick',
          components: [new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('ask').setLabel('Ask').setStyle(ButtonStyle.Primary))],
        });
      } else if (interaction.isButton()) {
        await interaction.showModal(
          new ModalBuilder()
            .setCustomId('form')
            .setTitle('Form')
            .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(new TextInputBuilder().setCustomId('labels').setLabel('Labels').setStyle(TextInputStyle.Short))),
        );
      } else if (interaction.isModalSubmit()) {
        await interaction.reply({ content: `got ${interaction.fields.getTextInputValue('labels')}`, flags: MessageFlags.Ephemeral });
      }
    });
    const alice = discord.addUser('alice');
    const command = discord.slash(alice, 'echo', { text: 'x' });
    const message = await command.waitForMessage();
    const click = discord.click(alice, message, 'ask');
    await click.modal();
    const submit = discord.submitModal(alice, click, { labels: 'cat, dog' });
    const answer = await submit.waitForEphemeral();
    expect(answer.content).toBe('got cat, dog');
    expect(discord.channelMessages(discord.channelId).map((m) => m.id)).not.toContain(answer.id);
    discord.react(alice, message, '1️⃣');
    await discord.waitUntil(() => (seen.some((s) => s.startsWith('reaction')) ? true : null), 10_000, 'a reaction event');
    expect(seen).toEqual([`reaction 1️⃣ ${alice.id}`]); // no GuildMessages intent: no messageCreate
  });

  it('records requests to routes Discord does not have', async () => {
    const response = await fetch(`${discord.apiUrl}/v10/nowhere`, { headers: { authorization: `Bot ${discord.token}` } });
    expect(response.status).toBe(404);
    expect(() => discord.assertNoUnhandledRequests()).toThrow(/GET \/nowhere/);
    const unauthorized = await fetch(`${discord.apiUrl}/v10/gateway/bot`);
    expect(unauthorized.status).toBe(401);
    discord.unhandled.length = 0;
  });

  it('answers heartbeats with ACKs, and lets a client RESUME after a RECONNECT without losing events', async () => {
    await discord.stop();
    discord = await LocalDiscordDriver.start({ heartbeatIntervalMs: 300 });
    await connect();
    await deploy();
    await discord.waitUntil(() => (discord.gateway.received.filter((p) => p.op === 1).length >= 2 ? true : null), 10_000, 'two heartbeats');
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);
    const seen: string[] = [];
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      seen.push(interaction.options.getString('text', true));
      await interaction.reply({ content: 'ok' });
    });
    const resumed = new Promise((resolve) => client.once(Events.ShardResume, resolve));
    discord.gateway.requestReconnect();
    const alice = discord.addUser('alice');
    const during = discord.slash(alice, 'echo', { text: 'while reconnecting' });
    await resumed;
    await during.waitForMessage();
    expect(discord.gateway.received.some((p) => p.op === 6)).toBe(true);
    expect(seen).toEqual(['while reconnecting']);
  });

  it('ages interactions with its clock: a token 15 minutes old is refused', async () => {
    await connect();
    await deploy();
    let code: unknown = null;
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      discord.advanceClock(15 * 60_000 + 1);
      await interaction.editReply('late').catch((error: unknown) => (code = error instanceof DiscordAPIError ? error.code : error));
    });
    discord.slash(discord.addUser('alice'), 'echo', { text: 'x' });
    expect(await discord.waitUntil(() => code, 10_000, 'the error')).toBe(RESTJSONErrorCodes.InvalidWebhookToken);
  });
});
