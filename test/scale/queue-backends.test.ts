/**
 * The same behaviour from both queue backends: the in-process InferenceQueue, and the RedisQueue with
 * workers (startRedisWorker, in this process) on a real redis-server. A stand-in model that takes a
 * given time, reports progress, and can fail, so the queue's own behaviour is what is tested.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/engine/index.ts';
import { InferenceQueue, JobCancelledError, JobTimeoutError, type JobHandle, type JobQueue } from '../../src/queue/index.ts';
import { RedisQueue } from '../../src/queue/redis-queue.ts';
import { startRedisWorker, type RedisWorker } from '../../src/queue/redis-worker.ts';
import { fromWire, toWire } from '../../src/queue/wire.ts';
import { hasRedis, RedisServer } from './redis-server.ts';

interface Data {
  userId: string;
  label: string;
  ms: number;
  fail?: 'user' | 'error';
}
interface Result {
  label: string;
  bytes: Buffer;
  vector: Float32Array;
  by: string;
}
type Progress = { t: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stand-in model: `ms` of work in 20 ms steps, stopping at the abort, progress every step. */
async function model(data: Data, by: string, signal: AbortSignal, onProgress: (p: Progress) => void, log: Log): Promise<Result> {
  log.started.push(data.label);
  log.running++;
  log.maxRunning = Math.max(log.maxRunning, log.running);
  try {
    for (let t = 0; t < data.ms; t += 20) {
      if (signal.aborted) {
        log.aborted.push(data.label);
        throw signal.reason;
      }
      onProgress({ t });
      await sleep(20);
    }
    if (data.fail === 'user') throw new UserInputError(`The image of ${data.label} is not a picture.`);
    if (data.fail === 'error') throw new Error('the model broke');
    return { label: data.label, bytes: Buffer.from(`png of ${data.label}`), vector: new Float32Array([0.25, -1, 3]), by };
  } finally {
    log.running--;
  }
}

interface Log {
  started: string[];
  aborted: string[];
  running: number;
  maxRunning: number;
}

interface Made {
  queue: JobQueue<Data, Result, Progress>;
  log: Log;
  close(): Promise<void>;
}

interface MakeOptions {
  perUser?: number;
  global?: number;
  jobTimeoutMs?: number;
  progressIntervalMs?: number;
  workers?: number;
}

let redis: RedisServer | null = null;
let nextQueue = 0;

async function redisWorkers(name: string, count: number, log: Log): Promise<RedisWorker[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      startRedisWorker({
        url: redis!.url,
        queueName: name,
        workerName: `w${i + 1}`,
        lockMs: 1000,
        stalledMs: 1000,
        run: async (job, signal, onProgress) => toWire(await model(fromWire<Data>(job.request), `w${i + 1}`, signal, onProgress, log)),
        classify: (error) => (error instanceof UserInputError ? 'user' : 'error'),
      }),
    ),
  );
}

const backends: { name: string; available: boolean; make(opts: MakeOptions): Promise<Made> }[] = [
  {
    name: 'in-process',
    available: true,
    async make(opts) {
      const log: Log = { started: [], aborted: [], running: 0, maxRunning: 0 };
      const queue = new InferenceQueue<Data, Result, Progress>({ ...opts, abortGraceMs: 1000 });
      queue.process((job, signal) => model(job.data, 'local', signal, (p) => job.updateProgress(p), log));
      return { queue, log, close: () => queue.close() };
    },
  },
  {
    name: 'redis',
    available: hasRedis,
    async make(opts) {
      const log: Log = { started: [], aborted: [], running: 0, maxRunning: 0 };
      const name = `test-${++nextQueue}`;
      const workers = await redisWorkers(name, opts.workers ?? 1, log);
      const queue = await RedisQueue.connect<Data, Result, Progress>({ url: redis!.url, name, ...opts, pollMs: 100, userError: (m) => new UserInputError(m) });
      return {
        queue,
        log,
        async close() {
          await queue.close();
          await Promise.all(workers.map((w) => w.close()));
        },
      };
    },
  },
];

beforeAll(async () => {
  if (hasRedis) redis = await RedisServer.start();
});
afterAll(async () => {
  await redis?.destroy();
});

const job = (userId: string, label: string, ms = 60, fail?: Data['fail']): Data => ({ userId, label, ms, ...(fail ? { fail } : {}) });
const added = (q: JobQueue<Data, Result, Progress>, data: Data) => {
  const r = q.add(data);
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r.job;
};

for (const backend of backends) {
  describe.skipIf(!backend.available)(`the ${backend.name} queue`, () => {
    it('serves three users round-robin, whoever submitted first, and returns results with their bytes', async () => {
      const { queue, log, close } = await backend.make({ perUser: 3 });
      const jobs = [];
      for (const user of ['a', 'b', 'c']) for (const n of [1, 2, 3]) jobs.push(added(queue, job(user, `${user}${n}`, jobs.length === 0 ? 300 : 40)));
      const results = await Promise.all(jobs.map((j) => j.result));
      expect(log.started).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'c2', 'a3', 'b3', 'c3']);
      expect(results.map((r) => r.label)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'c1', 'c2', 'c3']);
      expect(Buffer.isBuffer(results[0]!.bytes) && results[0]!.bytes.toString()).toBe('png of a1');
      expect(results[0]!.vector).toBeInstanceOf(Float32Array);
      expect([...results[0]!.vector]).toEqual([0.25, -1, 3]);
      expect(log.maxRunning).toBe(1);
      await close();
    });

    it('refuses past the per-user and global caps, says the position, and lists a user’s jobs', async () => {
      const { queue, close } = await backend.make({ perUser: 2, global: 3 });
      const first = added(queue, job('a', 'a1', 400));
      const second = added(queue, job('a', 'a2'));
      expect(queue.add(job('a', 'a3'))).toEqual({ ok: false, reason: 'user-limit' });
      const positions: number[] = [];
      const third = added(queue, job('b', 'b1')).on('position', (p) => positions.push(p));
      positions.unshift(third.info().position!);
      expect(queue.add(job('c', 'c1'))).toEqual({ ok: false, reason: 'global-limit' });
      expect(queue.jobsOf('a').map((j) => j.label)).toEqual(['a1', 'a2']);
      expect(queue.estimatedWaitMs!(1)).toBeNull(); // nothing finished yet
      await first.result;
      // The estimated wait: about the 400 ms job per place in line (one worker).
      expect(queue.estimatedWaitMs!(2)).toBeGreaterThanOrEqual(2 * 300);
      expect(third.info().state === 'queued' || third.info().state === 'running').toBe(true);
      await Promise.all([second.result, third.result]);
      expect(positions.length).toBeGreaterThan(0);
      expect(positions.at(-1)).toBe(1);
      expect(queue.jobsOf('a')).toEqual([]);
      // Room again once they are done.
      await added(queue, job('a', 'a4')).result;
      await close();
    });

    it('cancels a waiting job and a running one (the model sees the abort); only the owner may', async () => {
      const { queue, log, close } = await backend.make({});
      const running = added(queue, job('a', 'long', 10_000));
      const waiting = added(queue, job('b', 'next'));
      await new Promise<void>((resolve) => (running.info().state === 'running' ? resolve() : running.on('active', resolve)));
      for (let i = 0; i < 100 && !log.started.includes('long'); i++) await sleep(20); // the model is at work
      expect(queue.cancel(waiting.id, 'a')).toBe('not-owner');
      expect(queue.cancel(waiting.id, 'b')).toBe('cancelled');
      await expect(waiting.result).rejects.toBeInstanceOf(JobCancelledError);
      expect(running.cancel('a')).toBe('cancelled');
      await expect(running.result).rejects.toBeInstanceOf(JobCancelledError);
      for (let i = 0; i < 100 && !log.aborted.includes('long'); i++) await sleep(50);
      expect(log.aborted).toEqual(['long']);
      expect(log.started).not.toContain('next');
      expect(queue.cancel(running.id, 'a')).toBe('not-found');
      await added(queue, job('c', 'after')).result;
      await close();
    });

    it('aborts a job past its timeout, passes a request’s own error on as it is, and a model failure as an error', async () => {
      const { queue, log, close } = await backend.make({ jobTimeoutMs: 300 });
      const slow = added(queue, job('a', 'slow', 10_000));
      const error = await slow.result.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JobTimeoutError);
      expect((error as JobTimeoutError).seconds).toBe(0);
      for (let i = 0; i < 100 && !log.aborted.includes('slow'); i++) await sleep(50);
      expect(log.aborted).toEqual(['slow']);
      const bad = await added(queue, job('b', 'bad', 20, 'user')).result.catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(UserInputError);
      expect((bad as Error).message).toBe('The image of bad is not a picture.');
      const broken = await added(queue, job('c', 'broken', 20, 'error')).result.catch((e: unknown) => e);
      expect(broken).toBeInstanceOf(Error);
      expect(broken).not.toBeInstanceOf(UserInputError);
      await close();
    });

    it('passes progress on at most once per interval', async () => {
      const { queue, close } = await backend.make({ progressIntervalMs: 200 });
      const seen: Progress[] = [];
      const j = added(queue, job('a', 'progress', 1000)).on('progress', (p) => seen.push(p));
      await j.result;
      // 50 reports of 20 ms each, over about a second: at most one per 200 ms gets through.
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(seen.length).toBeLessThanOrEqual(7);
      expect(typeof seen[0]!.t).toBe('number');
      await close();
    });
  });
}

describe.skipIf(!hasRedis)('the redis queue with two workers', () => {
  it('keeps round-robin order across two workers, never more jobs in BullMQ than workers, both busy', async () => {
    const { queue, log, close } = await backends[1]!.make({ workers: 2, perUser: 3 });
    const jobs = [];
    for (const user of ['a', 'b', 'c']) for (const n of [1, 2, 3]) jobs.push(added(queue, job(user, `${user}${n}`, jobs.length === 0 ? 300 : 150)));
    const results = await Promise.all(jobs.map((j) => j.result));
    expect(log.started.sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'c1', 'c2', 'c3']);
    const released = (queue as RedisQueue<Data, Result, Progress>).released;
    const label = new Map(jobs.map((j) => [j.id, j.info().label]));
    expect(released.map((id) => label.get(id) ?? id)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'c2', 'a3', 'b3', 'c3']);
    expect(log.maxRunning).toBe(2);
    expect(new Set(results.map((r) => r.by))).toEqual(new Set(['w1', 'w2']));
    await close();
  });

  it('a job added again with its id after a restart of the bot attaches to the one in Redis: run once, result once', async () => {
    const log: Log = { started: [], aborted: [], running: 0, maxRunning: 0 };
    const name = `test-${++nextQueue}`;
    const workers = await redisWorkers(name, 1, log);
    const connect = () => RedisQueue.connect<Data, Result, Progress>({ url: redis!.url, name, pollMs: 100 });
    const before = await connect();
    const r = before.add(job('a', 'kept', 800), { jobId: 'journal-1' });
    if (!r.ok) throw new Error('refused');
    await new Promise<void>((resolve) => r.job.on('active', resolve));
    await before.close({ postpone: true }); // the bot stops; the worker goes on
    await expect(r.job.result).rejects.toThrow(/journalled/);
    const after = await connect();
    const again = after.add(job('a', 'kept', 800), { jobId: 'journal-1' });
    if (!again.ok) throw new Error('refused');
    expect((await again.job.result).label).toBe('kept');
    // Finished while no bot listened: still found, once.
    const third = after.add(job('a', 'kept', 800), { jobId: 'journal-1' });
    if (!third.ok) throw new Error('refused');
    expect((await third.job.result).label).toBe('kept');
    expect(log.started).toEqual(['kept']);
    await after.close();
    await Promise.all(workers.map((w) => w.close()));
  });

  it('Redis restarted (append-only file) in the middle of a burst: every job finishes, once', async () => {
    const { queue, log, close } = await backends[1]!.make({ workers: 2, perUser: 5 });
    const jobs: JobHandle<Result, Progress>[] = [];
    for (const user of ['a', 'b']) for (const n of [1, 2, 3, 4]) jobs.push(added(queue, job(user, `${user}${n}`, 200)));
    await new Promise<void>((resolve) => jobs[0]!.on('active', resolve));
    await redis!.stop('SIGKILL');
    await sleep(500);
    await redis!.restart();
    const results = await Promise.all(jobs.map((j) => j.result.then((r) => r.label, (e: unknown) => `failed: ${String(e)}`)));
    expect(results).toEqual(['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'b4']);
    // A job whose worker lost Redis mid-run may run again (its lock lapsed); none is lost and each result is delivered once.
    expect(new Set(log.started)).toEqual(new Set(results));
    await close();
  }, 60_000);
});
