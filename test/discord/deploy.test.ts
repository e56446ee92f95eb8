import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployCommands } from '../../src/discord/deploy.ts';
import { LocalDiscord } from '../../src/sandbox/index.ts';
import { REAL_WEIGHTS } from '../engine/real-weights-parity.ts';

let discord: LocalDiscord;
beforeAll(async () => {
  discord = await LocalDiscord.start();
});
afterAll(async () => {
  await discord.stop();
});

describe('deploy-commands', () => {
  it('registers every command of commands/ globally, or in one guild, looking the application up from the token', async () => {
    const global = await deployCommands({ token: discord.token, restUrl: discord.apiUrl });
    expect(global.map((c) => c.name).sort()).toEqual(['Classify image', 'Describe image', 'battle', 'blend', 'classify', 'describe', 'dream', 'imagine', 'queue', 'show', 'vary']);
    expect(discord.commands.every((c) => !c.guild_id)).toBe(true);
    await deployCommands({ token: discord.token, restUrl: discord.apiUrl, guildId: discord.guildId });
    expect(discord.commands.filter((c) => c.guild_id === discord.guildId)).toHaveLength(11);
    const imagine = discord.commands.find((c) => c.name === 'imagine' && c.guild_id)!;
    expect(imagine.options?.find((o) => o.name === 'prompt')).toMatchObject({ required: true, max_length: 300 });
    discord.assertNoUnhandledRequests();
  });

  it('the options state the limits of the pack in packDir (read from its JSON files), or generic ones without one', async () => {
    const prompt = () => discord.commands.find((c) => c.name === 'imagine' && c.guild_id)!.options!.find((o) => o.name === 'prompt')!;
    const promptOf = () => prompt().description;
    const promptFr = () => prompt().description_localizations?.fr;
    await deployCommands({ token: discord.token, restUrl: discord.apiUrl, guildId: discord.guildId, packDir: 'models/shapes-v1' });
    expect(promptOf()).toBe('What to draw, e.g. "a big red star on a blue background" (at most 32 tokens, ~25 words)');
    expect(promptFr()).toBe('En anglais, p. ex. « a big red star on a blue background » (au plus 32 jetons, ~25 mots)');
    await deployCommands({ token: discord.token, restUrl: discord.apiUrl, guildId: discord.guildId, packDir: `${REAL_WEIGHTS}kandinsky-2-2-tiny` });
    expect(promptOf()).toBe('What to draw, e.g. "a lighthouse on a cliff at dusk, oil painting" (at most 77 tokens, ~60 words)');
    expect(promptFr()).toBe('En anglais, p. ex. « a lighthouse on a cliff at dusk, oil painting » (au plus 77 jetons, ~60 mots)');
    await deployCommands({ token: discord.token, restUrl: discord.apiUrl, guildId: discord.guildId });
    expect(promptOf()).toBe('What to draw, e.g. "a lighthouse on a cliff at dusk, oil painting" (within the model\'s token limit)');
    expect(promptFr()).toBe('En anglais, p. ex. « a lighthouse on a cliff at dusk, oil painting » (dans la limite du modèle)');
    discord.assertNoUnhandledRequests();
  });

  it('fails with 401 on a wrong token', async () => {
    await expect(deployCommands({ token: 'a.b.c', restUrl: discord.apiUrl })).rejects.toThrow(/401|Unauthorized/);
    discord.unhandled.length = 0;
  });
});
