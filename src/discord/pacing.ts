/**
 * Status edits that scale with the queue. Every job that finishes moves every waiting job up one
 * place; editing each waiting message each time would be N edits per job (Discord's per-route
 * limits answer that with 429s). So a waiting job's message is edited only when its place or its
 * estimated wait changed meaningfully, and at most once per `intervalMs` (10 s); a change that
 * comes too soon waits for the end of the interval and is then shown as it is by then. Progress
 * previews are throttled by the queue (1.5 s) and are not this module's.
 */

/** At most one position edit per message this often. */
export const POSITION_INTERVAL_MS = 10_000;

/** Shown exactly from here down (each step near the front matters); farther back, only big moves. */
const EXACT_FROM = 10;
/** Farther back, a move of at least this share of the place last shown (120 → 80, not 120 → 119). */
const MEANINGFUL_SHARE = 1 / 3;

/** The estimated wait, in the coarse words a person reads (so it changes rarely): null when unknown. */
export function waitText(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  const minutes = ms / 60_000;
  if (minutes < 1) return 'under a minute';
  if (minutes < 10) return `about ${Math.round(minutes)} min`;
  if (minutes < 60) return `about ${Math.round(minutes / 5) * 5} min`;
  return `about ${Math.round(minutes / 60)} h`;
}

/** Whether the place (and wait) now is worth an edit, given what the message shows. */
export function meaningful(shown: { position: number; wait: string | null } | null, now: { position: number; wait: string | null }): boolean {
  if (!shown) return true;
  if (now.position === shown.position) return now.wait !== shown.wait;
  if (now.position <= EXACT_FROM) return true;
  if (Math.abs(shown.position - now.position) >= shown.position * MEANINGFUL_SHARE) return true;
  return now.wait !== shown.wait;
}

/**
 * How long jobs take, learnt as they finish (an exponential moving average), for the estimated
 * wait: the place in line times the usual job.
 */
export class JobDurations {
  #average: number | null = null;

  record(ms: number): void {
    this.#average = this.#average === null ? ms : 0.8 * this.#average + 0.2 * ms;
  }

  /** The estimated wait at this place in line (1 = next), or null before any job finished. */
  waitAt(position: number): number | null {
    return this.#average === null ? null : position * this.#average;
  }
}

export interface PositionUpdates {
  /** The job's place in line now; shown now, later (throttled), or not at all (not meaningful). */
  update(position: number): void;
  /** No more position edits (the job started or ended). */
  stop(): void;
}

/** One job's position edits: `show(position, wait)` is called within the rules above. */
export function positionUpdates(opts: {
  show: (position: number, wait: string | null) => void;
  durations: Pick<JobDurations, 'waitAt'>;
  intervalMs?: number;
  now?: () => number;
}): PositionUpdates {
  const intervalMs = opts.intervalMs ?? POSITION_INTERVAL_MS;
  const now = opts.now ?? Date.now;
  let shown: { position: number; wait: string | null } | null = null;
  let shownAt = -Infinity;
  let latest: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const consider = () => {
    timer = null;
    if (stopped || latest === null) return;
    const next = { position: latest, wait: waitText(opts.durations.waitAt(latest)) };
    if (!meaningful(shown, next)) return;
    const wait = shownAt + intervalMs - now();
    if (wait > 0) {
      timer = setTimeout(consider, wait);
      timer.unref();
      return;
    }
    shown = next;
    shownAt = now();
    opts.show(next.position, next.wait);
  };

  return {
    update(position) {
      latest = position;
      if (!timer) consider();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
