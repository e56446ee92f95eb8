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
  invalidForm: (path: string, message: string) =>
    new DiscordHttpError(400, RESTJSONErrorCodes.InvalidFormBodyOrContentType, 'Invalid Form Body', {
      [path]: { _errors: [{ code: 'BASE_TYPE_INVALID', message }] },
    }),
};
