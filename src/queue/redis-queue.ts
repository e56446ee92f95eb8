/**
 * The JobQueue on BullMQ and Redis: the bot's side. Workers (`npm run worker`, redis-worker.ts) run
 * the jobs; this process runs none and loads no model.
 *
 * Fairness: open-source BullMQ serves its waiting list in order, with no per-user groups. So waiting
 * jobs stay here, in a FairLine (round-robin by user), and are released to BullMQ only as workers free
 * up: while the jobs BullMQ holds (waiting + active) are fewer than the workers connected to it. A
 * job is plain data (the request on the wire, wire.ts); its BullMQ id is the caller's `jobId` (the
 * journal's row, for journalled jobs), so a job added again after a restart attaches to the one
 * Redis already has (running, or finished with its result) instead of running twice. A worker counts
 * while it advertises the queue's pack (worker-registry.ts) and BullMQ sees it connected; with none,
 * the waiting jobs are held (their 'held' event names the pack) until one appears.
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { emit, jobHandle, jobInfo, noListeners, type EntryBase } from './job-entry.ts';
import { JobCancelledError, JobPostponedError, JobTimeoutError, QueueClosedError, type RejectReason } from './errors.ts';
import { FairLine } from './fair-line.ts';
import type { AddOptions, AddResult, CancelResult, Hold, JobData, JobInfo, JobQueue, JobState, Processor, QueueLimits } from './queue.ts';
import { cancelChannel, cancelKey, EVENTS_MAX_LEN, KEEP_FINISHED, type RemoteJobData } from './redis-keys.ts';
import { fromWire, parseFailure, toWire, type Failure } from './wire.ts';
import { workersOf } from './worker-registry.ts';

export interface RedisQueueOptions<P> extends Partial<QueueLimits> {
  /** redis://host:port */
  url: string;
  /** The BullMQ queue's name (one per model pack: workers take jobs from the queue of the pack they loaded). */
  name: string;
  /** The pack its jobs need, as people read it (default: the queue's name without `unclip-`). */
  pack?: string;
  /** The workers abort a job after this long (default 5 minutes). */
  jobTimeoutMs?: number;
  /** Progress reaches a job's listeners at most once per this interval (default 1500 ms). */
  progressIntervalMs?: number;
  /** How often the queue looks for free workers besides job events (default 500 ms). */
  pollMs?: number;
  /** The progress a worker reported (after fromWire) as the listeners get it. */
  decodeProgress?: (wire: unknown) => P;
  /** The error a remote 'user' failure becomes (the engine's UserInputError, for the bot). */
  userError?: (message: string) => Error;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

interface Entry extends EntryBase {
  /** Handed to BullMQ (by this process, or found there after a restart). */
  released: boolean;
  releasedAt: number;
  startedAt: number | null;
  /** Looking in Redis whether a job of this id already exists: not to be released meanwhile. */
  checking: boolean;
  lastProgress: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Resolves when the job ends, however. */
  settled: Promise<unknown>;
}

export class RedisQueue<D extends JobData, R, P = unknown> implements JobQueue<D, R, P> {
  readonly limits: QueueLimits;
  readonly jobTimeoutMs: number;
  readonly progressIntervalMs: number;
  readonly name: string;
  readonly pack: string;
  readonly #queue: Queue;
  readonly #events: QueueEvents;
  readonly #redis: Redis;
  readonly #opts: RedisQueueOptions<P>;
  readonly #line = new FairLine<Entry & { userId: string }>();
  readonly #all = new Map<string, Entry & { userId: string }>();
  #closed = false;
  #timer: NodeJS.Timeout;
  #pumping: Promise<void> | null = null;
  #pumpAgain = false;
  #workers = 0;
  /** Set while no live worker has the pack: every waiting job is held. */
  #hold: Hold | null = null;
  /** Mean job duration seen here (for the estimated wait), ms. */
  #meanMs: number | null = null;
  /** Release order, for tests and logs. */
  readonly released: string[] = [];

  private constructor(opts: RedisQueueOptions<P>) {
    this.#opts = opts;
    this.name = opts.name;
    this.pack = opts.pack ?? opts.name.replace(/^unclip-/, '');
    this.limits = { perUser: opts.perUser ?? 3, global: opts.global ?? 50 };
    this.jobTimeoutMs = opts.jobTimeoutMs ?? 5 * 60_000;
    this.progressIntervalMs = opts.progressIntervalMs ?? 1500;
    const connection = { url: opts.url, maxRetriesPerRequest: null };
    this.#queue = new Queue(opts.name, { connection, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
    this.#events = new QueueEvents(opts.name, { connection });
    this.#redis = new Redis(opts.url, { maxRetriesPerRequest: null });
    this.#queue.on('error', (error) => this.#log('redis queue error', { error: String(error) }));
    this.#events.on('error', (error) => this.#log('redis events error', { error: String(error) }));
    this.#redis.on('error', (error) => this.#log('redis error', { error: String(error) }));
    this.#events.on('active', ({ jobId }) => this.#onActive(jobId));
    this.#events.on('progress', ({ jobId, data }) => this.#onProgress(jobId, data));
    this.#events.on('completed', ({ jobId }) => void this.#onFinished(jobId));
    this.#events.on('failed', ({ jobId }) => void this.#onFinished(jobId));
    this.#timer = setInterval(() => this.#pump(), opts.pollMs ?? 500);
  }

  /** Connects to Redis (resolves once the queue and its event stream are ready). */
  static async connect<D extends JobData, R, P>(opts: RedisQueueOptions<P>): Promise<RedisQueue<D, R, P>> {
    const q = new RedisQueue<D, R, P>(opts);
    await Promise.all([q.#queue.waitUntilReady(), q.#events.waitUntilReady()]);
    await q.#refreshWorkers();
    return q;
  }

  get waiting(): number {
    return [...this.#all.values()].filter((e) => e.state === 'queued').length;
  }

  /** The oldest job running on a worker. */
  get running(): JobInfo | null {
    const running = [...this.#all.values()].filter((e) => e.state === 'running');
    return running[0] ? jobInfo(running[0]) : null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Live workers of this queue's pack when last looked. */
  get workers(): number {
    return this.#workers;
  }

  process(_processor: Processor<D, R, P>): void {
    throw new Error('with Redis the jobs run in worker processes (npm run worker), not in the bot');
  }

  add(data: D, opts: AddOptions = {}): AddResult<R, P> {
    const refuse = (reason: RejectReason): AddResult<R, P> => ({ ok: false, reason });
    if (this.#closed) return refuse('closed');
    const mine = [...this.#all.values()].filter((e) => e.data.userId === data.userId).length;
    if (mine >= this.limits.perUser) return refuse('user-limit');
    if (this.#all.size >= this.limits.global) return refuse('global-limit');
    const id = opts.jobId ?? `x${randomUUID()}`;
    if (this.#all.has(id)) throw new Error(`a job with the id ${id} is already in the queue`);
    let resolve!: (value: unknown) => void;
    let reject!: (error: unknown) => void;
    const result = new Promise<R>((res, rej) => {
      resolve = res as (value: unknown) => void;
      reject = rej;
    });
    const entry = {
      id,
      userId: data.userId,
      data,
      state: 'queued' as JobState,
      position: null,
      hold: this.#hold,
      released: false,
      releasedAt: 0,
      startedAt: null,
      checking: opts.jobId !== undefined,
      lastProgress: -Infinity,
      listeners: noListeners(),
      resolve,
      reject,
      settled: result.catch(() => {}),
    } satisfies Entry & { userId: string };
    this.#all.set(id, entry);
    this.#line.push(entry);
    this.#announcePositions();
    if (entry.checking) void this.#attach(entry);
    else this.#pump();
    return { ok: true, job: jobHandle<R, P>(entry, result, (byUserId) => this.cancel(id, byUserId)) };
  }

  cancel(jobId: string, byUserId: string): CancelResult {
    const entry = this.#all.get(jobId);
    if (!entry) return 'not-found';
    if (entry.data.userId !== byUserId) return 'not-owner';
    this.#line.remove(entry);
    if (entry.released) {
      // On a worker, or waiting in BullMQ: the worker that has it (or takes it) stops it.
      const key = cancelKey(this.name, jobId);
      void this.#redis
        .multi()
        .set(key, '1', 'EX', 24 * 3600)
        .publish(cancelChannel(this.name), jobId)
        .exec()
        .catch((error: unknown) => this.#log('could not send the cancel', { error: String(error), job: jobId }));
    }
    this.#settle(entry, 'cancelled', new JobCancelledError());
    this.#announcePositions();
    this.#pump();
    return 'cancelled';
  }

  jobsOf(userId: string): JobInfo[] {
    return this.#ordered()
      .filter((e) => e.data.userId === userId)
      .map((e) => jobInfo(e));
  }

  /** The estimated wait of the job at `position` (1 = next), from the mean duration and the workers; null before any job finished. */
  estimatedWaitMs(position: number): number | null {
    if (this.#meanMs === null) return null;
    return Math.ceil(position / Math.max(1, this.#workers)) * this.#meanMs;
  }

  async close(opts: { postpone?: boolean } = {}): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const entry of this.#line.order()) {
      this.#line.remove(entry);
      this.#settle(entry, 'cancelled', opts.postpone ? new JobPostponedError() : new QueueClosedError());
    }
    const remote = [...this.#all.values()];
    if (opts.postpone) {
      // They go on running on the workers; after the restart the journal adds them again and they
      // attach to their BullMQ jobs (or their results).
      for (const entry of remote) this.#settle(entry, 'cancelled', new JobPostponedError());
    } else {
      await Promise.allSettled(remote.map((e) => e.settled));
    }
    await this.#pumping?.catch(() => {});
    await Promise.allSettled([this.#events.close(), this.#queue.close()]);
    this.#redis.disconnect();
  }

  /** A job added with an id: is it already in Redis (added before a restart)? Then follow that one. */
  async #attach(entry: Entry & { userId: string }): Promise<void> {
    try {
      const job = await Job.fromId(this.#queue, entry.id);
      if (job && this.#all.get(entry.id) === entry) {
        const state = await job.getState();
        this.#line.remove(entry);
        entry.released = true;
        entry.releasedAt = Date.now();
        this.#log('job found in redis', { job: entry.id, state });
        if (state === 'completed' || state === 'failed') await this.#onFinished(entry.id);
        else if (state === 'active') this.#onActive(entry.id);
      }
    } catch (error) {
      this.#log('could not look the job up in redis', { error: String(error), job: entry.id });
    } finally {
      entry.checking = false;
      this.#announcePositions();
      this.#pump();
    }
  }

  /** Releases waiting jobs to BullMQ while fewer jobs are there than workers to take them. */
  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = this.#pumpOnce()
      .catch((error: unknown) => this.#log('could not release jobs to redis', { error: String(error) }))
      .finally(() => {
        this.#pumping = null;
        if (this.#pumpAgain && !this.#closed) {
          this.#pumpAgain = false;
          this.#pump();
        }
      });
  }

  async #pumpOnce(): Promise<void> {
    if (this.#closed) return;
    const [workers, counts] = await Promise.all([this.#refreshWorkers(), this.#queue.getJobCounts('waiting', 'active', 'prioritized', 'delayed')]);
    if (!this.#line.size) return;
    let free = workers - Object.values(counts).reduce((a, b) => a + b, 0);
    while (free > 0 && !this.#closed) {
      const entry = this.#line.take((e) => !e.checking);
      if (!entry) break;
      free--;
      const data: RemoteJobData = { request: toWire(entry.data), userId: entry.data.userId, label: entry.data.label, timeoutMs: this.jobTimeoutMs };
      try {
        await this.#queue.add(entry.data.label.slice(0, 40), data, { jobId: entry.id, attempts: 1, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED });
      } catch (error) {
        this.#line.push(entry); // Redis away: it waits here and is released once Redis is back
        throw error;
      }
      entry.released = true;
      entry.releasedAt = Date.now();
      this.released.push(entry.id);
      this.#log('job released to redis', { job: entry.id, user: entry.data.userId, label: entry.data.label, workers });
    }
    this.#announcePositions();
  }

  /** The workers that can take this queue's jobs (workersOf); none: every waiting job is held, and told; one again: told that too. */
  async #refreshWorkers(): Promise<number> {
    const { count, packs } = await workersOf(this.#queue, this.#redis);
    this.#workers = count;
    this.#setHold(count === 0 ? { reason: 'no-worker', pack: this.pack } : null, packs);
    return count;
  }

  #setHold(hold: Hold | null, packs: string[]): void {
    if ((hold === null) === (this.#hold === null)) return;
    this.#hold = hold;
    if (hold) this.#log('no live worker has the pack: jobs wait for one', { pack: this.pack, queue: this.name, otherPacks: packs });
    else this.#log('a worker has the pack: jobs run', { pack: this.pack, workers: this.#workers });
    for (const entry of this.#all.values()) {
      if (entry.state !== 'queued') continue;
      entry.hold = hold;
      emit(entry, 'held', hold);
    }
  }

  #onActive(jobId: string): void {
    const entry = this.#all.get(jobId);
    if (!entry || entry.state === 'running') return;
    entry.state = 'running';
    entry.position = 0;
    entry.startedAt = Date.now();
    emit(entry, 'active');
    this.#announcePositions();
  }

  #onProgress(jobId: string, data: unknown): void {
    const entry = this.#all.get(jobId);
    if (!entry || entry.state !== 'running' || !entry.listeners.progress.length) return;
    const now = Date.now();
    if (now - entry.lastProgress < this.progressIntervalMs) return;
    entry.lastProgress = now;
    const wire = fromWire<unknown>(data);
    emit(entry, 'progress', this.#opts.decodeProgress ? this.#opts.decodeProgress(wire) : wire);
  }

  /** A job completed or failed in Redis: its result (read from the job, not the event) settles the handle, once. */
  async #onFinished(jobId: string): Promise<void> {
    const entry = this.#all.get(jobId);
    if (!entry) return;
    try {
      const job = await Job.fromId(this.#queue, jobId);
      if (!job || this.#all.get(jobId) !== entry) return;
      const state = await job.getState();
      if (state === 'completed') {
        if (entry.startedAt !== null) this.#observe(Date.now() - entry.startedAt);
        this.#settle(entry, 'done', undefined, fromWire<R>(job.returnvalue));
      } else if (state === 'failed') {
        this.#settle(entry, 'failed', this.#errorOf(parseFailure(job.failedReason)));
      }
    } catch (error) {
      this.#log('could not read a finished job', { error: String(error), job: jobId });
    } finally {
      this.#pump();
    }
  }

  #observe(ms: number): void {
    this.#meanMs = this.#meanMs === null ? ms : 0.7 * this.#meanMs + 0.3 * ms;
  }

  #errorOf(f: Failure): Error {
    if (f.kind === 'user') return this.#opts.userError ? this.#opts.userError(f.message) : new Error(f.message);
    if (f.kind === 'timeout') return new JobTimeoutError(f.seconds ?? Math.round(this.jobTimeoutMs / 1000));
    return f.kind === 'cancelled' ? new JobCancelledError() : new Error(f.message);
  }

  #settle(entry: Entry, state: JobState, error?: unknown, value?: unknown): void {
    if (this.#all.get(entry.id) !== entry) return;
    entry.state = state;
    entry.position = null;
    this.#all.delete(entry.id);
    if (state === 'done') entry.resolve(value);
    else entry.reject(error);
    this.#announcePositions();
  }

  /** Running first, then released (in release order), then the line. */
  #ordered(): (Entry & { userId: string })[] {
    const all = [...this.#all.values()];
    const running = all.filter((e) => e.state === 'running');
    const released = all.filter((e) => e.state === 'queued' && e.released).sort((a, b) => a.releasedAt - b.releasedAt);
    const line = this.#line.order().filter((e) => this.#all.get(e.id) === e);
    return [...running, ...released, ...line];
  }

  #announcePositions(): void {
    let position = 0;
    for (const entry of this.#ordered()) {
      if (entry.state !== 'queued') continue;
      position++;
      if (entry.position === position) continue;
      entry.position = position;
      emit(entry, 'position', position);
    }
  }

  #log(msg: string, fields?: Record<string, unknown>): void {
    this.#opts.log?.(msg, fields);
  }
}
