/**
 * Fault injection for the local Discord: a test asks that requests matching a route (or any
 * predicate) be answered with a 429 or a 5xx instead of being served, as Discord does on a bad day.
 */

/** What a fault matches on: the method, the path under /api/v10, and the route pattern it hit. */
export interface RequestKey {
  method: string;
  path: string;
  /** e.g. `PATCH /webhooks/:app/:token/messages/:message`; null when no route matched. */
  route: string | null;
}

/** A route (`POST /channels/:channel/messages`), a literal request (`GET /users/@me`), or a predicate. */
export type RequestMatcher = string | ((r: RequestKey) => boolean);

export interface FaultResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

interface Fault {
  match: (r: RequestKey) => boolean;
  status: number;
  retryAfterMs: number;
  global: boolean;
  /** Requests it still answers (Infinity: until cleared or `until`). */
  remaining: number;
  /** Date.now() after which it no longer applies; null: no end. */
  until: number | null;
}

export class FaultInjector {
  #faults: Fault[] = [];

  /** The next `times` requests matching get 429 with retry_after, as Discord's rate limiter answers. */
  rateLimitNext(match: RequestMatcher, opts: { retryAfterMs?: number; global?: boolean; times?: number } = {}): void {
    this.#faults.push({ match: toMatcher(match), status: 429, retryAfterMs: opts.retryAfterMs ?? 300, global: opts.global ?? false, remaining: opts.times ?? 1, until: null });
  }

  /** The next `times` requests matching fail with this status (500, 502, 503…). */
  failNext(match: RequestMatcher, status = 500, times = 1): void {
    this.#faults.push({ match: toMatcher(match), status, retryAfterMs: 0, global: false, remaining: times, until: null });
  }

  /**
   * Every request matching fails with this status (500 by default) until the returned function is
   * called, or for `forMs` when given, as a Discord outage on one route.
   */
  failPersistently(match: RequestMatcher, opts: { status?: number; forMs?: number } = {}): () => void {
    const fault: Fault = { match: toMatcher(match), status: opts.status ?? 500, retryAfterMs: 0, global: false, remaining: Infinity, until: opts.forMs === undefined ? null : Date.now() + opts.forMs };
    this.#faults.push(fault);
    return () => {
      fault.remaining = 0;
    };
  }

  /** Removes every fault, spent or not. */
  clear(): void {
    this.#faults = [];
  }

  /** The answer for this request when a fault applies to it (and uses one of that fault's turns); null otherwise. */
  take(key: RequestKey): FaultResponse | null {
    const now = Date.now();
    const fault = this.#faults.find((f) => f.remaining > 0 && (f.until === null || now < f.until) && f.match(key));
    if (!fault) return null;
    fault.remaining -= 1;
    if (fault.status !== 429) return { status: fault.status, body: { message: `${fault.status}: simulated failure`, code: 0 }, headers: {} };
    const seconds = fault.retryAfterMs / 1000;
    return {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: seconds, global: fault.global },
      headers: {
        'retry-after': String(Math.ceil(seconds)),
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String((Date.now() + fault.retryAfterMs) / 1000),
        'x-ratelimit-reset-after': String(seconds),
        'x-ratelimit-bucket': `local-${key.route ?? key.path}`,
        'x-ratelimit-scope': fault.global ? 'global' : 'user',
        ...(fault.global ? { 'x-ratelimit-global': 'true' } : {}),
      },
    };
  }
}

export function toMatcher(match: RequestMatcher): (r: RequestKey) => boolean {
  if (typeof match === 'function') return match;
  return (r) => r.route === match || `${r.method} ${r.path}` === match;
}
