/**
 * `npm run deploy-commands`: registers the commands of `commands/` with Discord, in one guild when
 * DISCORD_GUILD_ID is set (instant, for development), else globally. Never run on start. The options
 * state the limits of the pack in UNCLIP_PACK (read from its JSON files; no model is loaded).
 */
import { pathToFileURL } from 'node:url';
import { REST, Routes, type APIApplication, type RESTPutAPIApplicationCommandsResult } from 'discord.js';
import { config as loadEnv } from 'dotenv';
import { readPackSummary, type PackSummary } from '../engine/index.ts';
import { loadCommands } from './commands.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';

export interface DeployOptions {
  token: string;
  restUrl?: string | null;
  applicationId?: string | null;
  guildId?: string | null;
  commandsDir?: string;
  /** The pack the bot runs, whose prompt limit, world and guidance the options state; or its folder, read here. */
  pack?: PackSummary | null;
  packDir?: string;
}

export async function deployCommands(opts: DeployOptions): Promise<RESTPutAPIApplicationCommandsResult> {
  const rest = new REST(opts.restUrl ? { api: opts.restUrl } : {}).setToken(opts.token);
  const pack = opts.pack !== undefined ? opts.pack : opts.packDir ? await readPackSummary(opts.packDir) : null;
  const commands = await loadCommands(opts.commandsDir, undefined, pack);
  const applicationId = opts.applicationId ?? ((await rest.get(Routes.currentApplication())) as APIApplication).id;
  const body = commands.map((c) => c.data.toJSON());
  const route = opts.guildId ? Routes.applicationGuildCommands(applicationId, opts.guildId) : Routes.applicationCommands(applicationId);
  return (await rest.put(route, { body })) as RESTPutAPIApplicationCommandsResult;
}

async function main(): Promise<void> {
  loadEnv({ quiet: true });
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, secrets: [config.token] });
  if (!config.token) {
    console.error('DISCORD_TOKEN is not set: put your bot token in .env (see .env.example) to register the commands.');
    process.exit(1);
  }
  const registered = await deployCommands({ token: config.token, restUrl: config.restUrl, applicationId: config.applicationId, guildId: config.guildId, packDir: config.packDir });
  log.info(`registered ${registered.length} commands ${config.guildId ? `in guild ${config.guildId}` : 'globally (they may take up to an hour to appear)'}`, {
    commands: registered.map((c) => c.name),
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `deploy-commands failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
