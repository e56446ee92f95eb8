/**
 * Buttons, modals and reactions handled like commands (Sapphire's interaction handlers): one file
 * each in handlers/, exporting how to recognise its input (`parse`: its custom id or emoji, null when
 * not its own) and what to do with it (`run`). Each handler builds and parses its own custom id.
 *
 * `run` answers the interaction itself, throws a UserInputError (the router answers it
 * ephemerally), or returns a JobRequest that the router queues for whoever clicked or reacted.
 * (Handlers return their job rather than queueing it because the result messages carry their
 * buttons: delivery imports the handlers, so the handlers do not import the queueing.)
 */
import type { ButtonInteraction, Client, ModalSubmitInteraction } from 'discord.js';
import type { BotContext } from './context.ts';
import type { Lang } from './i18n/index.ts';
import type { JobRequest } from './request.ts';

/** A reaction added to or taken off a message, with what the handlers need of it. */
export interface ReactionEvent {
  client: Client;
  emoji: string;
  userId: string;
  messageId: string;
  channelId: string;
  guildId: string | null;
  /** The language of the jobs it starts: the server's preferred locale, as a reaction carries none (absent: English). */
  locale?: Lang;
}

interface Piece<I, T> {
  parse(input: I): T | null;
  run(input: I, parsed: T, ctx: BotContext): Promise<JobRequest | void>;
}

export interface ButtonHandler<T> extends Piece<ButtonInteraction, T> {
  readonly type: 'button';
}
export interface ModalHandler<T> extends Piece<ModalSubmitInteraction, T> {
  readonly type: 'modal';
}
export interface ReactionHandler<T> extends Piece<ReactionEvent, T> {
  readonly type: 'reaction-add' | 'reaction-remove';
}

export type HandlerType = 'button' | 'modal' | 'reaction-add' | 'reaction-remove';
/** Any handler, whatever it parses to (the router holds them in one list). */
export type Handler = ButtonHandler<any> | ModalHandler<any> | ReactionHandler<any>;
