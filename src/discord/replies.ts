/**
 * Where a job's status and result go. Edits are serialized per reply, progress is coalesced (only the
 * newest pending status is sent) and dropped once the final result is on its way, so a slow preview
 * edit never overwrites the result.
 *
 * - InteractionReply: the deferred response of a command or button. Once its token is dead (about
 *   14 minutes, or Discord says so) or the message was deleted, the result is posted to the channel
 *   instead, mentioning the requester.
 * - ChannelReply: for reactions, which have no token (and for jobs run again after a restart): a
 *   message in the channel, mentioning the requester.
 */
import {
  DiscordAPIError,
  MessageFlags,
  RESTJSONErrorCodes,
  type BaseMessageOptions,
  type Client,
  type Message,
  type RepliableInteraction,
  type SendableChannels,
} from 'discord.js';
import { LIMITS, fitMessage, truncate } from './limits.ts';
import type { Logger } from './logger.ts';

export interface ReplyPayload {
  content: string;
  embeds?: BaseMessageOptions['embeds'];
  files?: { attachment: Buffer; name: string }[];
  components?: BaseMessageOptions['components'];
}

/** Echoed prompts and labels never ping: every message goes out with this unless it means to. */
export const NO_PINGS = { parse: [] as [] };

/** A short answer only the user sees, that pings no one (for a command's own refusals). */
export function replyEphemeral(interaction: RepliableInteraction, content: string): Promise<void> {
  return interaction.reply({ content: truncate(content, LIMITS.content), flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS }).then(() => {});
}

/** Interaction tokens live 15 minutes; stop using one a little before. */
export const TOKEN_LIFETIME_MS = 14 * 60_000;

const DEAD_TOKEN_CODES: number[] = [
  RESTJSONErrorCodes.InvalidWebhookToken,
  RESTJSONErrorCodes.UnknownWebhook,
  RESTJSONErrorCodes.UnknownInteraction,
  RESTJSONErrorCodes.UnknownMessage,
];

export function isDeadTokenError(error: unknown): boolean {
  return error instanceof DiscordAPIError && typeof error.code === 'number' && DEAD_TOKEN_CODES.includes(error.code);
}

function editOptions(payload: ReplyPayload) {
  const p = fitMessage(payload);
  return {
    content: p.content,
    embeds: p.embeds ?? [],
    components: p.components ?? [],
    files: p.files ?? [],
    attachments: [],
    allowedMentions: NO_PINGS,
  };
}

export abstract class Reply {
  #chain: Promise<unknown> = Promise.resolve();
  #pending: ReplyPayload | null = null;
  #final = false;
  #onMessage: ((messageId: string) => void) | null = null;
  #shownIn: string | null = null;

  constructor(
    readonly userId: string,
    readonly channelId: string,
    readonly guildId: string | null,
    protected readonly log: Logger,
  ) {}

  /** The interaction this answers, if any (journalled with the job). */
  get interactionId(): string | null {
    return null;
  }

  /** Acknowledges the request once the queue took the job (an interaction: within Discord's 3 s). */
  begin(): void {}

  /** Calls `listener` with the id of the message this shows things in, as soon as it is known (and again if it changes). */
  onMessage(listener: (messageId: string) => void): void {
    this.#onMessage = listener;
  }

  /** The latest message this showed something in (null: none yet). */
  get shownIn(): string | null {
    return this.#shownIn;
  }

  protected messageKnown(messageId: string): void {
    this.#shownIn = messageId;
    try {
      this.#onMessage?.(messageId);
    } catch (error) {
      this.log.warn('a message listener failed', { error });
    }
  }

  protected abstract send(payload: ReplyPayload, final: boolean): Promise<Message | null>;
  /**
   * The id of the message the final result will be shown in, when known in advance (so what
   * buttons need can be stored before they can be clicked). Waits for pending edits.
   */
  abstract targetMessageId(): Promise<string | null>;
  /** A message for the requester alone where Discord allows it. */
  abstract userError(text: string): Promise<void>;

  /** The queue refused the job (a cap): said like any user error, unless the reply knows better (a reaction's). */
  refused(text: string): Promise<void> {
    return this.userError(text);
  }

  protected enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(fn);
    this.#chain = next.catch(() => {});
    return next;
  }

  /** Shows a status (queued, progress); superseded by any newer status or the final result. */
  status(payload: ReplyPayload): void {
    if (this.#final) return;
    const alreadyScheduled = this.#pending !== null;
    this.#pending = payload;
    if (alreadyScheduled) return;
    this.enqueue(async () => {
      const p = this.#pending;
      this.#pending = null;
      if (p && !this.#final) await this.send(p, false);
    }).catch((error: unknown) => this.log.warn('status update failed', { error }));
  }

  /**
   * Stops using the way it shows things that keeps failing (the interaction's webhook, or the message
   * it edits): from now on the result goes to the channel as a new message that mentions the
   * requester. False when it already posts to the channel.
   */
  fallBackToChannel(): boolean {
    return false;
  }

  /** Edits a message this showed a status in to say where things went (best effort: the outbox does not wait on it). */
  async supersede(_messageId: string, _text: string): Promise<void> {}

  /** Shows the result; returns the message it is in. */
  final(payload: ReplyPayload): Promise<Message | null> {
    this.stopStatus();
    return this.enqueue(() => this.send(payload, true));
  }

  /** No status after this (the result or an error is on its way). */
  protected stopStatus(): void {
    this.#final = true;
    this.#pending = null;
  }

}

export class InteractionReply extends Reply {
  #tokenDead = false;
  #messageId: string | null = null;

  constructor(
    private readonly interaction: RepliableInteraction,
    log: Logger,
    private readonly lifetimeMs = TOKEN_LIFETIME_MS,
  ) {
    super(interaction.user.id, interaction.channelId ?? '', interaction.guildId, log);
  }

  override get interactionId(): string | null {
    return this.interaction.id;
  }

  /** Acknowledges within Discord's 3 s: "thinking…" until the first status. */
  override begin(): void {
    this.enqueue(async () => {
      try {
        const response = await this.interaction.deferReply({ withResponse: true });
        this.#messageId = response.resource?.message?.id ?? null;
        if (this.#messageId) this.messageKnown(this.#messageId);
      } catch (error) {
        if (!isDeadTokenError(error)) throw error;
        this.#tokenDead = true;
        this.log.warn('could not acknowledge in time; the result will go to the channel', { interaction: this.interaction.id });
      }
    }).catch((error: unknown) => this.log.error('deferReply failed', { error }));
  }

  targetMessageId(): Promise<string | null> {
    return this.enqueue(async () => (this.tokenUsable ? this.#messageId : null));
  }

  override fallBackToChannel(): boolean {
    if (this.#tokenDead) return false;
    this.#tokenDead = true;
    this.log.info('the interaction keeps failing; the result goes to the channel', { interaction: this.interaction.id });
    return true;
  }

  override async supersede(messageId: string, text: string): Promise<void> {
    await editWithBotToken(this.interaction.client, this.channelId, messageId, text);
  }

  get tokenUsable(): boolean {
    return !this.#tokenDead && Date.now() - this.interaction.createdTimestamp < this.lifetimeMs;
  }

  protected async send(payload: ReplyPayload, final: boolean): Promise<Message | null> {
    if (this.tokenUsable) {
      try {
        return await this.interaction.editReply(editOptions(payload));
      } catch (error) {
        if (!isDeadTokenError(error)) throw error;
        this.#tokenDead = true;
        this.log.info('interaction reply unusable (token expired or message deleted); posting to the channel', { interaction: this.interaction.id });
      }
    }
    if (!final) return null;
    const channel = await channelOf(this.interaction.client, this.interaction.channelId);
    return channel.send({
      ...fitMessage({ ...payload, content: `<@${this.userId}> ${payload.content}` }),
      allowedMentions: { parse: [], users: [this.userId] },
    });
  }

  userError(text: string): Promise<void> {
    this.stopStatus();
    return this.enqueue(async () => {
      const i = this.interaction;
      if (!i.deferred && !i.replied) {
        await i.reply({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
        return;
      }
      if (this.tokenUsable) {
        try {
          await i.deleteReply().catch(() => {});
          await i.followUp({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
          return;
        } catch (error) {
          if (!isDeadTokenError(error)) throw error;
          this.#tokenDead = true;
        }
      }
      const channel = await channelOf(i.client, i.channelId);
      await channel.send({ content: `<@${this.userId}> ${text}`, allowedMentions: { parse: [], users: [this.userId] } });
    });
  }
}

export class ChannelReply extends Reply {
  #message: Message | null = null;
  /** Whether #message mentioned the requester when it was created (only a creation notifies). */
  #pinged = false;
  #adopt: string | null;
  /** Statuses removed after the result went to a new message. */
  readonly #removed = new Set<string>();
  /** The message whose edits kept failing (the result went to a new one). */
  #abandoned: string | null = null;

  constructor(
    private readonly client: Client,
    channelId: string,
    guildId: string | null,
    /** The message this answers (shown as a reply), or null for a plain channel post. */
    private readonly sourceMessageId: string | null,
    userId: string,
    log: Logger,
    /** A message of the bot's to show this in (a job's message from before a restart) instead of posting anew. */
    adopt: string | null = null,
  ) {
    super(userId, channelId, guildId, log);
    this.#adopt = adopt;
  }

  /** The message to adopt, fetched once; gone (deleted meanwhile) means a new post. */
  async #adopted(): Promise<void> {
    const id = this.#adopt;
    this.#adopt = null;
    if (!id || this.#message) return;
    try {
      this.#message = await (await channelOf(this.client, this.channelId)).messages.fetch(id);
      this.messageKnown(id);
    } catch (error) {
      this.log.info('the message shown before the restart is gone; posting anew', { message: id, error });
    }
  }

  /** Known in advance only when the result will be edited into a message that already pinged. */
  targetMessageId(): Promise<string | null> {
    return this.enqueue(async () => (this.#pinged ? (this.#message?.id ?? null) : null));
  }

  override fallBackToChannel(): boolean {
    if (!this.#message && !this.#adopt) return false;
    if (this.#message) this.#abandoned = this.#message.id;
    this.#message = null;
    this.#adopt = null;
    return true;
  }

  /**
   * A status this replaced by a new message in the same channel is removed (a pointer to the message
   * right below it would be noise); one whose edits kept failing is pointed to the result when it
   * can be (best effort), and the message the result is in is left alone.
   */
  override async supersede(messageId: string, text: string): Promise<void> {
    if (messageId === this.#message?.id || this.#removed.has(messageId)) return;
    if (messageId === this.#abandoned) {
      if (text) await editWithBotToken(this.client, this.channelId, messageId, text);
      return;
    }
    this.#removed.add(messageId);
    try {
      await (await channelOf(this.client, this.channelId)).messages.delete(messageId);
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage) return;
      this.log.info('could not remove a status the result replaced', { message: messageId, error });
    }
  }

  protected async send(payload: ReplyPayload, final: boolean): Promise<Message | null> {
    await this.#adopted();
    const content = `<@${this.userId}> ${payload.content}`;
    // An edit never notifies: a result (or an error) is edited only into a message that pinged at its
    // creation; a status posted without a ping is replaced by a new message that pings, then removed.
    if (this.#message && (this.#pinged || !final)) {
      try {
        return await this.#message.edit(editOptions({ ...payload, content }));
      } catch (error) {
        if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage)) throw error;
        this.#message = null; // deleted meanwhile: post anew
      }
    }
    const stale = this.#message;
    const channel = await channelOf(this.client, this.channelId);
    this.#message = await channel.send({
      ...fitMessage({ ...payload, content }),
      allowedMentions: final ? { parse: [], users: [this.userId] } : NO_PINGS,
      ...this.#replyTo(),
    });
    this.#pinged = final;
    this.messageKnown(this.#message.id);
    // after the result is returned, so what its buttons need is stored at once
    if (stale) setImmediate(() => void this.supersede(stale.id, ''));
    return this.#message;
  }

  #replyTo() {
    return this.sourceMessageId ? { reply: { messageReference: this.sourceMessageId, failIfNotExists: false } } : {};
  }

  /** In the job's message when it has one (so it does not stay at a status), else a new message. */
  userError(text: string): Promise<void> {
    this.stopStatus();
    return this.enqueue(async () => {
      await this.#adopted();
      if (this.#message) {
        await this.send({ content: text }, true);
        return;
      }
      const channel = await channelOf(this.client, this.channelId);
      await channel.send({
        content: `<@${this.userId}> ${text}`,
        allowedMentions: { parse: [], users: [this.userId] },
        ...this.#replyTo(),
      });
    });
  }
}

/** Edits one of the bot's messages to plain text, by the bot's token (an interaction's token may be dead or failing). */
async function editWithBotToken(client: Client, channelId: string, messageId: string, text: string): Promise<void> {
  const channel = await channelOf(client, channelId);
  await channel.messages.edit(messageId, editOptions({ content: text }));
}

async function channelOf(client: Client, channelId: string | null): Promise<SendableChannels> {
  const channel = channelId ? (client.channels.cache.get(channelId) ?? (await client.channels.fetch(channelId))) : null;
  if (!channel?.isSendable()) throw new Error(`cannot post in channel ${String(channelId)}`);
  return channel;
}
