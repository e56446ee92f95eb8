/** One simulated interaction as whoever started it sees it: its record, and the messages it produced. */
import { type APIMessage } from 'discord-api-types/v10';
import type { InteractionRecord } from './interactions.ts';
import { renderMessage } from './messages.ts';
import type { World } from './world.ts';

export class InteractionHandle {
  constructor(
    readonly world: World,
    readonly record: InteractionRecord,
  ) {}

  get id(): string {
    return this.record.id;
  }

  /** Every message this interaction produced (original response and follow-ups), oldest first. */
  messages(): APIMessage[] {
    const ids = [this.record.originalMessageId, ...this.record.followupIds].filter((id): id is string => Boolean(id));
    return ids.flatMap((id) => {
      const r = this.world.messages.get(id);
      return r && !r.deleted ? [renderMessage(r, this.record.user.id)] : [];
    });
  }
}
