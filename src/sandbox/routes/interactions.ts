/** The interaction callback: the one acknowledgement of an interaction, within its 3-second window. */
import {
  ApplicationCommandType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  MessageType,
  type APIModalInteractionResponseCallbackData,
} from 'discord-api-types/v10';
import { errors } from '../errors.ts';
import { route, type Route, type RouteContext } from '../http.ts';
import type { InteractionRecord } from '../interactions.ts';
import { createMessage, editMessage, renderMessage, storeUploads, validateMessageBody, type MessageBody } from '../messages.ts';
import type { MessageRecord } from '../world.ts';
import type { RouteHost } from './host.ts';

export function interactionRoutes(host: RouteHost): Route[] {
  return [
    route('POST', '/interactions/:interaction/:token/callback', 'none', async (ctx) => {
      const interaction = host.interactions.get(ctx.params.interaction!);
      if (!interaction || interaction.token !== ctx.params.token) throw errors.unknownInteraction();
      if (host.now() - interaction.createdAt > host.ackWindowMs) {
        interaction.lateAck = true;
        throw errors.unknownInteraction();
      }
      if (interaction.response !== null) throw errors.alreadyAcknowledged();
      interaction.response = ctx.json?.type ?? null;
      let message: MessageRecord | null;
      try {
        message = await respond(host, interaction, ctx);
      } catch (error) {
        interaction.response = null;
        throw error;
      }
      host.emit('change');
      const type = interaction.response;
      const action = type === InteractionResponseType.UpdateMessage ? 'edit' : type === InteractionResponseType.ChannelMessageWithSource || type === InteractionResponseType.DeferredChannelMessageWithSource ? 'create' : null;
      const done = message && action ? { messageId: message.message.id, action } as const : {};
      if (ctx.query.get('with_response') !== 'true') return { status: 204, ...done };
      return {
        ...done,
        status: 200,
        body: {
          interaction: {
            id: interaction.id,
            type: interaction.type,
            ...(message ? { response_message_id: message.message.id, response_message_loading: ((message.message.flags ?? 0) & MessageFlags.Loading) !== 0, response_message_ephemeral: interaction.ephemeral } : {}),
          },
          ...(message ? { resource: { type: interaction.response, message: renderMessage(message, host.world.bot.id) } } : { resource: { type: interaction.response } }),
        },
      };
    }),
  ];
}

/** Applies the response: a new original message (or "thinking…"), an update of the button's message, or a modal. */
async function respond(host: RouteHost, interaction: InteractionRecord, ctx: RouteContext): Promise<MessageRecord | null> {
  const w = host.world;
  const type = ctx.json?.type as InteractionResponseType;
  const data = (ctx.json?.data ?? {}) as MessageBody & Partial<APIModalInteractionResponseCallbackData>;
  const isComponent = interaction.type === InteractionType.MessageComponent || (interaction.type === InteractionType.ModalSubmit && interaction.sourceMessageId);
  const ephemeral = ((data.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
  const messageType = interaction.type === InteractionType.ApplicationCommand
    ? (interaction.payload.data as { type: number }).type === ApplicationCommandType.ChatInput ? MessageType.ChatInputCommand : MessageType.ContextMenuCommand
    : MessageType.Default;
  const newOriginal = async (loading: boolean) => {
    validateMessageBody(data, { requireSomething: !loading, fileCount: ctx.files.length });
    const attachments = await storeUploads(w, interaction.channelId, data, ctx.files, host.url, host.uploadLimitBytes);
    const record = createMessage(w, {
      channelId: interaction.channelId,
      author: w.bot,
      body: loading ? { flags: data.flags ?? 0 } : data,
      attachments,
      type: messageType,
      webhookId: w.applicationId,
      applicationId: w.applicationId,
      interaction: { metadata: { id: interaction.id, type: interaction.type, user: interaction.user, authorizing_integration_owners: { 0: interaction.guildId } } as never, name: interaction.name },
      ephemeralFor: ephemeral ? interaction.user.id : null,
      loading,
    });
    interaction.originalMessageId = record.message.id;
    interaction.ephemeral = ephemeral;
    host.announce.message(record, 'create');
    return record;
  };
  switch (type) {
    case InteractionResponseType.ChannelMessageWithSource:
      return newOriginal(false);
    case InteractionResponseType.DeferredChannelMessageWithSource:
      return newOriginal(true);
    case InteractionResponseType.DeferredMessageUpdate:
    case InteractionResponseType.UpdateMessage: {
      if (!isComponent) throw errors.invalidForm('type', 'This interaction type cannot update a message.');
      const source = host.messageById(interaction.sourceMessageId!);
      if (type === InteractionResponseType.UpdateMessage) {
        validateMessageBody(data, { requireSomething: false, fileCount: ctx.files.length });
        const uploaded = await storeUploads(w, interaction.channelId, data, ctx.files, host.url, host.uploadLimitBytes);
        editMessage(w, source, data, uploaded);
        host.announce.message(source, 'update');
      }
      return source;
    }
    case InteractionResponseType.Modal: {
      if (interaction.type === InteractionType.ModalSubmit) throw errors.invalidForm('type', 'A modal cannot answer a modal submit.');
      if (!data.custom_id || !data.title || !Array.isArray(data.components) || data.components.length === 0) {
        throw errors.invalidForm('data', 'A modal needs custom_id, title and components.');
      }
      interaction.modal = data as APIModalInteractionResponseCallbackData;
      return null;
    }
    default:
      throw errors.invalidForm('type', `Response type ${String(type)} is not valid for this interaction.`);
  }
}
