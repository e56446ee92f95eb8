/**
 * Routes what Discord sends (the discord.js guide's `interactionCreate`): slash and context-menu
 * commands to their file in `commands/`, buttons, modals and reactions to the first handler of
 * handlers/ that parses them. A job a handler returns is queued for whoever clicked or reacted.
 * An interaction Discord dispatches again is routed once.
 * A UserInputError from a command or handler is answered once, here, ephemerally; any other error
 * becomes one ephemeral "something went wrong" and a log line.
 */
import {
  Events,
  MessageFlags,
  type Client,
  type Collection,
  type Interaction,
  type MessageReaction,
  type PartialMessageReaction,
  type PartialUser,
  type RepliableInteraction,
  type User,
} from 'discord.js';
import { UserInputError } from '../engine/index.ts';
import type { Command } from './commands.ts';
import type { BotContext } from './context.ts';
import type { Handler, HandlerType, ReactionEvent } from './handler.ts';
import { HANDLERS } from './handlers/index.ts';
import { en, interactionMessages, langOf, userErrorText, type Messages } from './i18n/index.ts';
import { submit } from './jobs.ts';
import { ReactionReply } from './reaction-reply.ts';
import { InteractionReply, NO_PINGS, replyEphemeral } from './replies.ts';

export const UNKNOWN_COMMAND = en.unknownCommand;
export const UNKNOWN_BUTTON = en.unknownButton;

export function attachRouter(client: Client, ctx: BotContext, commands: Collection<string, Command>, handlers: readonly Handler[] = HANDLERS): void {
  client.on(Events.InteractionCreate, (interaction) => void onInteraction(interaction, ctx, commands, handlers));
  client.on(Events.MessageReactionAdd, (reaction, user) => {
    if (user.id === client.user?.id || user.bot) return;
    void onReaction('reaction-add', reactionEvent(client, reaction, user), ctx, handlers);
  });
  client.on(Events.MessageReactionRemove, (reaction, user) => {
    if (user.id === client.user?.id) return;
    void onReaction('reaction-remove', reactionEvent(client, reaction, user), ctx, handlers);
  });
}

/**
 * A reaction carries no locale: the job it starts speaks the server's preferred locale (Community
 * servers set it; others default to en-US), English outside a server.
 */
function reactionEvent(client: Client, reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser): ReactionEvent | null {
  const emoji = reaction.emoji.name;
  if (!emoji) return null;
  const { id: messageId, channelId, guildId } = reaction.message;
  const locale = langOf(guildId ? client.guilds.cache.get(guildId)?.preferredLocale : null);
  return { client, emoji, userId: user.id, messageId, channelId, guildId, locale };
}

/** The first handler of `type` that parses `input`, with what it parsed. */
export function findHandler<I>(handlers: readonly Handler[], type: HandlerType, input: I): { handler: Handler; parsed: unknown } | null {
  for (const handler of handlers) {
    if (handler.type !== type) continue;
    const parsed = (handler.parse as (input: I) => unknown)(input);
    if (parsed !== null) return { handler, parsed };
  }
  return null;
}

export async function onInteraction(interaction: Interaction, ctx: BotContext, commands: Collection<string, Command>, handlers: readonly Handler[]): Promise<void> {
  if (!ctx.interactions.first(interaction.id)) {
    ctx.log.warn('interaction dispatched again; already handled', { interaction: interaction.id });
    return;
  }
  try {
    if (interaction.isChatInputCommand() || interaction.isMessageContextMenuCommand()) {
      const command = commands.get(interaction.commandName);
      if (!command) return await replyEphemeral(interaction, interactionMessages(interaction).unknownCommand);
      ctx.log.info('command', { command: interaction.commandName, user: interaction.user.id, interaction: interaction.id, guild: interaction.guildId, shard: interaction.guild?.shardId ?? 0 });
      await command.execute(interaction, ctx);
    } else if (interaction.isButton() || interaction.isModalSubmit()) {
      const found = findHandler(handlers, interaction.isButton() ? 'button' : 'modal', interaction);
      if (!found) {
        if (interaction.isButton()) await replyEphemeral(interaction, interactionMessages(interaction).unknownButton);
        return;
      }
      const request = await (found.handler.run as (i: Interaction, parsed: unknown, ctx: BotContext) => ReturnType<Handler['run']>)(interaction, found.parsed, ctx);
      if (request) submit(ctx, new InteractionReply(interaction, ctx.log), request);
    }
  } catch (error) {
    if (!interaction.isRepliable()) return ctx.log.error('interaction handler failed', { error, interaction: interaction.id });
    const m = interactionMessages(interaction);
    if (error instanceof UserInputError) {
      await new InteractionReply(interaction, ctx.log).userError(userErrorText(error, m)).catch((e: unknown) => ctx.log.warn('could not tell the user', { error: e }));
      return;
    }
    ctx.log.error('interaction handler failed', { error, interaction: interaction.id });
    await sorry(interaction, m).catch(() => {});
  }
}

async function sorry(interaction: RepliableInteraction, m: Messages): Promise<void> {
  if (interaction.deferred || interaction.replied) await interaction.followUp({ content: m.somethingWentWrong, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
  else await replyEphemeral(interaction, m.somethingWentWrong);
}

export async function onReaction(type: 'reaction-add' | 'reaction-remove', reaction: ReactionEvent | null, ctx: BotContext, handlers: readonly Handler[]): Promise<void> {
  if (!reaction) return;
  try {
    const found = findHandler(handlers, type, reaction);
    if (!found) return;
    const request = await (found.handler.run as (r: ReactionEvent, parsed: unknown, ctx: BotContext) => ReturnType<Handler['run']>)(reaction, found.parsed, ctx);
    if (!request) return;
    submit(ctx, new ReactionReply(reaction, ctx.log), request);
  } catch (error) {
    if (error instanceof UserInputError) ctx.log.info('reaction refused', { error: error.message, user: reaction.userId });
    else ctx.log.error('reaction handler failed', { error });
  }
}
