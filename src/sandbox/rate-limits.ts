/**
 * Discord's rate limits, as its REST API applies and announces them: per-route buckets keyed by the
 * route's major parameter (the channel, or the webhook and its token), each a fixed window of N
 * requests, and a global 50 requests per second for the bot token (interaction callbacks and
 * interaction webhooks are exempt, as on Discord). Every answer on a limited route carries the
 * X-RateLimit-* headers that discord.js's REST queue reads; a request over the limit gets 429 with
 * retry_after, and is not served.
 */

export interface BucketSpec {
  /** What X-RateLimit-Bucket says: routes with the same hash share one bucket (per major parameter). */
  hash: string;
  limit: number;
  windowMs: number;
  /** The major parameter's value from the route's params: one bucket per channel, per webhook token… */
  major: (params: Record<string, string>) => string;
}

const perChannel = (p: Record<string, string>) => `channel:${p.channel}`;
const perWebhook = (p: Record<string, string>) => `webhook:${p.app}/${p.token}`;

/** The buckets of the routes the bot uses to talk in channels (others are limited only globally). */
export const DISCORD_BUCKETS: Record<string, BucketSpec> = {
  'POST /channels/:channel/messages': { hash: 'channel-message-create', limit: 5, windowMs: 5000, major: perChannel },
  'PATCH /channels/:channel/messages/:message': { hash: 'channel-message-edit', limit: 5, windowMs: 5000, major: perChannel },
  'DELETE /channels/:channel/messages/:message': { hash: 'channel-message-delete', limit: 5, windowMs: 1000, major: perChannel },
  'PUT /channels/:channel/messages/:message/reactions/:emoji/@me': { hash: 'channel-reactions', limit: 1, windowMs: 250, major: perChannel },
  'DELETE /channels/:channel/messages/:message/reactions/:emoji/@me': { hash: 'channel-reactions', limit: 1, windowMs: 250, major: perChannel },
  'DELETE /channels/:channel/messages/:message/reactions/:emoji/:user': { hash: 'channel-reactions', limit: 1, windowMs: 250, major: perChannel },
  'POST /channels/:channel/typing': { hash: 'channel-typing', limit: 5, windowMs: 5000, major: perChannel },
  'POST /webhooks/:app/:token': { hash: 'webhook-execute', limit: 5, windowMs: 2000, major: perWebhook },
  'PATCH /webhooks/:app/:token/messages/:message': { hash: 'webhook-message-edit', limit: 5, windowMs: 5000, major: perWebhook },
  'DELETE /webhooks/:app/:token/messages/:message': { hash: 'webhook-message-delete', limit: 5, windowMs: 5000, major: perWebhook },
};

/** Discord's global limit for a bot token. */
export const GLOBAL_LIMIT = { limit: 50, windowMs: 1000 };

/** Routes exempt from the global limit (they are not authenticated by the bot token). */
const GLOBAL_EXEMPT = /^(POST \/interactions\/|[A-Z]+ \/webhooks\/)/;

export interface RateLimitOptions {
  buckets?: Record<string, BucketSpec>;
  global?: { limit: number; windowMs: number } | null;
}

export interface RateLimitAnswer {
  /** True when the request is over a limit: answer 429 with `body` and do not serve it. */
  limited: boolean;
  headers: Record<string, string>;
  body?: { message: string; retry_after: number; global: boolean };
}

interface Window {
  remaining: number;
  resetAt: number;
}

export class RateLimiter {
  readonly buckets: Record<string, BucketSpec>;
  readonly global: { limit: number; windowMs: number } | null;
  #windows = new Map<string, Window>();
  #global: Window = { remaining: 0, resetAt: 0 };

  constructor(opts: RateLimitOptions = {}, private readonly clock: () => number = Date.now) {
    this.buckets = opts.buckets ?? DISCORD_BUCKETS;
    this.global = opts.global === undefined ? GLOBAL_LIMIT : opts.global;
  }

  /** Takes one request from its buckets; says whether it is over the limit, and the headers to send either way. */
  take(route: string, params: Record<string, string>): RateLimitAnswer {
    const now = this.clock();
    if (this.global && !GLOBAL_EXEMPT.test(route)) {
      const g = this.#window(this.#global, this.global.limit, this.global.windowMs, now);
      if (g.remaining <= 0) {
        const retryAfter = (g.resetAt - now) / 1000;
        return {
          limited: true,
          headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfter))), 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' },
          body: { message: 'You are being rate limited.', retry_after: retryAfter, global: true },
        };
      }
    }
    const spec = this.buckets[route];
    let headers: Record<string, string> = {};
    if (spec) {
      const key = `${spec.hash}:${spec.major(params)}`;
      const w = this.#window(this.#windows.get(key), spec.limit, spec.windowMs, now);
      this.#windows.set(key, w);
      const resetAfter = (w.resetAt - now) / 1000;
      headers = {
        'x-ratelimit-limit': String(spec.limit),
        'x-ratelimit-remaining': String(Math.max(0, w.remaining - 1)),
        'x-ratelimit-reset': (w.resetAt / 1000).toFixed(3),
        'x-ratelimit-reset-after': resetAfter.toFixed(3),
        'x-ratelimit-bucket': spec.hash,
      };
      if (w.remaining <= 0) {
        headers['x-ratelimit-remaining'] = '0';
        return {
          limited: true,
          headers: { ...headers, 'retry-after': String(Math.max(1, Math.ceil(resetAfter))), 'x-ratelimit-scope': 'user' },
          body: { message: 'You are being rate limited.', retry_after: Number(resetAfter.toFixed(3)), global: false },
        };
      }
      w.remaining -= 1;
    }
    if (this.global && !GLOBAL_EXEMPT.test(route)) this.#global.remaining -= 1;
    return { limited: false, headers };
  }

  /** The window now: the same one until it resets, then a fresh one. */
  #window(w: Window | undefined, limit: number, windowMs: number, now: number): Window {
    if (!w || now >= w.resetAt) {
      const fresh = { remaining: limit, resetAt: now + windowMs };
      if (w) Object.assign(w, fresh);
      return w ?? fresh;
    }
    return w;
  }
}
