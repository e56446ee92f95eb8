/**
 * Workers advertise their pack in Redis (a key with a time to live); the Redis queue holds the jobs
 * of a pack no live worker has, says so through each job's 'held' event, and runs them once a worker
 * with that pack appears. A real redis-server; stand-in workers (startRedisWorker in this process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Hold } from '../../src/queue/index.ts';
import { RedisQueue } from '../../src/queue/redis-queue.ts';
import { startRedisWorker, type RedisWorker } from '../../src/queue/redis-worker.ts';
import { fromWire, toWire } from '../../src/queue/wire.ts';
import { advertise, liveWorkers } from '../../src/queue/worker-registry.ts';
import { hasRedis, RedisServer } from './redis-server.ts';

interface Data {
  userId: string;
  label: string;
}

let redis: RedisServer;
let client: Redis;

const worker = (queueName: string, workerName: string, pack: string, ran: string[]): Promise<RedisWorker> =>
  startRedisWorker({
    url: redis.url,
    queueName,
    workerName,
    pack,
    lockMs: 1000,
    stalledMs: 1000,
    run: async (job) => {
      const data = fromWire<Data>(job.request);
      ran.push(`${workerName}:${data.label}`);
      return toWire({ label: data.label });
    },
  });

describe.skipIf(!hasRedis)('worker adverts and jobs for a pack no worker has', () => {
  beforeAll(async () => {
    redis = await RedisServer.start();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.destroy();
  });

  it('holds a job while no worker has its pack (a worker of another pack does not count), and runs it once one appears', async () => {
    const ran: string[] = [];
    const other = await worker('unclip-shapes-v2', 'w1', 'shapes-v2', ran);
    const queue = await RedisQueue.connect<Data, { label: string }, unknown>({ url: redis.url, name: 'unclip-shapes-v1', pack: 'shapes-v1', pollMs: 100 });
    try {
      expect(queue.workers).toBe(0);
      const added = queue.add({ userId: 'ann', label: 'a red star' });
      if (!added.ok) throw new Error(added.reason);
      const { job } = added;
      const holds: (Hold | null)[] = [];
      job.on('held', (hold) => holds.push(hold));
      expect(job.info()).toMatchObject({ state: 'queued', position: 1, hold: { reason: 'no-worker', pack: 'shapes-v1' } });
      // Nothing takes it meanwhile (the other pack's worker serves its own queue).
      await new Promise((r) => setTimeout(r, 500));
      expect(job.info().state).toBe('queued');
      expect(ran).toEqual([]);

      const mine = await worker('unclip-shapes-v1', 'w1', 'shapes-v1', ran);
      expect(await job.result).toEqual({ label: 'a red star' });
      expect(holds).toEqual([null]);
      expect(ran).toEqual(['w1:a red star']);
      expect(queue.workers).toBe(1);

      // That worker stops: the next job is held again, and told when the worker is back.
      await mine.close();
      for (let i = 0; i < 100 && queue.workers > 0; i++) await new Promise((r) => setTimeout(r, 50));
      const next = queue.add({ userId: 'ann', label: 'a blue heart' });
      if (!next.ok) throw new Error(next.reason);
      expect(next.job.info().hold).toEqual({ reason: 'no-worker', pack: 'shapes-v1' });
      const nextHolds: (Hold | null)[] = [];
      next.job.on('held', (hold) => nextHolds.push(hold));
      const back = await worker('unclip-shapes-v1', 'w2', 'shapes-v1', ran);
      await next.job.result;
      expect(nextHolds).toEqual([null]);
      expect(ran).toEqual(['w1:a red star', 'w2:a blue heart']);
      await back.close();
    } finally {
      await queue.close();
      await other.close();
    }
  });

  it("an advert lapses when its worker stops refreshing it (a worker cut off from Redis), and leaves the set", async () => {
    const advert = { name: 'gone', queue: 'unclip-shapes-v1', pack: 'shapes-v1', device: 'cpu', since: Date.now() };
    const ad = await advertise(client, advert, { intervalMs: 60_000, ttlMs: 300 });
    expect(await liveWorkers(client)).toEqual([advert]);
    expect(await client.smembers('unclip:workers')).toEqual(['unclip-shapes-v1:gone']);
    for (let i = 0; i < 100 && (await liveWorkers(client)).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await liveWorkers(client)).toEqual([]);
    expect(await client.smembers('unclip:workers')).toEqual([]);
    await ad.stop();
  });
});
