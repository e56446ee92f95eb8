/**
 * The one serialized inference queue: every model call runs through a p-queue of concurrency 1.
 * Jobs wait here and are handed to p-queue one at a time, round-robin across users: each job gets a
 * round (the user's previous round + 1, but never before the round now running), and the next job
 * is the one with the lowest round, then the oldest. So with three users of three jobs each the order
 * is a1 b1 c1 a2 b2 c2 a3 b3 c3, whoever submitted first. Bounded per user and overall; positions,
 * cancel (owner only), a per-job timeout and throttled progress.
 */
import PQueue from 'p-queue';
import { JobCancelledError, JobPostponedError, JobTimeoutError, QueueClosedError, rejectMessage, type RejectReason } from './errors.ts';

export interface QueueLimits {
  /** Jobs one user may have waiting or running (default 3). */
  perUser: number;
  /** Jobs waiting or running in all (default 50). */
  global: number;
}

export interface QueueOptions extends Partial<QueueLimits> {
  /** A running job is aborted after this long (default 5 minutes). */
  jobTimeoutMs?: number;
  /** Progress reaches a job's listener at most once per this interval (default 1500 ms). */
  progressIntervalMs?: number;
  /** After a cancel or timeout, how long the slot waits for the model call to stop (default 30 s). */
  abortGraceMs?: number;
  now?: () => number;
}

export interface JobContext<P> {
  /** Aborted on cancel, timeout or shutdown: pass it to the engine. */
  signal: AbortSignal;
  /** Report progress; the queue throttles it before it reaches `onProgress`. */
  progress: (p: P) => void;
}

export interface JobSpec<T, P = unknown> {
  userId: string;
  /** Short words for `/queue`, e.g. "imagine: a red star". */
  label: string;
  run: (ctx: JobContext<P>) => Promise<T>;
  /** Called when the job's place in line changes (1 = next), while it waits. */
  onPosition?: (position: number) => void;
  onStart?: () => void;
  onProgress?: (p: P) => void;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobInfo {
  id: string;
  userId: string;
  label: string;
  state: JobState;
  /** Place in line (1 = next) while queued; 0 while running. */
  position: number | null;
}

export interface Job<T> {
  readonly id: string;
  readonly userId: string;
  readonly result: Promise<T>;
  info(): JobInfo;
}

export type SubmitResult<T> = { ok: true; job: Job<T> } | { ok: false; reason: RejectReason; message: string };

export type CancelResult = 'cancelled' | 'not-found' | 'not-owner' | 'finished';

interface Entry {
  id: string;
  seq: number;
  round: number;
  spec: JobSpec<unknown, unknown>;
  state: JobState;
  position: number | null;
  controller: AbortController;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class InferenceQueue {
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
    return this.#running ? this.#info(this.#running) : null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  submit<T, P = unknown>(spec: JobSpec<T, P>): SubmitResult<T> {
    const refuse = (reason: RejectReason): SubmitResult<T> => ({ ok: false, reason, message: rejectMessage(reason, this.limits) });
    if (this.#closed) return refuse('closed');
    const active = this.waiting + (this.#running ? 1 : 0);
    if (this.#countFor(spec.userId) >= this.limits.perUser) return refuse('user-limit');
    if (active >= this.limits.global) return refuse('global-limit');

    let resolve!: (value: unknown) => void;
    let reject!: (error: unknown) => void;
    const result = new Promise<T>((res, rej) => {
      resolve = res as (value: unknown) => void;
      reject = rej;
    });
    result.catch(() => {}); // a caller that never awaits must not crash the process
    const seq = this.#nextId++;
    const round = Math.max(this.#currentRound, (this.#lastRound.get(spec.userId) ?? -1) + 1);
    this.#lastRound.set(spec.userId, round);
    const entry: Entry = {
      id: String(seq),
      seq,
      round,
      spec: spec as JobSpec<unknown, unknown>,
      state: 'queued',
      position: null,
      controller: new AbortController(),
      resolve,
      reject,
    };
    this.#all.set(entry.id, entry);
    this.#waiting.push(entry);
    this.#pump();
    this.#announcePositions();
    return { ok: true, job: { id: entry.id, userId: spec.userId, result, info: () => this.#info(entry) } };
  }

  /** Cancels a waiting or running job; only its owner may. */
  cancel(jobId: string, byUserId: string): CancelResult {
    const entry = this.#all.get(jobId);
    if (!entry) return 'not-found';
    if (entry.spec.userId !== byUserId) return 'not-owner';
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

  /** A user's jobs that are waiting or running, in the order they will run. */
  jobsOf(userId: string): JobInfo[] {
    const mine = this.#order().filter((e) => e.spec.userId === userId);
    if (this.#running?.spec.userId === userId) mine.unshift(this.#running);
    return mine.map((e) => this.#info(e));
  }

  /**
   * Stops taking jobs; resolves when the running one ends. Waiting ones fail with QueueClosedError,
   * or with JobPostponedError when `postpone` says they are journalled and will run after a restart.
   */
  async close(opts: { postpone?: boolean } = {}): Promise<void> {
    this.#closed = true;
    for (const entry of this.#order()) {
      this.#removeWaiting(entry);
      this.#finish(entry, 'cancelled', opts.postpone ? new JobPostponedError() : new QueueClosedError());
    }
    await this.#pq.onIdle();
  }

  #countFor(userId: string): number {
    return this.#waiting.filter((e) => e.spec.userId === userId).length + (this.#running?.spec.userId === userId ? 1 : 0);
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
    if (this.#running || this.#pq.size > 0 || this.#pq.pending > 0) return;
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
    const { spec, controller } = entry;
    let lastProgress = -Infinity;
    const progress = (p: unknown) => {
      if (!spec.onProgress || entry.state !== 'running') return;
      const now = this.#now();
      if (now - lastProgress < this.progressIntervalMs) return;
      lastProgress = now;
      try {
        spec.onProgress(p);
      } catch {
        // a listener's failure is not the job's
      }
    };
    const timeout = setTimeout(() => controller.abort(new JobTimeoutError(Math.round(this.jobTimeoutMs / 1000))), this.jobTimeoutMs);
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    aborted.catch(() => {});
    let running: Promise<unknown> = Promise.resolve();
    try {
      spec.onStart?.();
      running = spec.run({ signal: controller.signal, progress });
      const value = await Promise.race([running, aborted]);
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
      try {
        entry.spec.onPosition?.(position);
      } catch {
        // a listener's failure is not the job's
      }
    });
  }

  #info(entry: Entry): JobInfo {
    return { id: entry.id, userId: entry.spec.userId, label: entry.spec.label, state: entry.state, position: entry.position };
  }
}
