/**
 * Data safety: a process writing in a loop is killed with SIGKILL mid-write. The database opens,
 * passes SQLite's integrity check, and holds every transaction the writer reported committed, whole
 * (entry with its vote, result with its finished journal row) — and nothing half-written. Meanwhile
 * another connection reads during the writes and always sees a consistent state.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'unclip-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a process killed with SIGKILL while writing', () => {
  it('leaves a readable database with every committed write and no partial one; readers are never blocked or see half a write', async () => {
    const dbPath = join(dir, 'data', 'unclip.db');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/store/crash-writer.ts', dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    let committed = 0;
    let readsDuringWrites = 0;
    let reader: Database.Database | null = null;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve) => {
      let buffered = '';
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) committed = Number(line.split(' ')[1]);
        if (committed >= 5) {
          // Concurrent reads while the writer goes on: each sees whole transactions only.
          reader ??= new Database(dbPath, { readonly: true });
          const { entries, results, done } = reader
            .prepare(`SELECT (SELECT COUNT(*) FROM entries) AS entries, (SELECT COUNT(*) FROM generations) AS results, (SELECT COUNT(*) FROM jobs WHERE state = 'done') AS done`)
            .get() as { entries: number; results: number; done: number };
          expect(results).toBe(entries);
          expect(done).toBe(entries);
          readsDuringWrites++;
        }
        if (committed >= 40 && readsDuringWrites >= 10) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');
    (reader as Database.Database | null)?.close();

    const store = Store.open(dbPath);
    try {
      expect(store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      const count = (sql: string) => store.sqlite.prepare(sql).pluck().get() as number;
      const entries = count('SELECT COUNT(*) FROM entries');
      expect(entries).toBeGreaterThanOrEqual(committed); // everything reported committed is there…
      expect(entries).toBeLessThanOrEqual(committed + 1); // …and at most the one commit not yet reported
      expect(count('SELECT COUNT(*) FROM votes')).toBe(entries - 1);
      expect(count('SELECT COUNT(*) FROM generations')).toBe(entries);
      expect(count(`SELECT COUNT(*) FROM jobs WHERE state = 'done'`)).toBe(entries);
      expect(count(`SELECT COUNT(*) FROM jobs WHERE state != 'done'`)).toBe(0);
      const last = await store.generations.get(`result-${committed}`);
      expect(last?.embeddings).toHaveLength(4);
      expect(last?.grid?.length).toBe(64 * 1024);
      // Still writable after the crash.
      const battle = store.battles.inState('open')[0]!;
      expect(store.battles.close(battle.id)).toHaveLength(entries);
    } finally {
      store.close();
    }
  });
});
