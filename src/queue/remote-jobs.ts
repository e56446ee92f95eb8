/**
 * The bot's jobs on the Redis queue: a RedisQueue typed for JobRequest → JobResult, with the engine's
 * progress (its preview PNG made on the worker) and the engine's UserInputError for a request's own
 * mistakes, so jobs.ts treats a remote job exactly as one run in process.
 */
import type { JobRequest, JobResult } from '../discord/request.ts';
import { UserInputError, type Progress } from '../engine/index.ts';
import type { QueueLimits } from './queue.ts';
import { RedisQueue } from './redis-queue.ts';

export function connectJobQueue(opts: { url: string; name: string; pack?: string; limits: QueueLimits & { jobTimeoutMs: number }; log: (msg: string, fields?: Record<string, unknown>) => void }) {
  return RedisQueue.connect<JobRequest, JobResult, Progress>({
    url: opts.url,
    name: opts.name,
    ...(opts.pack ? { pack: opts.pack } : {}),
    perUser: opts.limits.perUser,
    global: opts.limits.global,
    jobTimeoutMs: opts.limits.jobTimeoutMs,
    decodeProgress: (wire) => {
      const { step, steps, stage, preview } = wire as { step: number; steps: number; stage: Progress['stage']; preview?: Buffer };
      return { step, steps, stage, ...(preview ? { preview: () => Promise.resolve(preview) } : {}) };
    },
    userError: (message) => new UserInputError(message),
    log: opts.log,
  });
}
