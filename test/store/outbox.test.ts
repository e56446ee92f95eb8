/** The outbox table on a real SQLite file: a result with its bytes kept until delivered, attempts counted, pending rows found after a reopen; a version-2 database gains the table. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { fromJson, Store, toJson } from '../../src/store/index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'unclip-outbox-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the outbox table', () => {
  it('keeps a result with its bytes and embeddings until it is delivered, across a reopen', () => {
    const path = join(dir, 'unclip.db');
    let store = Store.open(path, { now: () => 5 });
    const job = store.journal.add({ userId: 'u', channelId: 'c', guildId: 'g', interactionId: 'i', payload: { kind: 'imagine' } });
    const payload = { request: { kind: 'imagine', prompt: 'a red star' }, result: { grid: Buffer.from([0, 1, 2, 255]), embeddings: [Float32Array.from([0.5, -1])] } };
    const id = store.outbox.add({ jobId: job, userId: 'u', channelId: 'c', guildId: 'g', statusMessageId: 'm-1', payload });
    store.outbox.failedAttempt(id, 'Internal Server Error');
    store.close();

    store = Store.open(path);
    const [pending] = store.outbox.pending<typeof payload>();
    expect(pending).toMatchObject({ id, jobId: job, state: 'pending', userId: 'u', statusMessageId: 'm-1', attempts: 1, lastError: 'Internal Server Error', createdAt: 5 });
    expect(Buffer.isBuffer(pending!.payload!.result.grid)).toBe(true);
    expect([...pending!.payload!.result.grid]).toEqual([0, 1, 2, 255]);
    expect(Array.from(pending!.payload!.result.embeddings[0]!)).toEqual([0.5, -1]);
    store.outbox.delivered(id, 'm-2');
    expect(store.outbox.pending()).toEqual([]);
    expect(store.outbox.get(id)).toMatchObject({ state: 'delivered', messageId: 'm-2', payload: null });
    // An attempt recorded late (after delivery) changes nothing.
    store.outbox.failedAttempt(id, 'late');
    expect(store.outbox.get(id)).toMatchObject({ attempts: 1, lastError: 'Internal Server Error' });
    store.close();
  });

  it('round-trips Buffers and Float32Arrays through JSON, and leaves other objects alone', () => {
    const value = { b: Buffer.from('hi'), f: Float32Array.from([1, 2]), plain: { type: 'Buffer', data: [1] }, n: null };
    const back = fromJson<typeof value>(toJson(value));
    expect(back.b.toString()).toBe('hi');
    expect(Array.from(back.f)).toEqual([1, 2]);
    expect(back.plain).toEqual({ type: 'Buffer', data: [1] });
    expect(back.n).toBeNull();
  });

  it('a version-2 database gains the table, its jobs kept', () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.exec(MIGRATIONS[0]!);
    old.exec(MIGRATIONS[1]!);
    old.pragma('user_version = 2');
    old.prepare(`INSERT INTO jobs (state, user_id, channel_id, payload, created_at, updated_at) VALUES ('queued', 'u', 'c', '{}', 1, 1)`).run();
    old.close();
    const store = Store.open(path);
    expect(store.sqlite.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(store.journal.unfinished()).toHaveLength(1);
    expect(store.outbox.pending()).toEqual([]);
    store.close();
  });
});
