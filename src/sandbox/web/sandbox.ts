/**
 * The sandbox: the local Discord plus its web page, for `npm start` without a DISCORD_TOKEN.
 * The bot is not started here: `botEnv` holds what points the real bot (config, discord.js, the
 * deploy script) at this local Discord instead of discord.com, so it runs its ordinary code path.
 */
import type { APIUser } from 'discord-api-types/v10';
import { LocalDiscord } from '../local-discord.ts';
import { SandboxWeb } from './server.ts';

export interface SandboxOptions {
  /** Where the page is served; 127.0.0.1 by default (the sandbox has no authentication). */
  host?: string;
  /** The page's port (SANDBOX_PORT, 3000 by default; 0 picks a free one). */
  port?: number;
  /** The simulated people the page switches between. */
  users?: string[];
  log?: (line: string) => void;
}

export interface Sandbox {
  discord: LocalDiscord;
  web: SandboxWeb;
  /** The page, e.g. http://127.0.0.1:3000 */
  url: string;
  users: APIUser[];
  /** Environment variables that point the bot at the local Discord (merge over process.env). */
  botEnv: Record<string, string>;
  stop(): Promise<void>;
}

export const DEFAULT_SANDBOX_USERS = ['alice', 'bob', 'carol'];

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const discord = await LocalDiscord.start({ host: '127.0.0.1', port: 0, ...(opts.log ? { log: opts.log } : {}) });
  const users = (opts.users ?? DEFAULT_SANDBOX_USERS).map((name) => discord.addUser(name));
  let web: SandboxWeb;
  try {
    web = await SandboxWeb.start({ discord, users, host: opts.host ?? '127.0.0.1', port: opts.port ?? 3000 });
  } catch (error) {
    await discord.stop();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`the sandbox's port ${opts.port ?? 3000} is in use: set SANDBOX_PORT to another port (or 0 for any free one)`);
    }
    throw error;
  }
  return {
    discord,
    web,
    url: web.url,
    users,
    botEnv: {
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.bot.id,
      DISCORD_GUILD_ID: discord.guildId,
      DISCORD_REST_URL: discord.apiUrl,
      DISCORD_CDN_HOSTS: discord.cdnHost,
    },
    async stop() {
      await web.stop();
      await discord.stop();
    },
  };
}

/** SANDBOX_PORT as a port number (3000 when unset); throws a clear message when it is not one. */
export function sandboxPort(env: Record<string, string | undefined> = process.env): number {
  const raw = env.SANDBOX_PORT?.trim();
  if (!raw) return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`SANDBOX_PORT must be a port number from 0 to 65535 (got "${raw}")`);
  return port;
}
