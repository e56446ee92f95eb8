/**
 * The outbox: a finished result is written here before it is delivered, and stays `pending` until
 * Discord has it (`delivered`, with its message) or delivery is given up. Each failed attempt is
 * counted with its error. At start the pending ones are delivered again, so a result that Discord
 * refused for a while, or that a restart interrupted, still arrives.
 */
import { fromJson, toJson } from './codec.ts';
import type { Db } from './database.ts';

export type DeliveryState = 'pending' | 'delivered' | 'given-up';

export interface DeliveryEntry<P = unknown> {
  id: number;
  /** The journalled job this is the result of (null: a job that is not journalled). */
  jobId: number | null;
  state: DeliveryState;
  userId: string;
  channelId: string;
  guildId: string | null;
  /** The message the job was shown in while it ran, if any. */
  statusMessageId: string | null;
  /** What to deliver; null once delivered. */
  payload: P | null;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  createdAt: number;
}

type DeliveryRow = {
  id: number;
  job_id: number | null;
  state: DeliveryState;
  user_id: string;
  channel_id: string;
  guild_id: string | null;
  status_message_id: string | null;
  payload: string | null;
  attempts: number;
  last_error: string | null;
  message_id: string | null;
  created_at: number;
};

export class Outbox {
  readonly #db: Db;
  readonly #now: () => number;

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  /** Stores a result to deliver; returns its id. */
  add(d: { jobId: number | null; userId: string; channelId: string; guildId: string | null; statusMessageId: string | null; payload: unknown }): number {
    const now = this.#now();
    const info = this.#db
      .prepare(
        `INSERT INTO deliveries (job_id, state, user_id, channel_id, guild_id, status_message_id, payload, attempts, created_at, updated_at)
         VALUES (?, 'pending', ?, ?, ?, ?, ?, 0, ?, ?)`,
      )
      .run(d.jobId, d.userId, d.channelId, d.guildId, d.statusMessageId, toJson(d.payload), now, now);
    return Number(info.lastInsertRowid);
  }

  /** One more attempt failed, with this error. */
  failedAttempt(id: number, error: string): void {
    this.#db.prepare(`UPDATE deliveries SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ? AND state = 'pending'`).run(error.slice(0, 500), this.#now(), id);
  }

  /** Discord has it, in this message: what it needed to deliver is no longer kept. */
  delivered(id: number, messageId: string | null): void {
    this.#db.prepare(`UPDATE deliveries SET state = 'delivered', message_id = ?, payload = NULL, updated_at = ? WHERE id = ?`).run(messageId, this.#now(), id);
  }

  givenUp(id: number, error: string): void {
    this.#db.prepare(`UPDATE deliveries SET state = 'given-up', last_error = ?, payload = NULL, updated_at = ? WHERE id = ?`).run(error.slice(0, 500), this.#now(), id);
  }

  get<P = unknown>(id: number): DeliveryEntry<P> | null {
    const row = this.#db.prepare<[number], DeliveryRow>('SELECT * FROM deliveries WHERE id = ?').get(id);
    return row ? entryOf<P>(row) : null;
  }

  /** Deliveries not yet done nor given up, oldest first. */
  pending<P = unknown>(): DeliveryEntry<P>[] {
    return this.#db
      .prepare<[], DeliveryRow>(`SELECT * FROM deliveries WHERE state = 'pending' ORDER BY id`)
      .all()
      .map((row) => entryOf<P>(row));
  }
}

function entryOf<P>(row: DeliveryRow): DeliveryEntry<P> {
  return {
    id: row.id,
    jobId: row.job_id,
    state: row.state,
    userId: row.user_id,
    channelId: row.channel_id,
    guildId: row.guild_id,
    statusMessageId: row.status_message_id,
    payload: row.payload === null ? null : fromJson<P>(row.payload),
    attempts: row.attempts,
    lastError: row.last_error,
    messageId: row.message_id,
    createdAt: row.created_at,
  };
}
