/**
 * Status edits that scale with the queue. Every job that finishes moves every waiting job up one
 * place; editing each waiting message each time would be N edits per job (Discord's per-route
 * limits answer that with 429s). So a waiting job's message is edited only when its place or its
 * estimated wait changed meaningfully, and at most once per `intervalMs` (10 s); a change that
 * comes too soon waits for the end of the interval and is then shown as it is by then (so the
 * edits of many messages spread out instead of coming in one burst per finished job). Progress
 * previews are throttled by the queue (1.5 s) and are not this module's.
 */

/** At most one position edit per message this often. */
export const POSITION_INTERVAL_MS = 10_000;

/**
 * A move is meaningful when the place (or the estimated wait) is down to 40 % of what the message
 * shows, or up to twice it, or the job is next: 180 → 72 → 28 → 11 → 4 → 1 is six edits however
 * slowly the line moves (a few fewer when the 10 s interval binds first).
 */
const DOWN_TO = 0.4;
const UP_TO = 2;

export interface Shown {
  position: number;
  /** The estimated wait in ms (null: not known yet). */
  waitMs: number | null;
}

/** The estimated wait, in the coarse words a person reads: null when unknown. */
export function waitText(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  const minutes = ms / 60_000;
  if (minutes < 1) return 'under a minute';
  if (minutes < 10) return `about ${Math.round(minutes)} min`;
  if (minutes < 60) return `about ${Math.round(minutes / 5) * 5} min`;
  return `about ${Math.round(minutes / 60)} h`;
}

const moved = (shown: number, now: number) => now <= shown * DOWN_TO || now >= shown * UP_TO;

/** Whether the place and wait now are worth an edit, given what the message shows. */
export function meaningful(shown: Shown | null, now: Shown): boolean {
  if (!shown) return true;
  if (now.position === 1 && shown.position !== 1) return true;
  if (moved(shown.position, now.position)) return true;
  if (now.waitMs === null || now.position === shown.position) return false;
  return shown.waitMs === null || moved(shown.waitMs, now.waitMs);
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
  let shown: Shown | null = null;
  let shownAt = -Infinity;
  let latest: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const consider = () => {
    timer = null;
    if (stopped || latest === null) return;
    const next = { position: latest, waitMs: opts.durations.waitAt(latest) };
    if (!meaningful(shown, next)) return;
    const wait = shownAt + intervalMs - now();
    if (wait > 0) {
      timer = setTimeout(consider, wait);
      timer.unref();
      return;
    }
    shown = next;
    shownAt = now();
    opts.show(next.position, waitText(next.waitMs));
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
