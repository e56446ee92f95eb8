/** An interaction as a test follows it: wait for its acknowledgement, its modal, its messages. */
import { MessageFlags, type APIMessage, type APIModalInteractionResponseCallbackData, type InteractionResponseType } from 'discord-api-types/v10';
import { InteractionHandle } from '../interaction-handle.ts';
import type { InteractionRecord } from '../interactions.ts';
import type { World } from '../world.ts';

export const WAIT_MS = 60_000;

export interface Waiter {
  waitUntil<T>(check: () => T | null, timeoutMs: number, what: string): Promise<T>;
}

export class TestInteraction extends InteractionHandle {
  constructor(
    world: World,
    record: InteractionRecord,
    private readonly waiter: Waiter,
  ) {
    super(world, record);
  }

  /** Resolves with the response type once the bot acknowledged the interaction. */
  acknowledged(timeoutMs = WAIT_MS): Promise<InteractionResponseType> {
    return this.waiter.waitUntil(() => this.record.response, timeoutMs, `interaction ${this.record.name} to be acknowledged`);
  }

  /** Resolves when the bot answered with a modal. */
  modal(timeoutMs = WAIT_MS): Promise<APIModalInteractionResponseCallbackData> {
    return this.waiter.waitUntil(() => this.record.modal, timeoutMs, `interaction ${this.record.name} to show a modal`);
  }

  /** Resolves with the first message of this interaction (no longer "thinking…") that matches. */
  waitForMessage(predicate: (m: APIMessage) => boolean = () => true, timeoutMs = WAIT_MS): Promise<APIMessage> {
    return this.waiter.waitUntil(
      () => this.messages().find((m) => ((m.flags ?? 0) & MessageFlags.Loading) === 0 && predicate(m)) ?? null,
      timeoutMs,
      `a message from interaction ${this.record.name}`,
    );
  }

  /** The reply a user would read for an error: an ephemeral message of this interaction. */
  waitForEphemeral(timeoutMs = WAIT_MS): Promise<APIMessage> {
    return this.waitForMessage((m) => ((m.flags ?? 0) & MessageFlags.Ephemeral) !== 0, timeoutMs);
  }
}
