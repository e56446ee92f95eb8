/**
 * The two catalogues and the commands' French: every key in both (fr.ts is typed as en.ts's object;
 * this checks the values too), every command, option and choice localized within Discord's rules,
 * the engine's input errors in French, and which Discord locales get which language.
 */
import { describe, expect, it } from 'vitest';
import { Locale } from 'discord-api-types/v10';
import { UserInputError, parseLabels, validatePrompt } from '../../src/engine/index.ts';
import { loadCommands } from '../../src/discord/commands.ts';
import { COMMANDS_FR, commandPaths, commandsFr } from '../../src/discord/i18n/commands-fr.ts';
import { en } from '../../src/discord/i18n/en.ts';
import { fr } from '../../src/discord/i18n/fr.ts';
import { langOf, messagesFor, userErrorText } from '../../src/discord/i18n/index.ts';
import { CHAT_INPUT_NAME, checkCommands } from '../../src/sandbox/command-schema.ts';

/** Every key path of a catalogue, with the kind of its value (a text or a function of what varies). */
function shape(catalogue: object, prefix = ''): string[] {
  return Object.entries(catalogue).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null ? shape(value as object, `${prefix}${key}.`) : [`${prefix}${key}: ${typeof value}`],
  );
}

describe('the catalogues', () => {
  it('have the same keys, each a text or a function in both', () => {
    expect(shape(fr).sort()).toEqual(shape(en).sort());
    expect(shape(en).length).toBeGreaterThan(100);
  });

  it('French texts are French, not English left over', () => {
    const texts = (c: object) => shape(c).filter((k) => k.endsWith(': string')).map((k) => k.split(':')[0]!);
    const at = (c: object, path: string) => path.split('.').reduce((node: unknown, k) => (node as Record<string, unknown>)[k], c);
    // Words that are the same in both languages (a button's name, a title) are the only ones allowed to match.
    const same = texts(en).filter((k) => at(en, k) === at(fr, k));
    expect(same).toEqual(['variations']);
  });

  it('languages from Discord locales: fr is French, everything else (and none) English', () => {
    expect([Locale.French, 'fr', Locale.EnglishUS, Locale.EnglishGB, Locale.German, '', null, undefined].map(langOf)).toEqual(['fr', 'fr', 'en', 'en', 'en', 'en', 'en', 'en']);
    expect(messagesFor(undefined)).toBe(en);
    expect(messagesFor('fr')).toBe(fr);
  });
});

describe("the engine's input errors", () => {
  const error = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof UserInputError) return e;
    }
    throw new Error('no UserInputError');
  };

  it('are said in French from their detail, their subject translated; English keeps the engine’s message', () => {
    const empty = error(() => validatePrompt('  ', 'The theme'));
    expect(userErrorText(empty, en)).toBe(empty.message);
    expect(userErrorText(empty, fr)).toBe('Le thème : Le texte est vide : décrivez l’image en anglais, p. ex. « a big red star on a blue background ».');
    expect(userErrorText(error(() => parseLabels('cat', 20)), fr)).toBe('Donnez au moins 2 étiquettes, séparées par des virgules (reçu : 1), p. ex. « cat, dog ».');
    expect(userErrorText(error(() => parseLabels('cat, Cat', 20)), fr)).toBe('Étiquette en double « Cat » : donnez chaque étiquette une seule fois.');
    // The bot's own errors are written in the person's language already: shown as they are.
    expect(userErrorText(new UserInputError(fr.noData), fr)).toBe(fr.noData);
  });
});

describe("the commands' French", async () => {
  const commands = [...(await loadCommands()).values()].map((c) => c.data.toJSON() as unknown as Parameters<typeof commandPaths>[0] & { type?: number });
  const paths = commands.flatMap((c) => commandPaths(c));

  it('names every command, option, subcommand and choice, and nothing else', () => {
    expect(paths.filter((p) => !(p in COMMANDS_FR))).toEqual([]);
    expect(Object.keys(COMMANDS_FR).filter((p) => !paths.includes(p))).toEqual([]);
  });

  it('within Discord’s rules: chat-input names lowercase and matching its regex, ≤ 32; descriptions ≤ 100', () => {
    const menus = new Set(commands.filter((c) => (c.type ?? 1) !== 1).map((c) => c.name));
    for (const [path, { name, description }] of Object.entries(COMMANDS_FR)) {
      const choice = path === 'dream.mode.loop' || path === 'dream.mode.walk';
      if (!menus.has(path) && !choice) expect([path, CHAT_INPUT_NAME.test(name) && name === name.toLowerCase()]).toEqual([path, true]);
      expect(name.length).toBeLessThanOrEqual(32);
      if (description !== undefined) expect([path, description.length <= 100]).toEqual([path, true]);
    }
    expect(() => checkCommands(commands as never)).not.toThrow();
  });

  it('states the pack’s limits within 100 characters for every kind of pack (a world or none, any context, a guidance or none)', async () => {
    const packs = [
      { name: 'shapes', contextLength: 32, canGenerate: true, hasWorld: true, defaultGuidance: 4 },
      { name: 'kandinsky', contextLength: 77, canGenerate: true, hasWorld: false, defaultGuidance: 4.5 },
      { name: 'clip-only', contextLength: 16, canGenerate: false, hasWorld: false, defaultGuidance: null },
    ];
    for (const pack of packs) {
      const table = commandsFr(pack);
      expect(Object.keys(table)).toEqual(Object.keys(COMMANDS_FR));
      for (const [path, { description }] of Object.entries(table)) if (description !== undefined) expect([pack.name, path, description.length <= 100]).toEqual([pack.name, path, true]);
      const json = [...(await loadCommands(undefined, undefined, pack)).values()].map((c) => c.data.toJSON());
      expect(() => checkCommands(json as never)).not.toThrow();
    }
    expect(commandsFr(packs[0]!)['imagine.prompt']!.description).toBe('En anglais, p. ex. « a big red star on a blue background » (au plus 32 jetons, ~25 mots)');
    expect(commandsFr(packs[1]!)['imagine.guidance']!.description).toBe('À quel point suivre le texte (4,5 par défaut pour ce modèle)');
    expect(commandsFr(null)['imagine.prompt']!.description).toBe('En anglais, p. ex. « a lighthouse on a cliff at dusk, oil painting » (dans la limite du modèle)');
  });

  it('goes into the JSON registered with Discord, the English names staying the defaults', () => {
    const imagine = commands.find((c) => c.name === 'imagine')!;
    expect(imagine).toMatchObject({ name: 'imagine', name_localizations: { fr: 'imaginer' }, description_localizations: { fr: expect.stringContaining('Dessiner') } });
    expect(imagine.options?.[0]).toMatchObject({ name: 'prompt', name_localizations: { fr: 'texte' } });
    const mode = commands.find((c) => c.name === 'dream')!.options!.find((o) => o.name === 'mode')!;
    expect(mode.choices).toEqual([
      { name: 'loop', value: 'loop', name_localizations: { fr: 'boucle' } },
      { name: 'walk', value: 'walk', name_localizations: { fr: 'promenade' } },
    ]);
  });
});
