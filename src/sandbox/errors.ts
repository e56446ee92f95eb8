import { RESTJSONErrorCodes } from 'discord-api-types/v10';

/** An error the local Discord answers with, in Discord's JSON error shape. */
export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { message: this.message, code: this.code, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

export const errors = {
  unauthorized: () => new DiscordHttpError(401, 0, '401: Unauthorized'),
  notFound: () => new DiscordHttpError(404, 0, '404: Not Found'),
  unknownChannel: () => new DiscordHttpError(404, RESTJSONErrorCodes.UnknownChannel, 'Unknown Channel'),
  unknownGuild: () => new DiscordHttpError(404, RESTJSONErrorCodes.UnknownGuild, 'Unknown Guild'),
  unknownMember: () => new DiscordHttpError(404, RESTJSONErrorCodes.UnknownMember, 'Unknown Member'),
  unknownUser: () => new DiscordHttpError(404, RESTJSONErrorCodes.UnknownUser, 'Unknown User'),
  unknownMessage: () => new DiscordHttpError(404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message'),
  unknownWebhook: () => new DiscordHttpError(404, RESTJSONErrorCodes.UnknownWebhook, 'Unknown Webhook'),
  unknownEmoji: () => new DiscordHttpError(400, RESTJSONErrorCodes.UnknownEmoji, 'Unknown Emoji'),
  unknownCommand: () => new DiscordHttpError(404, RESTJSONErrorCodes.UnknownApplicationCommand, 'Unknown application command'),
  unknownInteraction: () => new DiscordHttpError(404, RESTJSONErrorCodes.UnknownInteraction, 'Unknown interaction'),
  alreadyAcknowledged: () =>
    new DiscordHttpError(400, RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged, 'Interaction has already been acknowledged.'),
  invalidWebhookToken: () => new DiscordHttpError(401, RESTJSONErrorCodes.InvalidWebhookToken, 'Invalid Webhook Token'),
  tooLarge: () => new DiscordHttpError(413, RESTJSONErrorCodes.RequestEntityTooLarge, 'Request entity too large'),
  cannotSendEmpty: () => new DiscordHttpError(400, RESTJSONErrorCodes.CannotSendAnEmptyMessage, 'Cannot send an empty message'),
  /** 50035 Invalid Form Body, with the error under its field's path (`embeds.0.title`) as Discord nests it. */
  invalidForm: (path: string, message: string, code = 'BASE_TYPE_INVALID') => formErrors([{ path, code, message }]),
  /** A string or list over its limit: Discord's BASE_TYPE_MAX_LENGTH. */
  maxLength: (path: string, max: number) => formErrors([{ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` }]),
  required: (path: string) => formErrors([{ path, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]),
};

export interface FieldError {
  /** Dotted, with list indices as segments: `embeds.0.fields.3.value`; '' for the body itself. */
  path: string;
  code: string;
  message: string;
}

/**
 * Discord's 400 for a body it refuses: `{ code: 50035, message: 'Invalid Form Body', errors }` where
 * `errors` nests the path, e.g. `{ embeds: { 0: { title: { _errors: [{ code, message }] } } } }`.
 */
export function formErrors(list: FieldError[]): DiscordHttpError {
  const tree: Record<string, unknown> = {};
  for (const { path, code, message } of list) {
    let node = tree;
    for (const key of path ? path.split('.') : []) node = (node[key] ??= {}) as Record<string, unknown>;
    ((node._errors ??= []) as unknown[]).push({ code, message });
  }
  return new DiscordHttpError(400, RESTJSONErrorCodes.InvalidFormBodyOrContentType, 'Invalid Form Body', tree);
}
