/**
 * What the local Discord tells connected clients when a channel changes: MESSAGE_CREATE / UPDATE /
 * DELETE and reactions, on the gateway as Discord sends them (ephemeral messages are never
 * dispatched), plus the local `message` and `change` events that waiters and the web page follow.
 */
import { GatewayDispatchEvents, type APIUser } from 'discord-api-types/v10';
import type { GatewayServer } from './gateway.ts';
import { renderMessage } from './messages.ts';
import type { MessageRecord, World } from './world.ts';

export type MessageChange = 'create' | 'update' | 'delete';

export class Announcer {
  constructor(
    private readonly world: World,
    private readonly gateway: GatewayServer,
    private readonly emit: (event: string, ...args: unknown[]) => void,
  ) {}

  message(record: MessageRecord, kind: MessageChange): void {
    if (!record.ephemeralFor) {
      const guildId = record.guildId;
      if (kind === 'delete') {
        this.gateway.dispatch(GatewayDispatchEvents.MessageDelete, { id: record.message.id, channel_id: record.message.channel_id, ...(guildId ? { guild_id: guildId } : {}) }, { guildId });
      } else {
        const member = guildId && !record.message.webhook_id ? { member: memberOf(this.world, guildId, record.message.author.id) } : {};
        const event = kind === 'create' ? GatewayDispatchEvents.MessageCreate : GatewayDispatchEvents.MessageUpdate;
        this.gateway.dispatch(event, { ...renderMessage(record, this.world.bot.id), ...(guildId ? { guild_id: guildId } : {}), ...member } as never, { guildId });
      }
    }
    this.emit('message', record, kind);
    this.emit('change');
  }

  delete(record: MessageRecord): void {
    record.deleted = true;
    this.message(record, 'delete');
  }

  addReaction(record: MessageRecord, user: APIUser, emoji: string): void {
    const users = record.reactions.get(emoji) ?? [];
    if (users.includes(user.id)) return;
    users.push(user.id);
    record.reactions.set(emoji, users);
    this.gateway.dispatch(
      GatewayDispatchEvents.MessageReactionAdd,
      {
        user_id: user.id,
        channel_id: record.message.channel_id,
        message_id: record.message.id,
        ...(record.guildId ? { guild_id: record.guildId, member: this.world.member(record.guildId, user.id) } : {}),
        emoji: { id: null, name: emoji },
        message_author_id: record.message.author.id,
        burst: false,
        burst_colors: [],
        type: 0,
      } as never,
      { guildId: record.guildId },
    );
    this.emit('change');
  }

  removeReaction(record: MessageRecord, user: APIUser, emoji: string): void {
    const users = record.reactions.get(emoji) ?? [];
    if (!users.includes(user.id)) return;
    record.reactions.set(emoji, users.filter((id) => id !== user.id));
    this.gateway.dispatch(
      GatewayDispatchEvents.MessageReactionRemove,
      {
        user_id: user.id,
        channel_id: record.message.channel_id,
        message_id: record.message.id,
        ...(record.guildId ? { guild_id: record.guildId } : {}),
        emoji: { id: null, name: emoji },
        burst: false,
        type: 0,
      } as never,
      { guildId: record.guildId },
    );
    this.emit('change');
  }
}

function memberOf(world: World, guildId: string, userId: string) {
  const { user: _user, ...member } = world.member(guildId, userId);
  return member;
}
