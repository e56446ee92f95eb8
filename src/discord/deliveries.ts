/**
 * The outbox's timings and its stop (outbox.ts delivers; this is what the bot's context holds of it):
 * how long to wait between attempts, when to fall back to the channel, when to give up.
 */

export interface DeliveryTimings {
  /** The first retry waits this long, each next one twice as long, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Failing this long through the interaction (or the message it edits) sends the result to the channel instead. */
  fallbackAfterMs: number;
  /** Failing this long since the result was stored gives the delivery up (the requester is told). */
  giveUpAfterMs: number;
}

export const DELIVERY_TIMINGS: DeliveryTimings = { backoffMs: 2_000, maxBackoffMs: 5 * 60_000, fallbackAfterMs: 60_000, giveUpAfterMs: 24 * 60 * 60_000 };

/** The outbox's timings and its stop: waits between attempts end at a stop (the delivery stays pending). */
export class Deliveries {
  readonly timings: DeliveryTimings;
  readonly now: () => number;
  readonly #stopping = new AbortController();

  constructor(timings: Partial<DeliveryTimings> = {}, now: () => number = Date.now) {
    this.timings = { ...DELIVERY_TIMINGS, ...timings };
    this.now = now;
  }

  get stopping(): AbortSignal {
    return this.#stopping.signal;
  }

  /** No more waiting for a retry: pending deliveries are left in the outbox for the next start. */
  stop(): void {
    this.#stopping.abort();
  }
}
