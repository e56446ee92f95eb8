/**
 * What the route handlers need from the local Discord (an interface, so that the routes do not
 * import the server that mounts them), and the pieces that several resources share: editing a
 * message, and finding the interaction and message a webhook token points at.
 */
import type { APIMessage, APIUser } from 'discord-api-types/v10';
import type { Announcer } from '../announcer.ts';
import { errors } from '../errors.ts';
import type { RouteContext, RouteResult } from '../http.ts';
import type { InteractionRecord } from '../interactions.ts';
import { editMessage, renderMessage, storeUploads, validateMessageBody, type MessageBody } from '../messages.ts';
import type { Sharding } from '../shards.ts';
import type { MessageRecord, World } from '../world.ts';

export interface RouteHost {
  readonly world: World;
  readonly guildId: string;
  readonly gatewayUrl: string;
  readonly sharding: Sharding;
  /** http://127.0.0.1:PORT, the base of attachment URLs. */
  readonly url: string;
  readonly interactions: Map<string, InteractionRecord>;
  readonly ackWindowMs: number;
  readonly tokenLifetimeMs: number;
  readonly uploadLimitBytes: number;
  readonly announce: Announcer;
  now(): number;
  messageById(id: string): MessageRecord;
  channelMessages(channelId: string, viewer?: APIUser): APIMessage[];
  interactionByToken(token: string): InteractionRecord | undefined;
  emit(event: string, ...args: unknown[]): boolean;
}

/** PATCH of a message (by the bot's token or an interaction's webhook): validate, store uploads, edit, announce. */
export async function editRoute(host: RouteHost, record: MessageRecord, ctx: RouteContext): Promise<RouteResult> {
  const body = ctx.json as MessageBody;
  validateMessageBody(body, { requireSomething: false, fileCount: ctx.files.length });
  const uploaded = await storeUploads(host.world, record.message.channel_id, body, ctx.files, host.url, host.uploadLimitBytes);
  editMessage(host.world, record, body, uploaded);
  host.announce.message(record, 'update');
  return { status: 200, body: renderMessage(record, host.world.bot.id), messageId: record.message.id, action: 'edit' };
}

/** The interaction whose token a webhook route uses; the token must be live. */
export function interactionFor(host: RouteHost, app: string, token: string): InteractionRecord {
  const interaction = host.interactionByToken(token);
  if (app !== host.world.applicationId || !interaction) throw errors.unknownWebhook();
  if (interaction.tokenExpired || host.now() - interaction.createdAt > host.tokenLifetimeMs) throw errors.invalidWebhookToken();
  return interaction;
}

/** A message an interaction's webhook may read or change: `@original`, or one of its follow-ups. */
export function webhookMessage(host: RouteHost, interaction: InteractionRecord, messageId: string): MessageRecord {
  if (messageId === '@original') {
    if (interaction.response === null) throw errors.unknownWebhook();
    const id = interaction.originalMessageId ?? interaction.sourceMessageId;
    if (!id) throw errors.unknownMessage();
    return host.messageById(id);
  }
  if (!interaction.followupIds.includes(messageId) && interaction.originalMessageId !== messageId) throw errors.unknownMessage();
  return host.messageById(messageId);
}
