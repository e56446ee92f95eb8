/** Routes of an interaction's webhook (its token): follow-ups, and reading, editing or deleting its messages. */
import { MessageFlags } from 'discord-api-types/v10';
import { errors } from '../errors.ts';
import { route, type Route } from '../http.ts';
import { createMessage, renderMessage, storeUploads, validateMessageBody, type MessageBody } from '../messages.ts';
import { editRoute, interactionFor, webhookMessage, type RouteHost } from './host.ts';

export function webhookRoutes(host: RouteHost): Route[] {
  const w = host.world;
  return [
    route('POST', '/webhooks/:app/:token', 'none', async (ctx) => {
      const interaction = interactionFor(host, ctx.params.app!, ctx.params.token!);
      if (interaction.response === null) throw errors.unknownWebhook();
      const body = ctx.json as MessageBody;
      validateMessageBody(body, { requireSomething: true, fileCount: ctx.files.length });
      const attachments = await storeUploads(w, interaction.channelId, body, ctx.files, host.url, host.uploadLimitBytes);
      const record = createMessage(w, {
        channelId: interaction.channelId,
        author: w.bot,
        body,
        attachments,
        webhookId: w.applicationId,
        applicationId: w.applicationId,
        interaction: { metadata: { id: interaction.id, type: interaction.type, user: interaction.user, authorizing_integration_owners: { 0: interaction.guildId } } as never, name: interaction.name },
        ephemeralFor: (body.flags ?? 0) & MessageFlags.Ephemeral ? interaction.user.id : null,
      });
      interaction.followupIds.push(record.message.id);
      host.announce.message(record, 'create');
      const done = { messageId: record.message.id, action: 'create' } as const;
      return ctx.query.get('wait') === 'false' ? { status: 204, ...done } : { status: 200, body: renderMessage(record, w.bot.id), ...done };
    }),
    route('GET', '/webhooks/:app/:token/messages/:message', 'none', (ctx) => {
      const interaction = interactionFor(host, ctx.params.app!, ctx.params.token!);
      return { status: 200, body: renderMessage(webhookMessage(host, interaction, ctx.params.message!), w.bot.id) };
    }),
    route('PATCH', '/webhooks/:app/:token/messages/:message', 'none', async (ctx) => {
      const interaction = interactionFor(host, ctx.params.app!, ctx.params.token!);
      return editRoute(host, webhookMessage(host, interaction, ctx.params.message!), ctx);
    }),
    route('DELETE', '/webhooks/:app/:token/messages/:message', 'none', (ctx) => {
      const interaction = interactionFor(host, ctx.params.app!, ctx.params.token!);
      const record = webhookMessage(host, interaction, ctx.params.message!);
      host.announce.delete(record);
      return { status: 204, messageId: record.message.id, action: 'delete' };
    }),
  ];
}
