/**
 * The worker's side of the Redis queue: a BullMQ Worker, one job at a time, that hands each job to
 * `run` (in src/worker.ts, a thread that holds the model, so this event loop stays free and BullMQ
 * renews the job's lock however long the model computes). Cancels arrive on a pub/sub channel (and a
 * key, for a job cancelled before it started); the per-job timeout is enforced here. A worker that
 * dies mid-job leaves its lock to expire: another worker's stalled check puts the job back, and it
 * runs again there (BullMQ's maxStalledCount 1: a job that kills two workers fails). While it takes
 * jobs it advertises its pack (worker-registry.ts), so the bot can tell when no worker has a job's pack.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { JobCancelledError, JobTimeoutError, QueueError } from './errors.ts';
import { cancelChannel, cancelKey, type RemoteJobData } from './redis-keys.ts';
import { failureText, type Failure } from './wire.ts';
import { advertise, HEARTBEAT } from './worker-registry.ts';

export interface RemoteRun {
  id: string;
  /** The request on the wire (wire.ts). */
  request: unknown;
}

export interface RedisWorkerOptions {
  url: string;
  /** The queue (queueNameFor the pack this worker loaded). */
  queueName: string;
  workerName: string;
  /** The pack it has loaded, as it advertises it (default: the queue's name without `unclip-`). */
  pack?: string;
  device?: string;
  /** How often it refreshes its advert, and the advert's time to live (default 5 s / 15 s). */
  heartbeat?: { intervalMs: number; ttlMs: number };
  lockMs: number;
  stalledMs: number;
  /** Runs one job; resolves with its result on the wire; reports progress on the wire. */
  run(job: RemoteRun, signal: AbortSignal, onProgress: (progress: unknown) => void): Promise<unknown>;
  /** What kind of failure an error is ('user' for the request's own mistakes). */
  classify?: (error: unknown) => Failure['kind'];
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface RedisWorker {
  readonly worker: Worker;
  /** Stops taking jobs, lets the running one finish, disconnects. */
  close(): Promise<void>;
}

export async function startRedisWorker(opts: RedisWorkerOptions): Promise<RedisWorker> {
  const log = opts.log ?? (() => {});
  const running = new Map<string, AbortController>();
  const redis = new Redis(opts.url, { maxRetriesPerRequest: null });
  const sub = new Redis(opts.url, { maxRetriesPerRequest: null });
  redis.on('error', (error) => log('redis error', { error: String(error) }));
  sub.on('error', (error) => log('redis error', { error: String(error) }));
  await sub.subscribe(cancelChannel(opts.queueName));
  sub.on('message', (_channel, jobId: string) => {
    const controller = running.get(jobId);
    if (!controller) return;
    log('job cancelled by its owner', { job: jobId });
    controller.abort(new JobCancelledError());
  });

  const failure = (error: unknown): Failure => {
    if (error instanceof JobTimeoutError) return { kind: 'timeout', message: error.message, seconds: error.seconds };
    if (error instanceof QueueError && error.code === 'cancelled') return { kind: 'cancelled', message: error.message };
    const message = error instanceof Error ? error.message : String(error);
    return { kind: opts.classify?.(error) ?? 'error', message };
  };

  const processor = async (job: Job<RemoteJobData>) => {
    const id = job.id!;
    // Listening for its cancel before looking for one sent earlier (the key is set before the publish): none is missed.
    const controller = new AbortController();
    running.set(id, controller);
    if (await redis.get(cancelKey(opts.queueName, id))) {
      running.delete(id);
      throw new UnrecoverableError(failureText({ kind: 'cancelled', message: 'cancelled before it started' }));
    }
    const seconds = Math.round(job.data.timeoutMs / 1000);
    const timeout = setTimeout(() => controller.abort(new JobTimeoutError(seconds)), job.data.timeoutMs);
    const started = Date.now();
    log('job started', { job: id, user: job.data.userId, label: job.data.label, attempt: job.attemptsStarted });
    try {
      const result = await opts.run({ id, request: job.data.request }, controller.signal, (progress) => {
        job.updateProgress(progress as object).catch((error: unknown) => log('could not report progress', { error: String(error), job: id }));
      });
      if (controller.signal.aborted) throw controller.signal.reason;
      log('job done', { job: id, ms: Date.now() - started });
      return result;
    } catch (error) {
      const f = failure(controller.signal.aborted ? controller.signal.reason : error);
      log('job failed', { job: id, kind: f.kind, error: f.message });
      throw new UnrecoverableError(failureText(f));
    } finally {
      clearTimeout(timeout);
      running.delete(id);
    }
  };

  const worker = new Worker<RemoteJobData>(opts.queueName, processor, {
    connection: { url: opts.url, maxRetriesPerRequest: null },
    concurrency: 1,
    name: opts.workerName,
    lockDuration: opts.lockMs,
    stalledInterval: opts.stalledMs,
    maxStalledCount: 1,
    autorun: false,
  });
  worker.on('error', (error) => log('worker error', { error: String(error) }));
  worker.on('stalled', (jobId) => log('job stalled (its worker stopped renewing its lock): it runs again', { job: jobId }));
  void worker.run().catch((error: unknown) => log('worker stopped', { error: String(error) }));
  await worker.waitUntilReady();
  const advert = await advertise(
    redis,
    { name: opts.workerName, queue: opts.queueName, pack: opts.pack ?? opts.queueName.replace(/^unclip-/, ''), device: opts.device ?? 'cpu', since: Date.now() },
    opts.heartbeat ?? HEARTBEAT,
    (error) => log('could not refresh the advert', { error: String(error) }),
  );
  return {
    worker,
    async close() {
      // No longer counted first: the bot says so to jobs left waiting.
      await advert.stop();
      await worker.close();
      sub.disconnect();
      redis.disconnect();
    },
  };
}
