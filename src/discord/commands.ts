/**
 * Commands in the discord.js guide's style: each file of `commands/` exports `data` (the schema,
 * limits declared there) and `execute`. `data` may be a function of the pack the bot runs (its prompt
 * limit, its world, its guidance: what the options' descriptions state). The folder is loaded at
 * start; a file without both is skipped with a warning. A new command is one new file, and its French
 * names and descriptions one entry each in i18n/commands-fr.ts (added to its JSON here, as Discord's
 * localizations, stating the same pack's limits).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Collection, type CommandInteraction, type RESTPostAPIApplicationCommandsJSONBody } from 'discord.js';
import type { PackSummary } from '../engine/index.ts';
import type { BotContext } from './context.ts';
import { commandsFr, localizeCommand } from './i18n/commands-fr.ts';
import type { Logger } from './logger.ts';

type CommandData = { name: string; toJSON(): RESTPostAPIApplicationCommandsJSONBody };

export interface Command {
  data: CommandData;
  execute(interaction: CommandInteraction, ctx: BotContext): Promise<void>;
}

/** What a command file exports: its schema (or the schema for a pack) and its handler. */
interface CommandModule {
  data: CommandData | ((pack: PackSummary | null) => CommandData);
  execute: Command['execute'];
}

export const COMMANDS_DIR = join(import.meta.dirname, '..', '..', 'commands');

/** The commands of `dir`, their schemas as they read for `pack` (null: the pack is unknown here; generic wording). */
export async function loadCommands(dir: string = COMMANDS_DIR, log?: Logger, pack: PackSummary | null = null): Promise<Collection<string, Command>> {
  const commands = new Collection<string, Command>();
  const fr = commandsFr(pack);
  const files = (await readdir(dir)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as Partial<CommandModule>;
    if (!mod.data || typeof mod.execute !== 'function') {
      log?.warn('command file lacks "data" or "execute"; skipped', { file });
      continue;
    }
    const data = typeof mod.data === 'function' ? mod.data(pack) : mod.data;
    commands.set(data.name, { data: { name: data.name, toJSON: () => localizeCommand(data.toJSON(), fr) }, execute: mod.execute });
  }
  return commands;
}
