/**
 * Command registration checked as Discord checks it (PUT …/commands answers 50035 with the field's
 * path): chat-input command, subcommand and option names match Discord's regex and are lowercase,
 * 1–32 characters; descriptions 1–100; the same for every `name_localizations` /
 * `description_localizations` value, whose keys must be Discord locales; at most 25 options and 25
 * choices (names 1–100), required options first, no two options (or commands of a type) sharing a
 * name in any language. https://discord.com/developers/docs/interactions/application-commands
 */
import { ApplicationCommandOptionType, ApplicationCommandType, Locale } from 'discord-api-types/v10';
import { formErrors, type FieldError } from './errors.ts';

/** Discord's regex for CHAT_INPUT command and option names (with the unicode flag). */
export const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const LOCALES = new Set<string>(Object.values(Locale));

interface Node {
  type?: number;
  name?: unknown;
  description?: unknown;
  name_localizations?: Record<string, unknown> | null;
  description_localizations?: Record<string, unknown> | null;
  required?: boolean;
  options?: Node[];
  choices?: Node[];
}

const length = (path: string, lo: number, hi: number): FieldError => ({ path, code: 'BASE_TYPE_BAD_LENGTH', message: `Must be between ${lo} and ${hi} in length.` });

/** Every problem of a command list, Discord's way; none: it registers. */
export function checkCommands(body: Node[]): void {
  const problems: FieldError[] = [];
  body.forEach((command, i) => {
    const chatInput = (command.type ?? ApplicationCommandType.ChatInput) === ApplicationCommandType.ChatInput;
    checkNamed(command, `${i}`, chatInput, chatInput, problems);
    if (chatInput) checkOptions(command.options ?? [], `${i}.options`, problems);
  });
  for (const type of new Set(body.map((c) => c.type ?? ApplicationCommandType.ChatInput))) {
    const ofType = body.map((c, i) => ({ c, i })).filter(({ c }) => (c.type ?? ApplicationCommandType.ChatInput) === type);
    for (const k of clashes(ofType.map(({ c }) => c))) problems.push({ path: `${ofType[k]!.i}.name`, code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: 'Application command names must be unique' });
  }
  if (problems.length) throw formErrors(problems);
}

/** A name and description with their localizations; `strict`: a chat-input name (regex, lowercase). */
function checkNamed(node: Node, path: string, strict: boolean, described: boolean, problems: FieldError[]): void {
  const name = (value: unknown, at: string) => {
    if (typeof value !== 'string' || value.length < 1 || value.length > 32) return problems.push(length(at, 1, 32));
    if (strict && (!CHAT_INPUT_NAME.test(value) || value.toLowerCase() !== value)) {
      problems.push({ path: at, code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' });
    }
  };
  const description = (value: unknown, at: string) => {
    if (typeof value !== 'string' || value.length < 1 || value.length > 100) problems.push(length(at, 1, 100));
  };
  name(node.name, `${path}.name`);
  for (const [locale, value] of Object.entries(node.name_localizations ?? {})) {
    if (!LOCALES.has(locale)) problems.push({ path: `${path}.name_localizations.${locale}`, code: 'LOCALE_INVALID', message: `"${locale}" is not a valid locale.` });
    else name(value, `${path}.name_localizations.${locale}`);
  }
  if (!described) return;
  description(node.description, `${path}.description`);
  for (const [locale, value] of Object.entries(node.description_localizations ?? {})) {
    if (!LOCALES.has(locale)) problems.push({ path: `${path}.description_localizations.${locale}`, code: 'LOCALE_INVALID', message: `"${locale}" is not a valid locale.` });
    else description(value, `${path}.description_localizations.${locale}`);
  }
}

function checkOptions(options: Node[], path: string, problems: FieldError[]): void {
  if (options.length > 25) problems.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
  for (const j of clashes(options)) problems.push({ path: `${path}.${j}.name`, code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', message: 'Option names must be unique' });
  let optionalSeen = false;
  options.forEach((option, j) => {
    const at = `${path}.${j}`;
    checkNamed(option, at, true, true, problems);
    const sub = option.type === ApplicationCommandOptionType.Subcommand || option.type === ApplicationCommandOptionType.SubcommandGroup;
    if (sub) return checkOptions(option.options ?? [], `${at}.options`, problems);
    if (option.required && optionalSeen) problems.push({ path: `${at}.required`, code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', message: 'Required options must be placed before non-required options' });
    if (!option.required) optionalSeen = true;
    const choices = option.choices ?? [];
    if (choices.length > 25) problems.push({ path: `${at}.choices`, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
    choices.forEach((choice, k) => {
      const c = `${at}.choices.${k}`;
      if (typeof choice.name !== 'string' || choice.name.length < 1 || choice.name.length > 100) problems.push(length(`${c}.name`, 1, 100));
      for (const [locale, value] of Object.entries(choice.name_localizations ?? {})) {
        if (!LOCALES.has(locale)) problems.push({ path: `${c}.name_localizations.${locale}`, code: 'LOCALE_INVALID', message: `"${locale}" is not a valid locale.` });
        else if (typeof value !== 'string' || value.length < 1 || value.length > 100) problems.push(length(`${c}.name_localizations.${locale}`, 1, 100));
      }
    });
  });
}

/** The indices of siblings whose name, as some language shows it (its localization, else the name), an earlier one has. */
function clashes(siblings: Node[]): number[] {
  const locales = new Set(siblings.flatMap((n) => Object.keys(n.name_localizations ?? {})));
  const seen = new Set<string>();
  const out: number[] = [];
  siblings.forEach((node, k) => {
    const shown = new Set([`*:${String(node.name)}`, ...[...locales].map((l) => `${l}:${String(node.name_localizations?.[l] ?? node.name)}`)]);
    if ([...shown].some((n) => seen.has(n))) out.push(k);
    for (const n of shown) seen.add(n);
  });
  return out;
}
