/**
 * Commands in the discord.js guide's style: each file of `commands/` exports `data` (the schema,
 * limits declared there) and `execute`. The folder is loaded at start; a file without both is
 * skipped with a warning. A new command is one new file, and its French names and descriptions
 * one entry each in i18n/commands-fr.ts (added to its JSON here, as Discord's localizations).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Collection, type CommandInteraction, type RESTPostAPIApplicationCommandsJSONBody } from 'discord.js';
import type { BotContext } from './context.ts';
import { localizeCommand } from './i18n/commands-fr.ts';
import type { Logger } from './logger.ts';

export interface Command {
  data: { name: string; toJSON(): RESTPostAPIApplicationCommandsJSONBody };
  execute(interaction: CommandInteraction, ctx: BotContext): Promise<void>;
}

export const COMMANDS_DIR = join(import.meta.dirname, '..', '..', 'commands');

export async function loadCommands(dir: string = COMMANDS_DIR, log?: Logger): Promise<Collection<string, Command>> {
  const commands = new Collection<string, Command>();
  const files = (await readdir(dir)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as Partial<Command>;
    if (!mod.data || typeof mod.execute !== 'function') {
      log?.warn('command file lacks "data" or "execute"; skipped', { file });
      continue;
    }
    const data = mod.data;
    commands.set(data.name, { data: { name: data.name, toJSON: () => localizeCommand(data.toJSON()) }, execute: mod.execute });
  }
  return commands;
}
