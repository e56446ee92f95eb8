/**
 * Languages in the local Discord, as in Discord: command registration with localizations checked by
 * Discord's rules (50035 with the field's path), and interactions carrying the user's `locale` and
 * the server's `guild_locale`, read by the real discord.js.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, DiscordAPIError, Events, GatewayIntentBits, REST, Routes, type Interaction } from 'discord.js';
import { Locale } from 'discord-api-types/v10';
import { LocalDiscordDriver } from '../../src/sandbox/index.ts';

let discord: LocalDiscordDriver;
let client: Client | null = null;

afterEach(async () => {
  await client?.destroy();
  client = null;
  await discord.stop();
});

async function start() {
  discord = await LocalDiscordDriver.start();
  return new REST({ api: discord.apiUrl, retries: 0 }).setToken(discord.token);
}

const put = (rest: REST, body: unknown[]) => rest.put(Routes.applicationGuildCommands(discord.bot.id, discord.guildId), { body });

/** Discord's refusal: its code and the `_errors` codes at `path`. */
async function refusal(send: Promise<unknown>, path: string) {
  const error = await send.then(() => null, (e: unknown) => e);
  if (!(error instanceof DiscordAPIError)) throw new Error(`expected a refusal, got ${String(error)}`);
  let node = (error.rawError as { errors?: Record<string, unknown> }).errors;
  for (const key of path.split('.')) node = node?.[key] as Record<string, unknown> | undefined;
  return { code: error.code, errors: (node?._errors as { code: string }[] | undefined)?.map((e) => e.code) };
}

const command = (over: Record<string, unknown> = {}) => ({ name: 'imagine', description: 'Draw', options: [{ type: 3, name: 'prompt', description: 'What', required: true }], ...over });

describe('command registration with localizations', () => {
  it('accepts French names and descriptions within the rules, and message menus with spaces and capitals', async () => {
    const rest = await start();
    await put(rest, [
      command({ name_localizations: { fr: 'imaginer' }, description_localizations: { fr: 'Dessiner' }, options: [{ type: 3, name: 'prompt', name_localizations: { fr: 'texte' }, description: 'What', description_localizations: { fr: 'Quoi' } }] }),
      { type: 3, name: 'Classify image', name_localizations: { fr: 'Classer l’image' } },
    ]);
    expect(discord.commands.map((c) => [c.name, c.name_localizations?.fr])).toEqual([
      ['imagine', 'imaginer'],
      ['Classify image', 'Classer l’image'],
    ]);
  });

  it('refuses what Discord refuses, at the field’s path', async () => {
    const rest = await start();
    expect(await refusal(put(rest, [command({ name: 'Imagine' })]), '0.name')).toEqual({ code: 50035, errors: ['APPLICATION_COMMAND_INVALID_NAME'] });
    expect(await refusal(put(rest, [command({ name_localizations: { fr: 'Imaginer' } })]), '0.name_localizations.fr')).toEqual({ code: 50035, errors: ['APPLICATION_COMMAND_INVALID_NAME'] });
    expect(await refusal(put(rest, [command({ name_localizations: { fr: 'imaginer une image' } })]), '0.name_localizations.fr')).toMatchObject({ errors: ['APPLICATION_COMMAND_INVALID_NAME'] });
    expect(await refusal(put(rest, [command({ name_localizations: { fr: 'i'.repeat(33) } })]), '0.name_localizations.fr')).toMatchObject({ errors: ['BASE_TYPE_BAD_LENGTH'] });
    expect(await refusal(put(rest, [command({ description_localizations: { fr: 'd'.repeat(101) } })]), '0.description_localizations.fr')).toMatchObject({ errors: ['BASE_TYPE_BAD_LENGTH'] });
    expect(await refusal(put(rest, [command({ name_localizations: { french: 'imaginer' } })]), '0.name_localizations.french')).toMatchObject({ errors: ['LOCALE_INVALID'] });
    const clash = { options: [{ type: 3, name: 'prompt', description: 'a' }, { type: 4, name: 'count', name_localizations: { fr: 'prompt' }, description: 'b' }] };
    expect(await refusal(put(rest, [command(clash)]), '0.options.1.name')).toMatchObject({ errors: ['APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS'] });
    const order = { options: [{ type: 3, name: 'a', description: 'a' }, { type: 3, name: 'b', description: 'b', required: true }] };
    expect(await refusal(put(rest, [command(order)]), '0.options.1.required')).toMatchObject({ errors: ['APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID'] });
    expect(await refusal(put(rest, [command(), command({ name: 'draw', name_localizations: { fr: 'imagine' } })]), '1.name')).toMatchObject({ errors: ['APPLICATION_COMMANDS_DUPLICATE_NAME'] });
    expect(discord.commands).toEqual([]);
  });
});

describe('interactions carry the languages', () => {
  it('the user’s locale and the server’s preferred locale, as discord.js reads them (the guild’s kept up to date by GUILD_UPDATE)', async () => {
    const rest = await start();
    await put(rest, [command()]);
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.apiUrl } });
    const seen: { locale: string; guildLocale: string | null }[] = [];
    client.on(Events.InteractionCreate, (i: Interaction) => void seen.push({ locale: i.locale, guildLocale: i.guildLocale }));
    const ready = new Promise<void>((resolve) => client!.once(Events.ClientReady, () => resolve()));
    await client.login(discord.token);
    await ready;
    const marie = discord.addUser('marie');
    const paul = discord.addUser('paul');
    discord.setLocale(marie, Locale.French);
    discord.slash(marie, 'imagine', { prompt: 'a red star' });
    discord.slash(paul, 'imagine', { prompt: 'a red star' });
    await discord.waitUntil(() => (seen.length === 2 ? true : null), 10_000, 'two interactions');
    expect(seen).toEqual([
      { locale: 'fr', guildLocale: 'en-US' },
      { locale: 'en-US', guildLocale: 'en-US' },
    ]);
    discord.setGuildLocale(Locale.French);
    await discord.waitUntil(() => (client!.guilds.cache.get(discord.guildId)?.preferredLocale === Locale.French ? true : null), 10_000, 'the guild update');
    discord.slash(paul, 'imagine', { prompt: 'a red star' });
    await discord.waitUntil(() => (seen.length === 3 ? true : null), 10_000, 'a third interaction');
    expect(seen[2]).toEqual({ locale: 'en-US', guildLocale: 'fr' });
  });
});
