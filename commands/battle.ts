import { MessageFlags, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { validatePrompt, type PackSummary } from '../src/engine/index.ts';
import { checkPromptTokens } from '../src/engine/vocabulary.ts';
import { battleCard, closeBattle, scheduleClose, standingLines } from '../src/discord/battles.ts';
import type { BotContext } from '../src/discord/context.ts';
import { submit } from '../src/discord/jobs.ts';
import { fitList } from '../src/discord/limits.ts';
import { interactionMessages, langOf } from '../src/discord/i18n/index.ts';
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
  const m = interactionMessages(interaction);
  const theme = validatePrompt(interaction.options.getString('theme', true), 'The theme');
  const minutes = interaction.options.getInteger('minutes', true);
  const battle = ctx.store.battles.start({
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    starterId: interaction.user.id,
    theme,
    maxEntries: interaction.options.getInteger('max_entries'),
    endsAt: ctx.now() + minutes * 60_000,
    locale: langOf(interaction.locale),
  });
  if (!battle) {
    const open = ctx.store.battles.openIn(interaction.channelId)!;
    return replyEphemeral(interaction, m.battle.alreadyRunning(quote(open.theme), discordTime(open.endsAt, 'R')));
  }
  ctx.log.info('battle started', { battle: battle.id, user: interaction.user.id, minutes });
  const response = await interaction.reply({ ...battleCard(battle, m), allowedMentions: NO_PINGS, withResponse: true });
  const messageId = response.resource?.message?.id;
  if (messageId) ctx.store.battles.setMessage(battle.id, messageId);
  scheduleClose(interaction.client, ctx, battle);
}

async function enter(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const m = interactionMessages(interaction);
  const prompt = validatePrompt(interaction.options.getString('prompt', true));
  // Over the model's token limit: refused before an entry is reserved for it.
  if (ctx.engine) checkPromptTokens(ctx.engine, prompt);
  const battle = ctx.store.battles.openIn(interaction.channelId);
  if (!battle) return replyEphemeral(interaction, m.battle.noneToEnter);
  const reserved = ctx.store.battles.reserveEntry(battle.id, interaction.user.id, prompt);
  if (!reserved.ok) {
    const why = { closed: m.battle.entriesClosed, 'already-entered': m.battle.alreadyEntered, full: m.battle.full(battle.maxEntries ?? 0) }[reserved.reason];
    return replyEphemeral(interaction, why);
  }
  const entry = { userId: interaction.user.id, battleId: battle.id, entryId: reserved.entryId, prompt };
  submit(ctx, new InteractionReply(interaction, ctx.log), battleEntryRequest(entry, battle.theme, langOf(interaction.locale)));
}

async function status(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const m = interactionMessages(interaction);
  const battle = ctx.store.battles.openIn(interaction.channelId) ?? ctx.store.battles.latestIn(interaction.channelId);
  if (!battle) return replyEphemeral(interaction, m.battle.noneHeld);
  const open = battle.state === 'open';
  const standings = open ? ctx.store.battles.standings(battle.id) : ctx.store.battles.results(battle.id);
  const pending = open ? ctx.store.battles.pendingEntries(battle.id) : 0;
  const myVote = ctx.store.battles.voteOf(battle.id, interaction.user.id);
  const head = [
    m.battle.statusHead(quote(battle.theme), open ? discordTime(battle.endsAt, 'R') : null, `<@${battle.starterId}>`),
    standings.length ? m.battle.entries(standings.length, pending) : m.battle.noEntries(pending),
  ];
  const tail = open ? [myVote ? m.battle.yourVote(`<@${ctx.store.battles.entry(myVote)?.userId}>`) : m.battle.notVoted] : [];
  return replyEphemeral(interaction, fitList(standingLines(standings, !open, m), { head, tail, more: m.andMore }));
}

async function end(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const m = interactionMessages(interaction);
  const battle = ctx.store.battles.openIn(interaction.channelId);
  if (!battle) return replyEphemeral(interaction, m.battle.noneRunning);
  const allowed = battle.starterId === interaction.user.id || (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false);
  if (!allowed) return replyEphemeral(interaction, m.battle.onlyStarter(`<@${battle.starterId}>`));
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const closed = await closeBattle(interaction.client, ctx, battle.id);
  await interaction.editReply({ content: closed ? m.battle.closedNow : m.battle.closedBefore, allowedMentions: NO_PINGS });
}

async function leaderboard(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const m = interactionMessages(interaction);
  const rows = ctx.store.battles.leaderboard(interaction.guildId);
  const lines = rows.map((r, i) => m.battle.leaderboardRow(i + 1, `<@${r.userId}>`, r.points, r.wins, r.battles));
  await interaction.reply({
    content: rows.length ? `${m.battle.leaderboardHead}\n${lines.join('\n')}` : m.battle.noLeaderboard,
    allowedMentions: NO_PINGS,
  });
}
