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
  remaining: number;
}

export class FaultInjector {
  #faults: Fault[] = [];

  /** The next `times` requests matching get 429 with retry_after, as Discord's rate limiter answers. */
  rateLimitNext(match: RequestMatcher, opts: { retryAfterMs?: number; global?: boolean; times?: number } = {}): void {
    this.#faults.push({ match: toMatcher(match), status: 429, retryAfterMs: opts.retryAfterMs ?? 300, global: opts.global ?? false, remaining: opts.times ?? 1 });
  }

  /** The next `times` requests matching fail with this status (500, 502, 503…). */
  failNext(match: RequestMatcher, status = 500, times = 1): void {
    this.#faults.push({ match: toMatcher(match), status, retryAfterMs: 0, global: false, remaining: times });
  }

  /** The answer for this request when a fault applies to it (and uses one of that fault's turns); null otherwise. */
  take(key: RequestKey): FaultResponse | null {
    const fault = this.#faults.find((f) => f.remaining > 0 && f.match(key));
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
