/**
 * Where a job asked for by a reaction goes: a message in the channel (a reaction has no interaction
 * to answer), as ChannelReply. When the queue refuses the job (the person is at their cap), Discord
 * has no private answer to a reaction: the reaction is taken off, and the person is told in the
 * channel at most once every NOTICE_EVERY_MS, so extra reactions post nothing.
 */
import { Routes, type Client } from 'discord.js';
import type { ReactionEvent } from './handler.ts';
import { messagesFor } from './i18n/index.ts';
import type { Logger } from './logger.ts';
import { ChannelReply } from './replies.ts';

export const NOTICE_EVERY_MS = 10 * 60_000;

/** When each person was last told of a refused reaction, per client. */
const lastNotice = new WeakMap<Client, Map<string, number>>();

export class ReactionReply extends ChannelReply {
  constructor(
    private readonly reaction: ReactionEvent,
    log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    super(reaction.client, reaction.channelId, reaction.guildId, reaction.messageId, reaction.userId, log);
  }

  override async refused(text: string): Promise<void> {
    const { client, channelId, messageId, emoji, userId } = this.reaction;
    await client.rest
      .delete(Routes.channelMessageUserReaction(channelId, messageId, encodeURIComponent(emoji), userId))
      .catch((error: unknown) => this.log.debug('could not take a refused reaction off', { error, message: messageId }));
    let told = lastNotice.get(client);
    if (!told) lastNotice.set(client, (told = new Map()));
    const last = told.get(userId);
    if (last !== undefined && this.now() - last < NOTICE_EVERY_MS) return;
    told.set(userId, this.now());
    await this.userError(messagesFor(this.reaction.locale).reactionRefused(text, emoji, NOTICE_EVERY_MS / 60_000));
  }
}
