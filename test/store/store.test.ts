/** The SQLite store on a real file in a temp dir: schema, generations, the job journal, battle rules. */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { rankEntries, Store, fromJson, toJson } from '../../src/store/index.ts';

let dir: string;
let store: Store;
let clock = 1_000_000;
const now = () => clock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'unclip-store-'));
  clock = 1_000_000;
  store = Store.open(join(dir, 'nested', 'unclip.db'), { now });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const emb = (...v: number[]) => Float32Array.from(v);

describe('database', () => {
  it('is created with its folder on first open, in WAL mode, at the latest schema version; reopening migrates nothing', () => {
    expect(existsSync(join(dir, 'nested', 'unclip.db'))).toBe(true);
    expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.sqlite.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = store.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['battle_results', 'battles', 'entries', 'generations', 'jobs', 'votes']));
    store.generations.save({ messageId: '1', channelId: 'c', guildId: null, ownerId: 'u', kind: 'imagine', prompt: 'p', seed: 1, embeddings: [emb(1)], source: null, createdAt: 1 });
    store.close();
    store = Store.open(join(dir, 'nested', 'unclip.db'), { now });
    expect(store.sqlite.prepare('SELECT COUNT(*) FROM generations').pluck().get()).toBe(1);
  });

  it('refuses a database from a newer version of the bot', () => {
    store.sqlite.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    store.close();
    expect(() => Store.open(join(dir, 'nested', 'unclip.db'))).toThrow(/newer than this bot knows/);
    store = Store.open(':memory:');
  });
});

describe('generations', () => {
  it('keep every cell embedding, the source and the grid exactly', async () => {
    const cells = [emb(0.1, 0.2, 0.3), emb(-1, 0, 1), emb(3.5, 2.25, -0.125), emb(7, 8, 9)];
    const grid = Buffer.from('png bytes');
    await store.generations.save({ messageId: '42', channelId: 'c', guildId: 'g', ownerId: 'u', kind: 'vary', prompt: null, seed: 9, embeddings: cells, source: emb(1, 2, 3), grid, createdAt: 5 });
    const got = await store.generations.get('42');
    expect(got?.embeddings.map((e) => Array.from(e))).toEqual(cells.map((e) => Array.from(e)));
    expect(Array.from(got!.source!)).toEqual([1, 2, 3]);
    expect(got?.grid?.toString()).toBe('png bytes');
    expect(got).toMatchObject({ kind: 'vary', seed: 9, ownerId: 'u', guildId: 'g' });
    expect(await store.generations.get('43')).toBeNull();
  });
});

describe('job journal', () => {
  it('keeps the message a job is shown in, and finds a job by its interaction; a version-1 database gains both', () => {
    const old = new Database(join(dir, 'v1.db'));
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.prepare(`INSERT INTO jobs (state, user_id, channel_id, guild_id, interaction_id, payload, attempts, created_at, updated_at) VALUES ('queued', 'u', 'c', 'g', 'i-old', '{}', 0, 1, 1)`).run();
    old.close();
    const upgraded = Store.open(join(dir, 'v1.db'));
    try {
      expect(upgraded.journal.byInteraction('i-old')).toMatchObject({ id: 1, statusMessageId: null });
      upgraded.journal.showing(1, 'm-9');
      expect(upgraded.journal.get(1)?.statusMessageId).toBe('m-9');
      expect(upgraded.journal.byInteraction('i-new')).toBeNull();
    } finally {
      upgraded.close();
    }
  });

  it('tracks queued → running (attempts) → done, and lists what is unfinished with its payload', () => {
    const payload = { type: 'generation', job: { request: { kind: 'vary', image: { embedding: emb(0.5, -0.25) } } } };
    const a = store.journal.add({ userId: 'u', channelId: 'c', guildId: 'g', interactionId: 'i', payload });
    const b = store.journal.add({ userId: 'v', channelId: 'c', guildId: 'g', interactionId: null, payload: { x: 1 } });
    store.journal.started(a);
    expect(store.journal.unfinished().map((j) => [j.id, j.state, j.attempts])).toEqual([
      [a, 'running', 1],
      [b, 'queued', 0],
    ]);
    const restored = store.journal.get<typeof payload>(a)!.payload;
    expect(Array.from(restored.job.request.image.embedding)).toEqual([0.5, -0.25]);
    store.journal.done(a, 'm1');
    store.journal.failed(b, 'model error');
    expect(store.journal.unfinished()).toEqual([]);
    expect(store.journal.get(a)).toMatchObject({ state: 'done', resultMessageId: 'm1' });
  });

  it('JSON keeps float32 arrays', () => {
    expect(Array.from(fromJson<{ e: Float32Array }>(toJson({ e: emb(1.5, -2) })).e)).toEqual([1.5, -2]);
  });
});

describe('battles', () => {
  const startBattle = (channelId = 'c1') => store.battles.start({ guildId: 'g', channelId, starterId: 'host', theme: 'a red star', maxEntries: 3, endsAt: clock + 60_000 });
  const enter = (battleId: number, userId: string, judge: number) => {
    const r = store.battles.reserveEntry(battleId, userId, `${userId}'s prompt`);
    if (!r.ok) throw new Error(r.reason);
    store.battles.completeEntry(r.entryId, { messageId: `msg-${battleId}-${userId}`, image: Buffer.from('png'), embedding: emb(1, 0), judge });
    clock += 1;
    return r.entryId;
  };

  it('one open battle per channel; one entry per user; max entries; no entries after the deadline', () => {
    const battle = startBattle()!;
    expect(startBattle()).toBeNull();
    expect(startBattle('c2')).not.toBeNull();
    enter(battle.id, 'ann', 0.1);
    expect(store.battles.reserveEntry(battle.id, 'ann', 'again')).toEqual({ ok: false, reason: 'already-entered' });
    enter(battle.id, 'bob', 0.2);
    enter(battle.id, 'cat', 0.3);
    expect(store.battles.reserveEntry(battle.id, 'dan', 'x')).toEqual({ ok: false, reason: 'full' });
    const other = store.battles.openIn('c2')!;
    clock = other.endsAt;
    expect(store.battles.reserveEntry(other.id, 'dan', 'x')).toEqual({ ok: false, reason: 'closed' });
  });

  it('one vote per user per battle: a new vote moves it, no self-votes, unvote (the 👍 button clicked again) takes it back', () => {
    const battle = startBattle()!;
    const ann = enter(battle.id, 'ann', 0.1);
    const bob = enter(battle.id, 'bob', 0.2);
    expect(store.battles.vote(ann, 'ann')).toEqual({ ok: false, reason: 'own-entry' });
    expect(store.battles.vote(ann, 'zed')).toEqual({ ok: true, previousEntry: null });
    expect(store.battles.vote(ann, 'zed')).toEqual({ ok: false, reason: 'same' });
    const moved = store.battles.vote(bob, 'zed');
    expect(moved.ok && moved.previousEntry?.id).toBe(ann);
    expect(store.battles.standings(battle.id).map((s) => [s.userId, s.votes])).toEqual([
      ['bob', 1],
      ['ann', 0],
    ]);
    expect([store.battles.entryVotes(bob), store.battles.entryVotes(ann)]).toEqual([1, 0]);
    expect(store.battles.unvote(ann, 'zed')).toBe(false); // the vote is on bob's entry now
    expect(store.battles.unvote(bob, 'zed')).toBe(true);
    expect(store.battles.voteOf(battle.id, 'zed')).toBeNull();
    clock = battle.endsAt; // the deadline passed; the close timer has not run yet
    expect(store.battles.vote(ann, 'zed')).toEqual({ ok: false, reason: 'closed' });
  });

  it('closes once, ranking by votes then judge score, with points; then no votes; no points without votes; leaderboard per guild', () => {
    const battle = startBattle()!;
    const ann = enter(battle.id, 'ann', 0.1);
    const bob = enter(battle.id, 'bob', 0.5);
    const cat = enter(battle.id, 'cat', 0.3);
    store.battles.vote(ann, 'v1');
    store.battles.vote(bob, 'v2');
    store.battles.vote(cat, 'v3');
    store.battles.vote(cat, 'v4');
    const standings = store.battles.close(battle.id)!;
    expect(standings.map((s) => [s.userId, s.votes, s.rank, s.points])).toEqual([
      ['cat', 2, 1, 3],
      ['bob', 1, 2, 2], // ties with ann on votes; the judge prefers bob
      ['ann', 1, 3, 1],
    ]);
    expect(store.battles.close(battle.id)).toBeNull();
    expect(store.battles.vote(ann, 'v9')).toEqual({ ok: false, reason: 'closed' });
    expect(store.battles.results(battle.id).map((s) => s.userId)).toEqual(['cat', 'bob', 'ann']);
    expect(store.battles.get(battle.id)?.state).toBe('closed');
    store.battles.announced(battle.id);
    expect(store.battles.inState('closed')).toEqual([]);

    // A battle nobody voted in ranks by the judge but gives no points (issue 15: it gave 3/2/1).
    const second = startBattle()!;
    enter(second.id, 'ann', 0.9);
    enter(second.id, 'bob', 0.2);
    expect(store.battles.close(second.id)!.map((s) => [s.userId, s.rank, s.points])).toEqual([['ann', 1, 0], ['bob', 2, 0]]);
    expect(store.battles.leaderboard('g')).toEqual([
      { userId: 'cat', wins: 1, points: 3, battles: 1 },
      { userId: 'bob', wins: 0, points: 2, battles: 2 },
      { userId: 'ann', wins: 1, points: 1, battles: 2 },
    ]);
    expect(store.battles.leaderboard('other guild')).toEqual([]);
  });

  it('a dropped entry (could not be drawn) frees the place', () => {
    const battle = startBattle()!;
    const r = store.battles.reserveEntry(battle.id, 'ann', 'x');
    expect(r.ok).toBe(true);
    if (r.ok) store.battles.dropEntry(r.entryId);
    expect(store.battles.reserveEntry(battle.id, 'ann', 'y').ok).toBe(true);
  });

  it('rankEntries: votes first, then the judge, then the earlier entry', () => {
    const e = (id: number, votes: number, judge: number | null) => ({ id, battleId: 1, userId: `u${id}`, prompt: '', messageId: `m${id}`, judge, createdAt: id, votes });
    expect(rankEntries([e(4, 0, 0.9), e(2, 2, 0.1), e(3, 2, 0.4), e(1, 0, 0.9)]).map((s) => s.id)).toEqual([3, 2, 1, 4]);
  });
});
