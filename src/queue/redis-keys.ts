/**
 * What the bot and the workers agree on in Redis, besides BullMQ's own keys: a job's data, where
 * cancels go, how long finished jobs stay.
 */

/** Pub/sub channel on which the bot tells workers to stop a job (its id), and the key that remembers it. */
export const cancelChannel = (queueName: string) => `unclip:${queueName}:cancel`;
export const cancelKey = (queueName: string, jobId: string) => `unclip:${queueName}:cancelled:${jobId}`;

/** What a BullMQ job holds: the request on the wire and the limit the worker enforces. */
export interface RemoteJobData {
  request: unknown;
  userId: string;
  label: string;
  timeoutMs: number;
}

/** Finished jobs stay in Redis a day (a bot restarted meanwhile still finds their results). */
export const KEEP_FINISHED = { age: 24 * 3600, count: 1000 };
/** Job events (with their results) are a Redis stream: keep it short. */
export const EVENTS_MAX_LEN = 500;
