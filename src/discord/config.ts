/**
 * Configuration from the environment (and `.env` through dotenv), validated at start with one clear
 * message per problem. `.env.example` lists every variable.
 */
import { DEFAULT_DB_PATH } from '../store/index.ts';

export interface Config {
  /** Absent: no Discord connection (see src/main.ts). */
  token: string | null;
  applicationId: string | null;
  guildId: string | null;
  /** REST base such as a nirn-proxy or a local Discord (`…/api`); gateway discovery goes through it too. */
  restUrl: string | null;
  /**
   * Gateway shards, all run by this process's one client (discord.js internal sharding): 'auto' is the
   * count GET /gateway/bot recommends; 1 (the default) is one connection.
   */
  shards: number | 'auto';
  /** Hosts attachments may be fetched from (host or host:port). */
  cdnHosts: string[];
  packDir: string;
  device: 'cpu' | 'cuda';
  threads: number | null;
  queue: { perUser: number; global: number; jobTimeoutMs: number };
  /** Decoder and prior steps (null: the pack's defaults). */
  steps: number | null;
  priorSteps: number | null;
  /** The largest attachment the bot downloads. */
  maxInputBytes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The SQLite file (generations, job journal, battles); ':memory:' keeps nothing across restarts. */
  dbPath: string;
  /** Whether UNCLIP_DB was set (the sandbox keeps its database in memory otherwise). */
  dbPathSet: boolean;
}

export const DISCORD_CDN_HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'];
/** The most shards UNCLIP_SHARDS takes (Discord's recommendation is about one per 1,000 servers). */
export const MAX_SHARDS = 1024;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}\n(see .env.example)`);
  }
}

type Env = Record<string, string | undefined>;

/** Reads and checks every variable; throws one ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === '' ? undefined : v;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const optionalInt = (name: string, min: number, max: number): number | null => (get(name) === undefined ? null : int(name, 0, min, max));
  const snowflake = (name: string): string | null => {
    const raw = get(name);
    if (raw === undefined) return null;
    if (!/^\d{17,20}$/.test(raw)) problems.push(`${name} must be a Discord id (17–20 digits; got "${raw}")`);
    return raw;
  };

  const token = get('DISCORD_TOKEN') ?? null;
  if (token !== null && (/\s/.test(token) || token.split('.').length !== 3)) {
    problems.push('DISCORD_TOKEN does not look like a bot token (three dot-separated parts, from the Bot page of the developer portal)');
  }
  let restUrl = get('DISCORD_REST_URL') ?? null;
  if (restUrl !== null) {
    try {
      const u = new URL(restUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
      restUrl = restUrl.replace(/\/+$/, '');
    } catch {
      problems.push(`DISCORD_REST_URL must be an http(s) URL such as http://127.0.0.1:8080/api (got "${restUrl}")`);
    }
  }
  const extraHosts = (get('DISCORD_CDN_HOSTS') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const host of extraHosts) if (!/^[a-z0-9.-]+(:\d+)?$/.test(host)) problems.push(`DISCORD_CDN_HOSTS: "${host}" is not a host name`);
  const shardsRaw = get('UNCLIP_SHARDS');
  let shards: number | 'auto' = 1;
  if (shardsRaw?.toLowerCase() === 'auto') shards = 'auto';
  else if (shardsRaw !== undefined) {
    if (/^\d+$/.test(shardsRaw) && Number(shardsRaw) >= 1 && Number(shardsRaw) <= MAX_SHARDS) shards = Number(shardsRaw);
    else problems.push(`UNCLIP_SHARDS must be auto or a whole number of shards from 1 to ${MAX_SHARDS} (got "${shardsRaw}")`);
  }
  const device = get('UNCLIP_DEVICE') ?? 'cpu';
  if (device !== 'cpu' && device !== 'cuda') problems.push(`UNCLIP_DEVICE must be cpu or cuda (got "${device}")`);
  const logLevel = get('UNCLIP_LOG_LEVEL') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) problems.push(`UNCLIP_LOG_LEVEL must be debug, info, warn or error (got "${logLevel}")`);

  const config: Config = {
    token,
    applicationId: snowflake('DISCORD_APPLICATION_ID'),
    guildId: snowflake('DISCORD_GUILD_ID'),
    restUrl,
    shards,
    cdnHosts: [...DISCORD_CDN_HOSTS, ...extraHosts],
    packDir: get('UNCLIP_PACK') ?? 'models/shapes-v1',
    device: device as Config['device'],
    threads: optionalInt('UNCLIP_THREADS', 1, 256),
    queue: {
      perUser: int('UNCLIP_QUEUE_PER_USER', 3, 1, 100),
      global: int('UNCLIP_QUEUE_GLOBAL', 50, 1, 10_000),
      jobTimeoutMs: int('UNCLIP_JOB_TIMEOUT_S', 300, 1, 3600) * 1000,
    },
    steps: optionalInt('UNCLIP_STEPS', 1, 250),
    priorSteps: optionalInt('UNCLIP_PRIOR_STEPS', 1, 250),
    maxInputBytes: int('UNCLIP_MAX_INPUT_MB', 10, 1, 100) * 1024 * 1024,
    logLevel: logLevel as Config['logLevel'],
    dbPath: get('UNCLIP_DB') ?? DEFAULT_DB_PATH,
    dbPathSet: get('UNCLIP_DB') !== undefined,
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
