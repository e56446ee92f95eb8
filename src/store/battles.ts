/**
 * Battles, their entries and votes. Every change is one transaction, so a crash between any two
 * steps leaves either the whole change or none of it: an entry, a vote, a close with its results.
 * Closing ranks the entries by votes, ties broken by the CLIP judge score (then by who entered first).
 */
import { blobToF32, f32ToBlob } from './codec.ts';
import type { Db } from './database.ts';

export type BattleState = 'open' | 'closed' | 'announced';

export interface Battle {
  id: number;
  guildId: string | null;
  channelId: string;
  starterId: string;
  theme: string;
  maxEntries: number | null;
  messageId: string | null;
  createdAt: number;
  endsAt: number;
  state: BattleState;
  /** The language it was started in ('en', 'fr'; null: started before there were languages). */
  locale: string | null;
}

export interface Entry {
  id: number;
  battleId: number;
  userId: string;
  prompt: string;
  /** Null while the entry is being drawn. */
  messageId: string | null;
  judge: number | null;
  createdAt: number;
}

export interface Standing extends Entry {
  votes: number;
  rank: number;
  points: number;
}

export interface LeaderboardRow {
  userId: string;
  wins: number;
  points: number;
  battles: number;
}

/** Points by rank: 3 for the winner, 2 for second, 1 for third. */
export const POINTS = [3, 2, 1];

export type EnterResult = { ok: true; entryId: number } | { ok: false; reason: 'closed' | 'already-entered' | 'full' };
export type VoteResult = { ok: true; previousEntry: Entry | null } | { ok: false; reason: 'closed' | 'own-entry' | 'same' };

type BattleRow = {
  id: number;
  guild_id: string | null;
  channel_id: string;
  starter_id: string;
  theme: string;
  max_entries: number | null;
  message_id: string | null;
  created_at: number;
  ends_at: number;
  state: BattleState;
  locale: string | null;
};
type EntryRow = { id: number; battle_id: number; user_id: string; prompt: string; message_id: string | null; judge: number | null; created_at: number };

const battleOf = (r: BattleRow): Battle => ({
  id: r.id,
  guildId: r.guild_id,
  channelId: r.channel_id,
  starterId: r.starter_id,
  theme: r.theme,
  maxEntries: r.max_entries,
  messageId: r.message_id,
  createdAt: r.created_at,
  endsAt: r.ends_at,
  state: r.state,
  locale: r.locale,
});
const entryOf = (r: EntryRow): Entry => ({
  id: r.id,
  battleId: r.battle_id,
  userId: r.user_id,
  prompt: r.prompt,
  messageId: r.message_id,
  judge: r.judge,
  createdAt: r.created_at,
});

/** Orders standings: votes, then judge score, then the earlier entry; ranks 1..n and points (none when nobody voted). */
export function rankEntries(entries: (Entry & { votes: number })[]): Standing[] {
  const voted = entries.some((e) => e.votes > 0);
  return [...entries]
    .sort((a, b) => b.votes - a.votes || (b.judge ?? -Infinity) - (a.judge ?? -Infinity) || a.createdAt - b.createdAt || a.id - b.id)
    .map((e, i) => ({ ...e, rank: i + 1, points: voted ? (POINTS[i] ?? 0) : 0 }));
}

export class BattleStore {
  readonly #db: Db;
  readonly #now: () => number;

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  /** Starts a battle, or null when the channel already has an open one. */
  start(b: { guildId: string | null; channelId: string; starterId: string; theme: string; maxEntries: number | null; endsAt: number; locale?: string }): Battle | null {
    return this.#db
      .transaction(() => {
        if (this.openIn(b.channelId)) return null;
        const info = this.#db
          .prepare(`INSERT INTO battles (guild_id, channel_id, starter_id, theme, max_entries, created_at, ends_at, state, locale) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)`)
          .run(b.guildId, b.channelId, b.starterId, b.theme, b.maxEntries, this.#now(), b.endsAt, b.locale ?? null);
        return this.get(Number(info.lastInsertRowid));
      })
      .immediate();
  }

  setMessage(battleId: number, messageId: string): void {
    this.#db.prepare('UPDATE battles SET message_id = ? WHERE id = ?').run(messageId, battleId);
  }

  get(id: number): Battle | null {
    const row = this.#db.prepare<[number], BattleRow>('SELECT * FROM battles WHERE id = ?').get(id);
    return row ? battleOf(row) : null;
  }

  openIn(channelId: string): Battle | null {
    const row = this.#db.prepare<[string], BattleRow>(`SELECT * FROM battles WHERE channel_id = ? AND state = 'open'`).get(channelId);
    return row ? battleOf(row) : null;
  }

  /** The latest battle of a channel, open or not. */
  latestIn(channelId: string): Battle | null {
    const row = this.#db.prepare<[string], BattleRow>('SELECT * FROM battles WHERE channel_id = ? ORDER BY id DESC LIMIT 1').get(channelId);
    return row ? battleOf(row) : null;
  }

  inState(state: BattleState): Battle[] {
    return this.#db.prepare<[string], BattleRow>('SELECT * FROM battles WHERE state = ? ORDER BY ends_at').all(state).map(battleOf);
  }

  /** Reserves the user's one entry in an open battle (drawn next, then `completeEntry`). */
  reserveEntry(battleId: number, userId: string, prompt: string): EnterResult {
    return this.#db
      .transaction((): EnterResult => {
        const battle = this.get(battleId);
        if (!battle || battle.state !== 'open' || battle.endsAt <= this.#now()) return { ok: false, reason: 'closed' };
        if (this.#db.prepare('SELECT 1 FROM entries WHERE battle_id = ? AND user_id = ?').get(battleId, userId)) return { ok: false, reason: 'already-entered' };
        const count = (this.#db.prepare('SELECT COUNT(*) AS n FROM entries WHERE battle_id = ?').get(battleId) as { n: number }).n;
        if (battle.maxEntries !== null && count >= battle.maxEntries) return { ok: false, reason: 'full' };
        const info = this.#db.prepare('INSERT INTO entries (battle_id, user_id, prompt, created_at) VALUES (?, ?, ?, ?)').run(battleId, userId, prompt, this.#now());
        return { ok: true, entryId: Number(info.lastInsertRowid) };
      })
      .immediate();
  }

  /** The drawn entry: its message, picture, embedding and judge score. */
  completeEntry(entryId: number, e: { messageId: string; image: Buffer; embedding: Float32Array; judge: number }): void {
    this.#db.prepare('UPDATE entries SET message_id = ?, image = ?, embedding = ?, judge = ? WHERE id = ?').run(e.messageId, e.image, f32ToBlob(e.embedding), e.judge, entryId);
  }

  /** An entry that could not be drawn: the user may enter again. */
  dropEntry(entryId: number): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM votes WHERE entry_id = ?').run(entryId);
      this.#db.prepare('DELETE FROM entries WHERE id = ? AND message_id IS NULL').run(entryId);
    })();
  }

  entry(entryId: number): Entry | null {
    const row = this.#db.prepare<[number], EntryRow>('SELECT id, battle_id, user_id, prompt, message_id, judge, created_at FROM entries WHERE id = ?').get(entryId);
    return row ? entryOf(row) : null;
  }

  entryByMessage(messageId: string): Entry | null {
    const row = this.#db.prepare<[string], EntryRow>('SELECT id, battle_id, user_id, prompt, message_id, judge, created_at FROM entries WHERE message_id = ?').get(messageId);
    return row ? entryOf(row) : null;
  }

  entryImage(entryId: number): { image: Buffer | null; embedding: Float32Array | null } {
    const row = this.#db.prepare<[number], { image: Buffer | null; embedding: Buffer | null }>('SELECT image, embedding FROM entries WHERE id = ?').get(entryId);
    return { image: row?.image ?? null, embedding: row?.embedding ? blobToF32(row.embedding) : null };
  }

  /** One vote per user per battle: a vote for another entry moves it. */
  vote(entryId: number, voterId: string): VoteResult {
    return this.#db
      .transaction((): VoteResult => {
        const entry = this.entry(entryId);
        const battle = entry ? this.get(entry.battleId) : null;
        if (!entry || !battle || battle.state !== 'open' || battle.endsAt <= this.#now() || entry.messageId === null) return { ok: false, reason: 'closed' };
        if (entry.userId === voterId) return { ok: false, reason: 'own-entry' };
        const previous = this.#db.prepare<[number, string], { entry_id: number }>('SELECT entry_id FROM votes WHERE battle_id = ? AND voter_id = ?').get(battle.id, voterId);
        if (previous?.entry_id === entryId) return { ok: false, reason: 'same' };
        this.#db
          .prepare('INSERT INTO votes (battle_id, voter_id, entry_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (battle_id, voter_id) DO UPDATE SET entry_id = excluded.entry_id, created_at = excluded.created_at')
          .run(battle.id, voterId, entryId, this.#now());
        return { ok: true, previousEntry: previous ? this.entry(previous.entry_id) : null };
      })
      .immediate();
  }

  /** The votes an entry has now (what its 👍 button shows). */
  entryVotes(entryId: number): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM votes WHERE entry_id = ?').get(entryId) as { n: number }).n;
  }

  /** Takes back a vote for this entry (its 👍 button clicked again); false when the vote was not there (or the battle is over). */
  unvote(entryId: number, voterId: string): boolean {
    return this.#db
      .transaction(() => {
        const entry = this.entry(entryId);
        const battle = entry ? this.get(entry.battleId) : null;
        if (!battle || battle.state !== 'open') return false;
        return this.#db.prepare('DELETE FROM votes WHERE battle_id = ? AND voter_id = ? AND entry_id = ?').run(battle.id, voterId, entryId).changes > 0;
      })
      .immediate();
  }

  voteOf(battleId: number, voterId: string): number | null {
    const row = this.#db.prepare<[number, string], { entry_id: number }>('SELECT entry_id FROM votes WHERE battle_id = ? AND voter_id = ?').get(battleId, voterId);
    return row?.entry_id ?? null;
  }

  /** The drawn entries with their votes, ranked (the standings so far, or at close). */
  standings(battleId: number): Standing[] {
    const rows = this.#db
      .prepare<[number], EntryRow & { votes: number }>(
        `SELECT e.id, e.battle_id, e.user_id, e.prompt, e.message_id, e.judge, e.created_at, COUNT(v.voter_id) AS votes
         FROM entries e LEFT JOIN votes v ON v.entry_id = e.id
         WHERE e.battle_id = ? AND e.message_id IS NOT NULL GROUP BY e.id`,
      )
      .all(battleId);
    return rankEntries(rows.map((r) => ({ ...entryOf(r), votes: r.votes })));
  }

  /** Entries still being drawn. */
  pendingEntries(battleId: number): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM entries WHERE battle_id = ? AND message_id IS NULL').get(battleId) as { n: number }).n;
  }

  /**
   * Closes an open battle and records its results, in one transaction. Returns the standings, or
   * null when it was not open (someone else closed it first).
   */
  close(battleId: number): Standing[] | null {
    return this.#db
      .transaction(() => {
        const battle = this.get(battleId);
        if (!battle || battle.state !== 'open') return null;
        const standings = this.standings(battleId);
        const insert = this.#db.prepare('INSERT INTO battle_results (battle_id, entry_id, guild_id, user_id, rank, votes, judge, points) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
        for (const s of standings) insert.run(battleId, s.id, battle.guildId, s.userId, s.rank, s.votes, s.judge, s.points);
        this.#db.prepare(`UPDATE battles SET state = 'closed', closed_at = ? WHERE id = ?`).run(this.#now(), battleId);
        return standings;
      })
      .immediate();
  }

  /** The recorded results of a closed battle. */
  results(battleId: number): Standing[] {
    return this.#db
      .prepare<[number], EntryRow & { votes: number; rank: number; points: number }>(
        `SELECT e.id, e.battle_id, e.user_id, e.prompt, e.message_id, r.judge, e.created_at, r.votes, r.rank, r.points
         FROM battle_results r JOIN entries e ON e.id = r.entry_id WHERE r.battle_id = ? ORDER BY r.rank`,
      )
      .all(battleId)
      .map((r) => ({ ...entryOf(r), votes: r.votes, rank: r.rank, points: r.points }));
  }

  /** The results were posted. */
  announced(battleId: number): void {
    this.#db.prepare(`UPDATE battles SET state = 'announced' WHERE id = ? AND state = 'closed'`).run(battleId);
  }

  /** A guild's top players: points, then wins. */
  leaderboard(guildId: string | null, limit = 10): LeaderboardRow[] {
    return this.#db
      .prepare<[string | null, number], LeaderboardRow>(
        `SELECT user_id AS userId, SUM(rank = 1) AS wins, SUM(points) AS points, COUNT(*) AS battles
         FROM battle_results WHERE guild_id IS ? GROUP BY user_id ORDER BY points DESC, wins DESC, MIN(rowid) LIMIT ?`,
      )
      .all(guildId, limit);
  }
}
