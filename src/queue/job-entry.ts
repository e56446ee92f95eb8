/**
 * What both queue backends keep for a job on the bot's side and repeat otherwise: its event listeners,
 * emitting to them, its public info, and the handle `add()` returns.
 */
import type { CancelResult, Hold, JobData, JobEvents, JobHandle, JobInfo, JobState } from './queue.ts';

export type Listeners = { [E in keyof JobEvents<unknown>]: ((...args: JobEvents<unknown>[E]) => void)[] };

/** The fields of a backend's job entry that this module reads. */
export interface EntryBase {
  id: string;
  data: JobData;
  state: JobState;
  position: number | null;
  /** What it waits for besides its turn (the Redis queue's; never set in process). */
  hold?: Hold | null;
  listeners: Listeners;
}

export const noListeners = (): Listeners => ({ position: [], held: [], active: [], progress: [] });

export function emit<E extends keyof JobEvents<unknown>>(entry: EntryBase, event: E, ...args: JobEvents<unknown>[E]): void {
  for (const listener of entry.listeners[event] as ((...a: unknown[]) => void)[]) {
    try {
      listener(...args);
    } catch {
      // a listener's failure is not the job's
    }
  }
}

export function jobInfo(entry: EntryBase): JobInfo {
  return { id: entry.id, userId: entry.data.userId, label: entry.data.label, state: entry.state, position: entry.position, hold: entry.state === 'queued' ? (entry.hold ?? null) : null };
}

export function jobHandle<R, P>(entry: EntryBase, result: Promise<R>, cancel: (byUserId: string) => CancelResult): JobHandle<R, P> {
  const handle: JobHandle<R, P> = {
    id: entry.id,
    userId: entry.data.userId,
    result,
    info: () => jobInfo(entry),
    on: (event, listener) => {
      (entry.listeners[event] as unknown[]).push(listener);
      return handle;
    },
    cancel,
  };
  return handle;
}
