/**
 * The Redis side of the configuration, read by the bot (src/main.ts) and the workers (src/worker.ts):
 * UNCLIP_REDIS_URL switches the queue to BullMQ; the queue's name follows the model pack, so a worker
 * takes only jobs for the pack it loaded. Checked with one message per problem, like config.ts.
 */
import { hostname } from 'node:os';
import { basename, resolve } from 'node:path';

export interface RedisConfig {
  url: string;
  /** This worker's name in Redis (CLIENT LIST) and the logs. */
  workerName: string;
  /** How long a worker's lock on its job lasts without renewal (BullMQ renews it every half). */
  lockMs: number;
  /** How often workers look for jobs whose lock expired (a worker that died) and run them again. */
  stalledMs: number;
}

type Env = Record<string, string | undefined>;

/** A pack as workers advertise it and people read it: its directory's name (models/shapes-v1 → shapes-v1). */
export function packNameFor(packDir: string): string {
  return basename(resolve(packDir));
}

/** The BullMQ queue of a pack: its directory's name (models/shapes-v1 → unclip-shapes-v1). */
export function queueNameFor(packDir: string): string {
  return `unclip-${packNameFor(packDir).replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** null without UNCLIP_REDIS_URL (the in-process queue); throws one Error naming every problem. */
export function loadRedisConfig(env: Env = process.env): RedisConfig | null {
  const url = env['UNCLIP_REDIS_URL']?.trim();
  if (!url) return null;
  const problems: string[] = [];
  try {
    const u = new URL(url);
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error();
  } catch {
    problems.push(`UNCLIP_REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379 (got "${url}")`);
  }
  const ms = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 200 || n > 600_000) {
      problems.push(`${name} must be a whole number of milliseconds from 200 to 600000 (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const config: RedisConfig = {
    url,
    workerName: env['UNCLIP_WORKER_NAME']?.trim() || `${hostname()}-${process.pid}`,
    lockMs: ms('UNCLIP_LOCK_MS', 30_000),
    stalledMs: ms('UNCLIP_STALLED_MS', 30_000),
  };
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(config.workerName)) problems.push(`UNCLIP_WORKER_NAME must be 1–64 letters, digits, '.', '_' or '-' (got "${config.workerName}")`);
  if (problems.length) throw new Error(`The Redis configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return config;
}
