/**
 * A tiny discord.js bot for the page test: it exercises what the page must draw (embeds, images,
 * buttons, reactions, ephemeral replies, modals) without loading the model pack.
 */
import {
  ActionRowBuilder,
  ApplicationCommandType,
  ButtonBuilder,
  ButtonStyle,
  Client,
  ContextMenuCommandBuilder,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  MessageFlags,
  ModalBuilder,
  Partials,
  REST,
  Routes,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import sharp from 'sharp';

export async function startEchoBot(env: Record<string, string>): Promise<Client> {
  const api = env.DISCORD_REST_URL!;
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions],
    partials: [Partials.Message, Partials.Reaction, Partials.User],
    rest: { api },
  });
  client.on(Events.InteractionCreate, async (i) => {
    if (i.isChatInputCommand() && i.commandName === 'draw') {
      await i.deferReply();
      const png = await sharp({ create: { width: 96, height: 96, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
      const message = await i.editReply({
        content: `**${i.options.getString('prompt', true)}** for <@${i.user.id}> ×${i.options.getInteger('count') ?? 1}`,
        files: [{ attachment: png, name: 'square.png' }],
        embeds: [new EmbedBuilder().setTitle('Details').addFields({ name: 'seed', value: '42', inline: true }).setColor(0x5865f2)],
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder().setCustomId('v1').setLabel('V1').setStyle(ButtonStyle.Secondary),
            new ButtonBuilder().setCustomId('off').setLabel('Off').setStyle(ButtonStyle.Danger).setDisabled(true),
          ),
        ],
        allowedMentions: { parse: [] },
      });
      await message.react('1️⃣');
    } else if (i.isChatInputCommand() && i.commandName === 'size') {
      const a = i.options.getAttachment('image', true);
      await i.reply({ content: `${a.name}: ${a.size} bytes`, flags: MessageFlags.Ephemeral });
    } else if (i.isChatInputCommand() && i.commandName === 'game') {
      const parts = i.options.data[0]!.options!.map((o) => `${o.name}=${o.user ? o.user.username : String(o.value)}`);
      await i.reply({ content: `game ${i.options.getSubcommand()} ${parts.join(' ')}`, allowedMentions: { parse: [] } });
    } else if (i.isButton()) {
      await i.reply({ content: `${i.user.username} clicked ${i.customId}` });
    } else if (i.isMessageContextMenuCommand()) {
      await i.showModal(
        new ModalBuilder().setCustomId('labels').setTitle('Labels').addComponents(
          new ActionRowBuilder<TextInputBuilder>().addComponents(new TextInputBuilder().setCustomId('labels').setLabel('Labels').setStyle(TextInputStyle.Short)),
        ),
      );
    } else if (i.isModalSubmit()) {
      await i.reply({ content: `${i.user.username} labelled: ${i.fields.getTextInputValue('labels')}` });
    }
  });
  const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
  await client.login(env.DISCORD_TOKEN);
  await ready;
  await new REST({ api }).setToken(env.DISCORD_TOKEN!).put(Routes.applicationGuildCommands(env.DISCORD_APPLICATION_ID!, env.DISCORD_GUILD_ID!), {
    body: [
      new SlashCommandBuilder()
        .setName('draw')
        .setDescription('Draws a red square')
        .addStringOption((o) => o.setName('prompt').setDescription('What to draw').setRequired(true).setMaxLength(300))
        .addIntegerOption((o) => o.setName('count').setDescription('How many').setMinValue(1).setMaxValue(4))
        .toJSON(),
      new SlashCommandBuilder()
        .setName('size')
        .setDescription('Measures a file')
        .addAttachmentOption((o) => o.setName('image').setDescription('A file').setRequired(true))
        .toJSON(),
      new SlashCommandBuilder()
        .setName('game')
        .setDescription('Subcommands, choices, users and booleans')
        .addSubcommand((sub) =>
          sub
            .setName('start')
            .setDescription('Start a game')
            .addStringOption((o) => o.setName('theme').setDescription('Theme').setRequired(true).addChoices({ name: 'Stars', value: 'stars' }, { name: 'Hearts', value: 'hearts' })),
        )
        .addSubcommand((sub) =>
          sub
            .setName('vote')
            .setDescription('Vote for someone')
            .addUserOption((o) => o.setName('for').setDescription('Who').setRequired(true))
            .addBooleanOption((o) => o.setName('secret').setDescription('Secret ballot')),
        )
        .toJSON(),
      new ContextMenuCommandBuilder().setName('Label it').setType(ApplicationCommandType.Message).toJSON(),
    ],
  });
  return client;
}
