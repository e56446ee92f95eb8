/**
 * Sharding as Discord does it: a session IDENTIFYs with `shard: [id, count]` and gets the events of
 * the guilds with (guild_id >> 22) % count === id (direct messages: shard 0 only); a shard that is
 * not [0 ≤ id < count] is closed with 4010 Invalid shard, a session that would hold more guilds than
 * one connection may with 4011 Sharding required; GET /gateway/bot recommends a shard count.
 * IDENTIFYs are rate-limited as Discord limits them: one per bucket (shard id % max_concurrency) per
 * 5 s, a faster one answered with op 9 Invalid Session (d: false) and no session; each IDENTIFY that
 * starts a session counts against `session_start_limit.remaining`.
 */
import { DISCORD_EPOCH } from './snowflake.ts';

export interface ShardingOptions {
  /** Guilds per shard that GET /gateway/bot's `shards` recommends (Discord: about 1,000). */
  guildsPerShard?: number;
  /** The most guilds one session may hold; more is closed with 4011 Sharding required (Discord: 2,500). */
  maxGuildsPerShard?: number;
  /** `session_start_limit.max_concurrency`: IDENTIFYs allowed at once, per 5 s (Discord: 1 for most bots, 16 and up for large ones). */
  maxConcurrency?: number;
  /** The window of that limit in ms (Discord: 5,000; tests shorten it). */
  identifyWindowMs?: number;
}

/** `session_start_limit.total`: sessions a bot may start per day (Discord: 1,000 for most bots). */
export const SESSION_START_TOTAL = 1000;

/** [shard id, shard count] as IDENTIFY and READY carry it. */
export type ShardPair = [id: number, count: number];

/** The shard that gets a guild's events: (guild_id >> 22) % count. */
export function shardOf(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/** IDENTIFY's `shard` field: absent means [0, 1]; anything but two whole numbers 0 ≤ id < count is invalid (null). */
export function parseShard(raw: unknown): ShardPair | null {
  if (raw === undefined || raw === null) return [0, 1];
  if (!Array.isArray(raw) || raw.length !== 2) return null;
  const [id, count] = raw as unknown[];
  if (!Number.isInteger(id) || !Number.isInteger(count)) return null;
  if ((count as number) < 1 || (id as number) < 0 || (id as number) >= (count as number)) return null;
  return [id as number, count as number];
}

/** A snowflake time (ms) at or just before `nowMs` whose guild id lands on `shard` (for a test's guild on a given shard). */
export function timeOnShard(nowMs: number, [id, count]: ShardPair): number {
  const since = BigInt(Math.floor(nowMs)) - DISCORD_EPOCH;
  const off = Number((((since - BigInt(id)) % BigInt(count)) + BigInt(count)) % BigInt(count));
  return Math.floor(nowMs) - off;
}

export class Sharding {
  readonly guildsPerShard: number;
  readonly maxGuildsPerShard: number;
  readonly maxConcurrency: number;
  readonly identifyWindowMs: number;
  /** Sessions started by IDENTIFY so far (`session_start_limit.remaining` is the total less these). */
  sessionsStarted = 0;
  /** Refused IDENTIFYs (too fast for their bucket), for tests and logs. */
  identifiesRefused = 0;
  readonly #lastIdentify = new Map<number, number>();

  constructor(opts: ShardingOptions = {}) {
    this.guildsPerShard = opts.guildsPerShard ?? 1000;
    this.maxGuildsPerShard = opts.maxGuildsPerShard ?? 2500;
    this.maxConcurrency = opts.maxConcurrency ?? 1;
    this.identifyWindowMs = opts.identifyWindowMs ?? 5000;
  }

  /**
   * Whether an IDENTIFY of `shard` at `nowMs` may start a session: its bucket (shard id % max_concurrency)
   * has not identified within the window. An allowed one is counted and starts its bucket's window.
   */
  mayIdentify([id]: ShardPair, nowMs: number): boolean {
    const bucket = id % this.maxConcurrency;
    const last = this.#lastIdentify.get(bucket);
    if (last !== undefined && nowMs - last < this.identifyWindowMs) {
      this.identifiesRefused++;
      return false;
    }
    this.#lastIdentify.set(bucket, nowMs);
    this.sessionsStarted++;
    return true;
  }

  /** `session_start_limit.remaining`. */
  get sessionsRemaining(): number {
    return Math.max(0, SESSION_START_TOTAL - this.sessionsStarted);
  }

  /** GET /gateway/bot's `shards` for this many guilds. */
  recommended(guildCount: number): number {
    return Math.max(1, Math.ceil(guildCount / this.guildsPerShard));
  }

  /** The guilds (of `guildIds`) whose events a session on `shard` gets. */
  guildsOf(guildIds: Iterable<string>, [id, count]: ShardPair): string[] {
    return [...guildIds].filter((g) => shardOf(g, count) === id);
  }

  /** Whether a session on `shard` gets an event of this guild (null: a direct message, shard 0's). */
  receives([id, count]: ShardPair, guildId: string | null | undefined): boolean {
    return guildId ? shardOf(guildId, count) === id : id === 0;
  }
}
