/**
 * The job journal: every journalled job is written here before it runs (queued), when it starts
 * (running, one more attempt), and when it ends (done with its message, or failed). After a crash or
 * a restart the jobs still queued or running are the ones to run again.
 */
import { fromJson, toJson } from './codec.ts';
import type { Db } from './database.ts';

export type JournalState = 'queued' | 'running' | 'done' | 'failed';

export interface JournalEntry<P = unknown> {
  id: number;
  state: JournalState;
  userId: string;
  channelId: string;
  guildId: string | null;
  interactionId: string | null;
  /** The message the job's status is shown in, once known (edited after a restart). */
  statusMessageId: string | null;
  payload: P;
  attempts: number;
  resultMessageId: string | null;
  error: string | null;
  createdAt: number;
}

type JobRow = {
  id: number;
  state: JournalState;
  user_id: string;
  channel_id: string;
  guild_id: string | null;
  interaction_id: string | null;
  status_message_id: string | null;
  payload: string;
  attempts: number;
  result_message_id: string | null;
  error: string | null;
  created_at: number;
};

export class JobJournal {
  readonly #db: Db;
  readonly #now: () => number;

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  /** Journals a job about to be queued; returns its id. */
  add(job: { userId: string; channelId: string; guildId: string | null; interactionId: string | null; payload: unknown }): number {
    const now = this.#now();
    const info = this.#db
      .prepare(
        `INSERT INTO jobs (state, user_id, channel_id, guild_id, interaction_id, payload, attempts, created_at, updated_at)
         VALUES ('queued', ?, ?, ?, ?, ?, 0, ?, ?)`,
      )
      .run(job.userId, job.channelId, job.guildId, job.interactionId, toJson(job.payload), now, now);
    return Number(info.lastInsertRowid);
  }

  /** The job starts (again): one more attempt. */
  started(id: number): void {
    this.#db.prepare(`UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state IN ('queued', 'running')`).run(this.#now(), id);
  }

  /** The message the job's status is shown in. */
  showing(id: number, messageId: string): void {
    this.#db.prepare(`UPDATE jobs SET status_message_id = ?, updated_at = ? WHERE id = ?`).run(messageId, this.#now(), id);
  }

  /** The job journalled for an interaction (a command or a button click), if any. */
  byInteraction(interactionId: string): JournalEntry | null {
    const row = this.#db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE interaction_id = ? ORDER BY id LIMIT 1').get(interactionId);
    return row ? entryOf(row) : null;
  }

  done(id: number, messageId: string | null): void {
    this.#db.prepare(`UPDATE jobs SET state = 'done', result_message_id = ?, updated_at = ? WHERE id = ?`).run(messageId, this.#now(), id);
  }

  failed(id: number, error: string): void {
    this.#db.prepare(`UPDATE jobs SET state = 'failed', error = ?, updated_at = ? WHERE id = ?`).run(error, this.#now(), id);
  }

  get<P = unknown>(id: number): JournalEntry<P> | null {
    const row = this.#db.prepare<[number], JobRow>('SELECT * FROM jobs WHERE id = ?').get(id);
    return row ? entryOf<P>(row) : null;
  }

  /** Jobs queued or running when the last process stopped, oldest first. */
  unfinished<P = unknown>(): JournalEntry<P>[] {
    return this.#db
      .prepare<[], JobRow>(`SELECT * FROM jobs WHERE state IN ('queued', 'running') ORDER BY id`)
      .all()
      .map((row) => entryOf<P>(row));
  }
}

function entryOf<P>(row: JobRow): JournalEntry<P> {
  return {
    id: row.id,
    state: row.state,
    userId: row.user_id,
    channelId: row.channel_id,
    guildId: row.guild_id,
    interactionId: row.interaction_id,
    statusMessageId: row.status_message_id,
    payload: fromJson<P>(row.payload),
    attempts: row.attempts,
    resultMessageId: row.result_message_id,
    error: row.error,
    createdAt: row.created_at,
  };
}
