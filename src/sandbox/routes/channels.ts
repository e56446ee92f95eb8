/** Routes of channels: the channel, its messages (the bot's token), and reactions. */
import { MessageType } from 'discord-api-types/v10';
import { DiscordHttpError, errors } from '../errors.ts';
import { route, type Route, type RouteContext } from '../http.ts';
import { createMessage, renderMessage, storeUploads, validateMessageBody, type MessageBody } from '../messages.ts';
import { editRoute, type RouteHost } from './host.ts';

export function channelRoutes(host: RouteHost): Route[] {
  const w = host.world;
  const channelMessage = (ctx: RouteContext) => w.message(w.channel(ctx.params.channel!).id, ctx.params.message!);
  return [
    route('GET', '/channels/:channel', 'bot', (ctx) => ({ status: 200, body: w.channel(ctx.params.channel!) })),
    route('POST', '/channels/:channel/typing', 'bot', (ctx) => (w.channel(ctx.params.channel!), { status: 204 })),
    route('GET', '/channels/:channel/messages', 'bot', (ctx) => {
      const limit = Math.min(Number(ctx.query.get('limit') ?? 50), 100);
      const list = host.channelMessages(w.channel(ctx.params.channel!).id).reverse().slice(0, limit);
      return { status: 200, body: list.map((m) => renderMessage(host.messageById(m.id), w.bot.id)) };
    }),
    route('POST', '/channels/:channel/messages', 'bot', async (ctx) => {
      const channel = w.channel(ctx.params.channel!);
      const body = ctx.json as MessageBody;
      validateMessageBody(body, { requireSomething: true, fileCount: ctx.files.length });
      if (body.message_reference?.message_id) w.message(channel.id, body.message_reference.message_id);
      const attachments = await storeUploads(w, channel.id, body, ctx.files, host.url, host.uploadLimitBytes);
      const record = createMessage(w, { channelId: channel.id, author: w.bot, body, attachments, type: body.message_reference ? MessageType.Reply : MessageType.Default });
      host.announce.message(record, 'create');
      return { status: 200, body: renderMessage(record, w.bot.id), messageId: record.message.id, action: 'create' };
    }),
    route('GET', '/channels/:channel/messages/:message', 'bot', (ctx) => {
      const record = channelMessage(ctx);
      if (record.ephemeralFor) throw errors.unknownMessage();
      return { status: 200, body: renderMessage(record, w.bot.id) };
    }),
    route('PATCH', '/channels/:channel/messages/:message', 'bot', async (ctx) => {
      const record = channelMessage(ctx);
      if (record.message.author.id !== w.bot.id || record.ephemeralFor) throw new DiscordHttpError(403, 50005, 'Cannot edit a message authored by another user');
      return editRoute(host, record, ctx);
    }),
    route('DELETE', '/channels/:channel/messages/:message', 'bot', (ctx) => {
      const record = channelMessage(ctx);
      host.announce.delete(record);
      return { status: 204, messageId: record.message.id, action: 'delete' };
    }),
    route('PUT', '/channels/:channel/messages/:message/reactions/:emoji/@me', 'bot', (ctx) => {
      const record = channelMessage(ctx);
      if (!isUnicodeEmoji(ctx.params.emoji!)) throw errors.unknownEmoji();
      host.announce.addReaction(record, w.bot, ctx.params.emoji!);
      return { status: 204 };
    }),
    route('DELETE', '/channels/:channel/messages/:message/reactions/:emoji/@me', 'bot', (ctx) => {
      host.announce.removeReaction(channelMessage(ctx), w.bot, ctx.params.emoji!);
      return { status: 204 };
    }),
    route('DELETE', '/channels/:channel/messages/:message/reactions/:emoji/:user', 'bot', (ctx) => {
      host.announce.removeReaction(channelMessage(ctx), w.user(ctx.params.user!), ctx.params.emoji!);
      return { status: 204 };
    }),
    route('GET', '/channels/:channel/messages/:message/reactions/:emoji', 'bot', (ctx) => {
      const users = channelMessage(ctx).reactions.get(ctx.params.emoji!) ?? [];
      return { status: 200, body: users.map((id) => w.user(id)) };
    }),
  ];
}

function isUnicodeEmoji(value: string): boolean {
  return /\p{Extended_Pictographic}|\p{Emoji_Presentation}|\u20e3/u.test(value);
}
