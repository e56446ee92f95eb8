/**
 * Workers advertise what they serve. Each live worker keeps a key with a time to live in Redis
 * (`unclip:worker:<queue>:<name>`: its queue, its pack, its device, since when), refreshed every few
 * seconds, and `<queue>:<name>` in the set `unclip:workers`. A worker that stops deletes its key; one that dies or
 * loses Redis lapses after the TTL. The bot reads the live workers of its queue: when none has its
 * pack, a waiting job cannot start, and the person who asked is told so.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface WorkerAdvert {
  name: string;
  /** The BullMQ queue it takes jobs from (queueNameFor its pack). */
  queue: string;
  /** The pack it has loaded (its directory's name). */
  pack: string;
  device: string;
  /** When it started taking jobs (ms since the epoch). */
  since: number;
}

export const WORKERS_SET = 'unclip:workers';
/** A worker's member of the set: its queue and its name (names are unique per queue, not across queues). */
const member = (a: Pick<WorkerAdvert, 'queue' | 'name'>) => `${a.queue}:${a.name}`;
const workerKey = (memberId: string) => `unclip:worker:${memberId}`;

/** How often a worker refreshes its key, and how long the key outlives its last refresh. */
export const HEARTBEAT = { intervalMs: 5_000, ttlMs: 15_000 };

export interface Advertisement {
  /** Stops refreshing and deletes the key: the worker no longer counts. */
  stop(): Promise<void>;
}

/** Keeps `advert` in Redis while the worker runs (the first write before this resolves). */
export async function advertise(redis: Redis, advert: WorkerAdvert, timing: { intervalMs: number; ttlMs: number } = HEARTBEAT, onError: (error: unknown) => void = () => {}): Promise<Advertisement> {
  const id = member(advert);
  const write = () => redis.multi().sadd(WORKERS_SET, id).set(workerKey(id), JSON.stringify(advert), 'PX', timing.ttlMs).exec();
  await write();
  const timer = setInterval(() => void write().catch(onError), timing.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.multi().del(workerKey(id)).srem(WORKERS_SET, id).exec().catch(onError);
    },
  };
}

/** The workers whose key is live, of every queue; those whose key lapsed leave the set. */
export async function liveWorkers(redis: Redis): Promise<WorkerAdvert[]> {
  const members = await redis.smembers(WORKERS_SET);
  if (!members.length) return [];
  const values = await redis.mget(members.map(workerKey));
  const live: WorkerAdvert[] = [];
  const lapsed: string[] = [];
  values.forEach((value, i) => {
    if (value === null) lapsed.push(members[i]!);
    else live.push(JSON.parse(value) as WorkerAdvert);
  });
  // A worker that comes back adds itself again with its next refresh.
  if (lapsed.length) await redis.srem(WORKERS_SET, ...lapsed);
  return live;
}

/**
 * The workers that can take `queue`'s jobs: those advertising it that BullMQ also sees connected (a
 * killed worker drops out of BullMQ's count at once; one cut off from Redis, when its advert lapses);
 * and the packs all live workers serve (for the logs).
 */
export async function workersOf(queue: Queue, redis: Redis): Promise<{ count: number; packs: string[] }> {
  const [connected, adverts] = await Promise.all([queue.getWorkersCount(), liveWorkers(redis)]);
  return { count: Math.min(connected, adverts.filter((a) => a.queue === queue.name).length), packs: [...new Set(adverts.map((a) => a.pack))] };
}
