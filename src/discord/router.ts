/**
 * Routes what Discord sends: slash and context-menu commands to their file in `commands/`, buttons
 * and modals by their parsed custom id, 1️⃣–4️⃣/🔁 reactions on a stored result to variations, and 👍
 * added to or taken off a battle entry to its votes.
 * A handler's unexpected error becomes one ephemeral "something went wrong" and a log line.
 */
import {
  Events,
  MessageFlags,
  type ButtonInteraction,
  type Client,
  type Collection,
  type Interaction,
  type MessageReaction,
  type ModalSubmitInteraction,
  type PartialMessageReaction,
  type PartialUser,
  type RepliableInteraction,
  type User,
} from 'discord.js';
import { parseLabels, UserInputError } from '../engine/index.ts';
import { MAX_LABELS, startClassify } from './classify.ts';
import type { Command } from './commands.ts';
import type { BotContext } from './context.ts';
import { castVote } from './battles.ts';
import { cellForReaction, parseCustomId, VOTE_EMOJI } from './custom-ids.ts';
import { startAgain, startVariations } from './generation.ts';
import { ChannelReply, InteractionReply, NO_PINGS } from './replies.ts';

export function attachRouter(client: Client, ctx: BotContext, commands: Collection<string, Command>): void {
  client.on(Events.InteractionCreate, (interaction) => {
    onInteraction(interaction, ctx, commands).catch(async (error: unknown) => {
      ctx.log.error('interaction handler failed', { error, interaction: interaction.id });
      if (interaction.isRepliable()) await sorry(interaction).catch(() => {});
    });
  });
  client.on(Events.MessageReactionAdd, (reaction, user) => {
    onReaction(client, reaction, user, ctx).catch((error: unknown) => ctx.log.error('reaction handler failed', { error }));
  });
  client.on(Events.MessageReactionRemove, (reaction, user) => {
    onReactionRemoved(client, reaction, user, ctx).catch((error: unknown) => ctx.log.error('reaction handler failed', { error }));
  });
}

async function sorry(interaction: RepliableInteraction): Promise<void> {
  const content = 'Something went wrong on our side. Please try again.';
  if (interaction.deferred || interaction.replied) await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
  else await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
}

function ephemeral(interaction: RepliableInteraction, content: string) {
  return interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
}

async function onInteraction(interaction: Interaction, ctx: BotContext, commands: Collection<string, Command>): Promise<void> {
  if (interaction.isChatInputCommand() || interaction.isMessageContextMenuCommand()) {
    const command = commands.get(interaction.commandName);
    if (!command) {
      await ephemeral(interaction, 'I do not know this command (any more). Try /imagine.');
      return;
    }
    ctx.log.info('command', { command: interaction.commandName, user: interaction.user.id, interaction: interaction.id });
    await command.execute(interaction, ctx);
  } else if (interaction.isButton()) {
    await onButton(interaction, ctx);
  } else if (interaction.isModalSubmit()) {
    await onModal(interaction, ctx);
  }
}

async function onButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const parsed = parseCustomId(interaction.customId);
  if (!parsed) {
    await ephemeral(interaction, 'This button is from an older version of the bot and no longer works.');
    return;
  }
  if (parsed.kind === 'cancel') {
    const outcome = ctx.queue.cancel(parsed.jobId, interaction.user.id);
    if (outcome === 'cancelled') await interaction.deferUpdate();
    else if (outcome === 'not-owner') await ephemeral(interaction, 'Only the person who asked for this job can cancel it.');
    else await ephemeral(interaction, 'That job has already finished.');
    return;
  }
  if (parsed.kind === 'vote') {
    const outcome = await castVote(interaction.client, ctx, parsed.entryId, interaction.user.id, 'button');
    await ephemeral(interaction, outcome.message);
    return;
  }
  if (parsed.kind !== 'variations' && parsed.kind !== 'again') return;
  const stored = await ctx.store.get(interaction.message.id);
  if (!stored) {
    await ephemeral(interaction, 'I no longer have the data of this result, so I cannot make variations of it. Run the command again.');
    return;
  }
  const reply = new InteractionReply(interaction, ctx.log);
  if (parsed.kind === 'again') {
    startAgain(ctx, reply, stored, interaction.user.id, () => reply.begin());
    return;
  }
  if (parsed.cell >= stored.embeddings.length) {
    await ephemeral(interaction, `This result has only ${stored.embeddings.length} image(s).`);
    return;
  }
  startVariations(ctx, reply, stored, parsed.cell, interaction.user.id, () => reply.begin());
}

async function onModal(interaction: ModalSubmitInteraction, ctx: BotContext): Promise<void> {
  const parsed = parseCustomId(interaction.customId);
  if (parsed?.kind !== 'classify-labels') return;
  const image = ctx.pendingClassify.get(parsed.key);
  if (!image) {
    await ephemeral(interaction, 'This form has expired. Use "Classify image" on the message again.');
    return;
  }
  const reply = new InteractionReply(interaction, ctx.log);
  const template = interaction.fields.getTextInputValue('template').trim() || null;
  let labels: string[];
  try {
    labels = parseLabels(interaction.fields.getTextInputValue('labels'), MAX_LABELS);
    if (template !== null && !template.includes('{}')) throw new UserInputError('The template must contain {} where the label goes, e.g. "a photo of {}".');
  } catch (error) {
    if (error instanceof UserInputError) return reply.userError(error.message);
    throw error;
  }
  ctx.pendingClassify.delete(parsed.key);
  startClassify(ctx, reply, { userId: interaction.user.id, image, labels, template }, () => reply.begin());
}

async function onReaction(client: Client, reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser, ctx: BotContext): Promise<void> {
  if (user.id === client.user?.id || user.bot) return;
  const emoji = reaction.emoji.name;
  if (!emoji) return;
  if (emoji === VOTE_EMOJI) {
    const entry = ctx.db.battles.entryByMessage(reaction.message.id);
    if (entry) {
      const outcome = await castVote(client, ctx, entry.id, user.id, 'reaction');
      ctx.log.info('vote by reaction', { entry: entry.id, voter: user.id, ok: outcome.ok });
      return;
    }
  }
  const stored = await ctx.store.get(reaction.message.id);
  if (!stored) return;
  const cell = cellForReaction(emoji, stored.embeddings.length);
  if (cell === null) return;
  ctx.log.info('reaction', { emoji, user: user.id, message: reaction.message.id });
  const reply = new ChannelReply(client, reaction.message.channelId, reaction.message.guildId, reaction.message.id, user.id, ctx.log);
  startVariations(ctx, reply, stored, cell, user.id, () => {});
}

/** A 👍 taken off a battle entry takes the vote back (if it was still there). */
async function onReactionRemoved(client: Client, reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser, ctx: BotContext): Promise<void> {
  if (user.id === client.user?.id || reaction.emoji.name !== VOTE_EMOJI) return;
  const entry = ctx.db.battles.entryByMessage(reaction.message.id);
  if (entry && ctx.db.battles.unvote(entry.id, user.id)) ctx.log.info('vote taken back', { entry: entry.id, voter: user.id });
}
