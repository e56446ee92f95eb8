/**
 * The queue as its callers see it, in BullMQ's shape: `add(data)` takes plain data and returns a
 * handle (its id, its place in line, events, cancel, the result); one `Processor`, set once, runs
 * every job. InferenceQueue (inference-queue.ts) is the in-process implementation; RedisQueue
 * (redis-queue.ts) the one on BullMQ, whose jobs run in worker processes (redis-worker.ts): a job is
 * data, not a closure.
 */
import type { RejectReason } from './errors.ts';

/** What every job's data carries for the queue itself: whose it is (fairness, caps) and what to call it. */
export interface JobData {
  userId: string;
  /** Short words for `/queue`, e.g. "imagine: a red star". */
  label: string;
}

/** The job as the processor gets it (BullMQ's `Job`: id, data, updateProgress). */
export interface ProcessorJob<D, P> {
  readonly id: string;
  readonly data: D;
  /** Reports progress; the queue throttles it before it reaches the handle's listeners. */
  updateProgress(progress: P): void;
}

/** Runs one job. `signal` is aborted on cancel, timeout or shutdown: pass it to the engine. */
export type Processor<D, R, P> = (job: ProcessorJob<D, P>, signal: AbortSignal) => Promise<R>;

export interface QueueLimits {
  /** Jobs one user may have waiting or running (default 3). */
  perUser: number;
  /** Jobs waiting or running in all (default 50). */
  global: number;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** Why a waiting job cannot start for now, whatever its place: no live worker has its pack loaded (the Redis queue). */
export interface Hold {
  reason: 'no-worker';
  /** The pack the job needs (its directory's name). */
  pack: string;
}

export interface JobInfo {
  id: string;
  userId: string;
  label: string;
  state: JobState;
  /** Place in line (1 = next) while queued; 0 while running. */
  position: number | null;
  /** While queued: what it waits for besides its turn (null: only its turn). */
  hold: Hold | null;
}

/** What a handle tells its listeners: a new place in line, held or no longer (null), the start, (throttled) progress. */
export interface JobEvents<P> {
  position: [position: number];
  held: [hold: Hold | null];
  active: [];
  progress: [progress: P];
}

export type CancelResult = 'cancelled' | 'not-found' | 'not-owner' | 'finished';

export interface JobHandle<R, P> {
  readonly id: string;
  readonly userId: string;
  /** The processor's result, or why it ended: a QueueError (cancel, timeout, shutdown) or the processor's own error. */
  readonly result: Promise<R>;
  /** Where it stands now (listeners hear only later changes). */
  info(): JobInfo;
  on<E extends keyof JobEvents<P>>(event: E, listener: (...args: JobEvents<P>[E]) => void): this;
  cancel(byUserId: string): CancelResult;
}

export interface AddOptions {
  /**
   * The job's id, unique (the journal's row for a journalled job). A queue that outlives the process
   * (Redis) uses it to find a job added before a restart instead of running it again; the in-process
   * queue numbers its jobs itself.
   */
  jobId?: string;
}

export type AddResult<R, P> = { ok: true; job: JobHandle<R, P> } | { ok: false; reason: RejectReason };

export interface JobQueue<D extends JobData, R, P> {
  readonly limits: QueueLimits;
  /** Jobs waiting (not counting the running one). */
  readonly waiting: number;
  readonly running: JobInfo | null;
  readonly closed: boolean;
  /** Sets the one processor (once); jobs added before it wait. */
  process(processor: Processor<D, R, P>): void;
  /** Queues a job, or refuses it (over a cap, closed) with the reason. */
  add(data: D, opts?: AddOptions): AddResult<R, P>;
  /** Cancels a waiting or running job; only its owner may. */
  cancel(jobId: string, byUserId: string): CancelResult;
  /** About how long the job at `position` (1 = next) waits: the mean duration of recent jobs per free slot; null before any finished. */
  estimatedWaitMs?(position: number): number | null;
  /** A user's jobs that are waiting or running, in the order they will run. */
  jobsOf(userId: string): JobInfo[];
  /**
   * Stops taking jobs; resolves when the running one ends. Waiting ones fail with QueueClosedError,
   * or with JobPostponedError when `postpone` says they are journalled and will run after a restart.
   */
  close(opts?: { postpone?: boolean }): Promise<void>;
}
