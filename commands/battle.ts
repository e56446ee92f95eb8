import { MessageFlags, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { validatePrompt, type PackSummary } from '../src/engine/index.ts';
import { checkPromptTokens } from '../src/engine/vocabulary.ts';
import { battleCard, closeBattle, scheduleClose, standingLines } from '../src/discord/battles.ts';
import type { BotContext } from '../src/discord/context.ts';
import { submit } from '../src/discord/jobs.ts';
import { fitList } from '../src/discord/limits.ts';
import { InteractionReply, NO_PINGS, replyEphemeral } from '../src/discord/replies.ts';
import { battleEntryRequest } from '../src/discord/request.ts';
import { promptExample, promptLimitHint } from '../src/discord/prompts.ts';
import { discordTime, quote } from '../src/discord/texts.ts';

export const data = (pack: PackSummary | null) =>
  new SlashCommandBuilder()
    .setName('battle')
    .setDescription('Community image battles: a theme, one entry each, votes, a CLIP judge')
    .addSubcommand((s) =>
      s
        .setName('start')
        .setDescription('Start a battle in this channel')
        .addStringOption((o) => o.setName('theme').setDescription(`What entries should show, e.g. "${promptExample(pack, true)}"`).setRequired(true).setMaxLength(200))
        .addIntegerOption((o) => o.setName('minutes').setDescription('How long entries and votes are open').setRequired(true).setMinValue(1).setMaxValue(1440))
        .addIntegerOption((o) => o.setName('max_entries').setDescription('The most entries (default: no limit)').setMinValue(2).setMaxValue(100)),
    )
    .addSubcommand((s) =>
      s
        .setName('enter')
        .setDescription('Enter the battle of this channel with a picture drawn from your prompt')
        .addStringOption((o) => o.setName('prompt').setDescription(`What to draw (${promptLimitHint(pack)})`).setRequired(true).setMaxLength(300)),
    )
    .addSubcommand((s) => s.setName('status').setDescription('The battle of this channel: theme, deadline, entries and votes so far'))
    .addSubcommand((s) => s.setName('end').setDescription('Close the battle now (its starter, or someone with Manage Server)'))
    .addSubcommand((s) => s.setName('leaderboard').setDescription('This server’s top 10: wins and points'));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  switch (interaction.options.getSubcommand()) {
    case 'start':
      return start(interaction, ctx);
    case 'enter':
      return enter(interaction, ctx);
    case 'status':
      return status(interaction, ctx);
    case 'end':
      return end(interaction, ctx);
    case 'leaderboard':
      return leaderboard(interaction, ctx);
  }
}

async function start(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const theme = validatePrompt(interaction.options.getString('theme', true), 'The theme');
  const minutes = interaction.options.getInteger('minutes', true);
  const battle = ctx.store.battles.start({
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    starterId: interaction.user.id,
    theme,
    maxEntries: interaction.options.getInteger('max_entries'),
    endsAt: ctx.now() + minutes * 60_000,
  });
  if (!battle) {
    const open = ctx.store.battles.openIn(interaction.channelId)!;
    return replyEphemeral(interaction, `This channel already has a battle running (${quote(open.theme)}, ends ${discordTime(open.endsAt, 'R')}). One at a time: see /battle status.`);
  }
  ctx.log.info('battle started', { battle: battle.id, user: interaction.user.id, minutes });
  const response = await interaction.reply({ ...battleCard(battle), allowedMentions: NO_PINGS, withResponse: true });
  const messageId = response.resource?.message?.id;
  if (messageId) ctx.store.battles.setMessage(battle.id, messageId);
  scheduleClose(interaction.client, ctx, battle);
}

async function enter(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const prompt = validatePrompt(interaction.options.getString('prompt', true));
  // Over the model's token limit: refused before an entry is reserved for it.
  if (ctx.engine) checkPromptTokens(ctx.engine, prompt);
  const battle = ctx.store.battles.openIn(interaction.channelId);
  if (!battle) return replyEphemeral(interaction, 'No battle is running in this channel. Start one with /battle start.');
  const reserved = ctx.store.battles.reserveEntry(battle.id, interaction.user.id, prompt);
  if (!reserved.ok) {
    const why = {
      closed: 'This battle is over; entries are closed.',
      'already-entered': 'You already have an entry in this battle (one each).',
      full: `This battle is full (${battle.maxEntries} entries).`,
    }[reserved.reason];
    return replyEphemeral(interaction, why);
  }
  submit(ctx, new InteractionReply(interaction, ctx.log), battleEntryRequest({ userId: interaction.user.id, battleId: battle.id, entryId: reserved.entryId, prompt }, battle.theme));
}

async function status(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const battle = ctx.store.battles.openIn(interaction.channelId) ?? ctx.store.battles.latestIn(interaction.channelId);
  if (!battle) return replyEphemeral(interaction, 'No battle has been held in this channel yet. Start one with /battle start.');
  const open = battle.state === 'open';
  const standings = open ? ctx.store.battles.standings(battle.id) : ctx.store.battles.results(battle.id);
  const pending = open ? ctx.store.battles.pendingEntries(battle.id) : 0;
  const myVote = ctx.store.battles.voteOf(battle.id, interaction.user.id);
  const head = [
    `⚔️ ${quote(battle.theme)} — ${open ? `open, ends ${discordTime(battle.endsAt, 'R')}` : 'closed'} · started by <@${battle.starterId}>`,
    standings.length ? `${standings.length} entr${standings.length === 1 ? 'y' : 'ies'}${pending ? ` (+${pending} being drawn)` : ''}:` : `No entries yet${pending ? ` (${pending} being drawn)` : ''}.`,
  ];
  const tail = open ? [myVote ? `Your vote is on <@${ctx.store.battles.entry(myVote)?.userId}>'s entry.` : 'You have not voted yet.'] : [];
  return replyEphemeral(interaction, fitList(standingLines(standings, !open), { head, tail }));
}

async function end(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const battle = ctx.store.battles.openIn(interaction.channelId);
  if (!battle) return replyEphemeral(interaction, 'No battle is running in this channel.');
  const allowed = battle.starterId === interaction.user.id || (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false);
  if (!allowed) return replyEphemeral(interaction, `Only the battle’s starter (<@${battle.starterId}>) or someone with Manage Server can end it.`);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const closed = await closeBattle(interaction.client, ctx, battle.id);
  await interaction.editReply({ content: closed ? 'The battle is closed; the results are posted in the channel.' : 'This battle had already closed.', allowedMentions: NO_PINGS });
}

async function leaderboard(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const rows = ctx.store.battles.leaderboard(interaction.guildId);
  const lines = rows.map((r, i) => `${i + 1}. <@${r.userId}> — ${r.points} point${r.points === 1 ? '' : 's'}, ${r.wins} win${r.wins === 1 ? '' : 's'} (${r.battles} battle${r.battles === 1 ? '' : 's'})`);
  await interaction.reply({
    content: rows.length ? `🏅 **Leaderboard** (3 points for a win, 2 for second, 1 for third)\n${lines.join('\n')}` : 'No battle has finished in this server yet.',
    allowedMentions: NO_PINGS,
  });
}
