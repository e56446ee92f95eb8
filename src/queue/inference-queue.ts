/**
 * The in-process JobQueue (queue.ts): one processor, every model call through a p-queue of concurrency 1.
 * Jobs wait here and are handed to p-queue one at a time, round-robin across users: each job gets a
 * round (the user's previous round + 1, but never before the round now running), and the next job
 * is the one with the lowest round, then the oldest. So with three users of three jobs each the order
 * is a1 b1 c1 a2 b2 c2 a3 b3 c3, whoever submitted first. Bounded per user and overall; positions,
 * cancel (owner only), a per-job timeout and throttled progress.
 */
import PQueue from 'p-queue';
import { emit, jobHandle, jobInfo, noListeners, type EntryBase } from './job-entry.ts';
import { JobCancelledError, JobPostponedError, JobTimeoutError, QueueClosedError, type RejectReason } from './errors.ts';
import type { AddResult, CancelResult, JobData, JobInfo, JobQueue, JobState, Processor, QueueLimits } from './queue.ts';

export interface QueueOptions extends Partial<QueueLimits> {
  /** A running job is aborted after this long (default 5 minutes). */
  jobTimeoutMs?: number;
  /** Progress reaches a job's listeners at most once per this interval (default 1500 ms). */
  progressIntervalMs?: number;
  /** After a cancel or timeout, how long the slot waits for the model call to stop (default 30 s). */
  abortGraceMs?: number;
  now?: () => number;
}

interface Entry extends EntryBase {
  seq: number;
  round: number;
  controller: AbortController;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class InferenceQueue<D extends JobData, R, P = unknown> implements JobQueue<D, R, P> {
  readonly limits: QueueLimits;
  readonly jobTimeoutMs: number;
  readonly progressIntervalMs: number;
  readonly abortGraceMs: number;
  #now: () => number;
  #pq = new PQueue({ concurrency: 1 });
  #waiting: Entry[] = [];
  /** The round of each user's latest job, and the round of the job that started last. */
  #lastRound = new Map<string, number>();
  #currentRound = 0;
  #running: Entry | null = null;
  #all = new Map<string, Entry>();
  #closed = false;
  #nextId = 1;
  #processor: Processor<D, R, P> | null = null;
  /** Mean duration of finished jobs (moving), ms. */
  #meanMs: number | null = null;

  constructor(opts: QueueOptions = {}) {
    this.limits = { perUser: opts.perUser ?? 3, global: opts.global ?? 50 };
    this.jobTimeoutMs = opts.jobTimeoutMs ?? 5 * 60_000;
    this.progressIntervalMs = opts.progressIntervalMs ?? 1500;
    this.abortGraceMs = opts.abortGraceMs ?? 30_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Jobs waiting (not counting the running one). */
  get waiting(): number {
    return this.#waiting.length;
  }

  get running(): JobInfo | null {
    return this.#running ? jobInfo(this.#running) : null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  process(processor: Processor<D, R, P>): void {
    if (this.#processor) throw new Error('the queue already has its processor');
    this.#processor = processor;
    this.#pump();
  }

  add(data: D): AddResult<R, P> {
    const refuse = (reason: RejectReason): AddResult<R, P> => ({ ok: false, reason });
    if (this.#closed) return refuse('closed');
    const active = this.waiting + (this.#running ? 1 : 0);
    if (this.#countFor(data.userId) >= this.limits.perUser) return refuse('user-limit');
    if (active >= this.limits.global) return refuse('global-limit');

    let resolve!: (value: unknown) => void;
    let reject!: (error: unknown) => void;
    const result = new Promise<R>((res, rej) => {
      resolve = res as (value: unknown) => void;
      reject = rej;
    });
    result.catch(() => {}); // a caller that never awaits must not crash the process
    const seq = this.#nextId++;
    const round = Math.max(this.#currentRound, (this.#lastRound.get(data.userId) ?? -1) + 1);
    this.#lastRound.set(data.userId, round);
    const entry: Entry = {
      id: String(seq),
      seq,
      round,
      data,
      state: 'queued',
      position: null,
      controller: new AbortController(),
      listeners: noListeners(),
      resolve,
      reject,
    };
    this.#all.set(entry.id, entry);
    this.#waiting.push(entry);
    this.#pump();
    this.#announcePositions();
    return { ok: true, job: jobHandle<R, P>(entry, result, (byUserId) => this.cancel(entry.id, byUserId)) };
  }

  cancel(jobId: string, byUserId: string): CancelResult {
    const entry = this.#all.get(jobId);
    if (!entry) return 'not-found';
    if (entry.data.userId !== byUserId) return 'not-owner';
    if (entry.state === 'queued') {
      this.#removeWaiting(entry);
      this.#finish(entry, 'cancelled', new JobCancelledError());
      this.#announcePositions();
      return 'cancelled';
    }
    if (entry.state === 'running') {
      entry.controller.abort(new JobCancelledError());
      return 'cancelled';
    }
    return 'finished';
  }

  estimatedWaitMs(position: number): number | null {
    return this.#meanMs === null ? null : position * this.#meanMs;
  }

  jobsOf(userId: string): JobInfo[] {
    const mine = this.#order().filter((e) => e.data.userId === userId);
    if (this.#running?.data.userId === userId && this.#running.state === 'running') mine.unshift(this.#running);
    return mine.map((e) => jobInfo(e));
  }

  async close(opts: { postpone?: boolean } = {}): Promise<void> {
    this.#closed = true;
    for (const entry of this.#order()) {
      this.#removeWaiting(entry);
      this.#finish(entry, 'cancelled', opts.postpone ? new JobPostponedError() : new QueueClosedError());
    }
    await this.#pq.onIdle();
  }

  #countFor(userId: string): number {
    return this.#waiting.filter((e) => e.data.userId === userId).length + (this.#running?.data.userId === userId && this.#running.state === 'running' ? 1 : 0);
  }

  /** The waiting jobs in the order they will run: lowest round first, then oldest. */
  #order(): Entry[] {
    return [...this.#waiting].sort((a, b) => a.round - b.round || a.seq - b.seq);
  }

  #removeWaiting(entry: Entry): void {
    this.#waiting = this.#waiting.filter((e) => e !== entry);
  }

  #takeNext(): Entry | null {
    const entry = this.#order()[0];
    if (!entry) return null;
    this.#removeWaiting(entry);
    this.#currentRound = entry.round;
    for (const [userId, round] of this.#lastRound) if (round < this.#currentRound) this.#lastRound.delete(userId);
    return entry;
  }

  #pump(): void {
    if (!this.#processor || this.#running || this.#pq.size > 0 || this.#pq.pending > 0) return;
    const entry = this.#takeNext();
    if (!entry) return;
    this.#running = entry;
    entry.state = 'running';
    entry.position = 0;
    void this.#pq.add(() => this.#run(entry)).finally(() => {
      this.#running = null;
      this.#pump();
      this.#announcePositions();
    });
  }

  async #run(entry: Entry): Promise<void> {
    const { controller } = entry;
    const processor = this.#processor!;
    let lastProgress = -Infinity;
    const updateProgress = (p: P) => {
      if (!entry.listeners.progress.length || entry.state !== 'running') return;
      const now = this.#now();
      if (now - lastProgress < this.progressIntervalMs) return;
      lastProgress = now;
      emit(entry, 'progress', p);
    };
    const timeout = setTimeout(() => controller.abort(new JobTimeoutError(Math.round(this.jobTimeoutMs / 1000))), this.jobTimeoutMs);
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    aborted.catch(() => {});
    let running: Promise<unknown> = Promise.resolve();
    try {
      emit(entry, 'active');
      const started = this.#now();
      running = processor({ id: entry.id, data: entry.data as D, updateProgress }, controller.signal);
      const value = await Promise.race([running, aborted]);
      const ms = this.#now() - started;
      this.#meanMs = this.#meanMs === null ? ms : 0.7 * this.#meanMs + 0.3 * ms;
      this.#finish(entry, 'done', undefined, value);
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      this.#finish(entry, reason instanceof JobCancelledError ? 'cancelled' : 'failed', reason);
      if (controller.signal.aborted) {
        // The requester has their answer; the model is still busy until it notices the abort (between
        // steps). Keep the slot until then, so two model calls never run at once, unless it hangs.
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([running.catch(() => {}), new Promise((resolve) => (grace = setTimeout(resolve, this.abortGraceMs)))]);
        clearTimeout(grace);
      }
    } finally {
      clearTimeout(timeout);
    }
  }

  #finish(entry: Entry, state: JobState, error?: unknown, value?: unknown): void {
    entry.state = state;
    entry.position = null;
    this.#all.delete(entry.id);
    if (state === 'done') entry.resolve(value);
    else entry.reject(error);
  }

  #announcePositions(): void {
    this.#order().forEach((entry, i) => {
      const position = i + 1;
      if (entry.position === position) return;
      entry.position = position;
      emit(entry, 'position', position);
    });
  }

}
