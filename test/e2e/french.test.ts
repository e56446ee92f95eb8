/**
 * The bot in French, end to end (real discord.js ↔ local Discord, real ONNX pack): a user whose
 * Discord client is in French gets French statuses, results, errors and button answers; prompts stay
 * English (the pack's world is), and French words get a French warning that says so. A reaction,
 * which carries no locale, speaks the server's preferred locale. The English tests are unchanged.
 */
import { describe, expect, it } from 'vitest';
import { Locale, type APIMessage, type APIUser } from 'discord-api-types/v10';
import { buttons } from '../../src/sandbox/index.ts';
import type { TestInteraction } from '../../src/sandbox/testing/interaction.ts';
import { hasResult, isEphemeral, shapePng, useHarness } from './harness.ts';

const h = useHarness();

function frenchUser(name: string): APIUser {
  const user = h.discord.addUser(name);
  h.discord.setLocale(user, Locale.French);
  return user;
}

/** Every text the interaction's message showed (its edits through the interaction's token), in order. */
const shownBy = (run: TestInteraction) =>
  h.discord.requests.filter((r) => r.interactionId === run.record.id && r.status < 300).flatMap((r) => (r.json as { content?: string } | null)?.content ?? []);

describe('in French', () => {
  it('/imagine: French statuses and result (with its Annuler button while waiting), English words in the prompt', async () => {
    const marie = frenchUser('marie');
    const run = h.discord.slash(marie, 'imagine', { prompt: 'a big red star on a blue background', seed: 7 });
    const result = await run.waitForMessage(hasResult);
    expect(result.content).toBe('**a big red star on a blue background**\ngraine 7 · V1–V4 ou réagissez 1️⃣–4️⃣ pour des variations, U1–U4 pour une image en taille réelle, 🎲 pour une nouvelle graine');
    const statuses = shownBy(run).slice(0, -1).map((c) => c.split('\n')[1]!);
    expect(statuses.length).toBeGreaterThan(0);
    for (const status of statuses) expect(status).toMatch(/^(⏳ En file : position \d+\.|🎨 En cours…|🎨 Étape \d+\/\d+…)/);
    const cancel = h.discord.requests.find((r) => r.interactionId === run.record.id && JSON.stringify(r.json).includes('job:cancel:'));
    expect(JSON.stringify(cancel?.json)).toContain('"label":"Annuler"');
  });

  it('French words: drawn anyway, with a French warning that the model understands English words only', async () => {
    const marie = frenchUser('marie2');
    const result = await h.discord.slash(marie, 'imagine', { prompt: 'une grande étoile rouge', count: 1 }).waitForMessage(hasResult);
    expect(result.content.split('\n').slice(0, 2)).toEqual([
      '**une grande étoile rouge**',
      '⚠️ Le monde de ce modèle n’a pas de mot pour « une », « grande », « étoile », « rouge » : il ne comprend que des mots anglais et ne dessine que des formes colorées (p. ex. « a big red star on a blue background »), attendez-vous donc à des formes.',
    ]);
  });

  it('errors in French, from the command (labels, attachment) and from the model run (a corrupt image)', async () => {
    const marie = frenchUser('marie3');
    const image = { filename: 'a.png', data: await shapePng() };
    const labels = await h.discord.slash(marie, 'classify', { image, labels: 'cat' }).waitForEphemeral();
    expect(labels.content).toBe('Donnez au moins 2 étiquettes, séparées par des virgules (reçu : 1), p. ex. « cat, dog ».');
    const text = await h.discord.slash(marie, 'vary', { image: { filename: 'notes.txt', data: Buffer.from('hello') } }).waitForEphemeral();
    expect(text.content).toBe('L’image (notes.txt) n’est pas une image (text/plain) : joignez un fichier PNG, JPEG, WebP ou GIF.');
    const corrupt = Buffer.concat([image.data.subarray(0, 60), Buffer.from('this is not deflate data at all')]);
    const run = h.discord.slash(marie, 'vary', { image: { filename: 'broken.png', data: corrupt } });
    expect((await run.waitForEphemeral()).content).toBe('L’image est corrompue ou tronquée : renvoyez le fichier, ou une autre image PNG, JPEG, WebP ou GIF.');
    await h.discord.waitUntil(() => (run.messages().every(isEphemeral) ? true : null), 10_000, 'the public "thinking…" message to go');
  });

  it('a button click: V2 by a French user on an English result is answered in French; an expired one too', async () => {
    const alice = h.discord.addUser('alice-en');
    const marie = frenchUser('marie4');
    const original = await h.discord.slash(alice, 'imagine', { prompt: 'a yellow heart on a black background', seed: 11 }).waitForMessage(hasResult);
    expect(original.content).toContain('seed 11 · V1–V4 or react');
    const variations = await h.discord.click(marie, original, 'gen:v:2').waitForMessage(hasResult);
    expect(variations.content.split('\n')[0]).toBe('Variations de l’image 2 de **a yellow heart on a black background**');
    expect(variations.content).toMatch(/^graine \d+ · V1–V4 ou réagissez/m);
    h.bot.ctx.store.sqlite.prepare('DELETE FROM generations WHERE message_id = ?').run(original.id);
    expect((await h.discord.click(marie, original, 'gen:v:1').waitForEphemeral()).content).toBe('Je n’ai plus les données de ce résultat, je ne peux donc pas en faire de variations. Relancez la commande.');
    expect((await h.discord.click(alice, original, 'gen:v:1').waitForEphemeral()).content).toBe('I no longer have the data of this result, so I cannot make variations of it. Run the command again.');
  });

  it('/battle in French: the card, an entry, its 👍 button answering in French, the results in the language it was started in', async () => {
    const hote = frenchUser('hote');
    const lea = frenchUser('lea');
    const bob = h.discord.addUser('bob-en');
    const channelId = h.discord.world.addChannel(h.discord.guildId, 'bataille').id;
    const card = await h.discord.slash(hote, 'battle start', { theme: 'a red star', minutes: 30 }, { channelId }).waitForMessage();
    expect(card.content.split('\n')[0]).toBe('⚔️ **Bataille d’images** — thème : **a red star**');
    h.discord.slash(lea, 'battle enter', { prompt: 'a big red star' }, { channelId });
    const entry = await h.discord.waitForMessage((m: APIMessage) => m.channel_id === channelId && m.content.startsWith(`⚔️ Participation de <@${lea.id}>`) && m.attachments.some((a) => /^entry-\d+\.png$/.test(a.filename)));
    expect(entry.content).toMatch(/\njuge CLIP -?\d\.\d{3} · votez avec le bouton 👍/);
    const voteId = buttons(entry)[0]!.custom_id!;
    expect((await h.discord.click(lea, entry, voteId).waitForEphemeral()).content).toBe('Vous ne pouvez pas voter pour votre propre participation.');
    expect((await h.discord.click(hote, entry, voteId).waitForEphemeral()).content).toBe(`Vous avez voté pour la participation de <@${lea.id}>.`);
    // An English voter is answered in English, on the same button.
    expect((await h.discord.click(bob, entry, voteId).waitForEphemeral()).content).toBe(`You voted for <@${lea.id}>'s entry.`);
    await h.discord.waitUntil(() => (buttons(h.discord.messageById(entry.id).message)[0]!.label === '2' ? true : null), 30_000, 'two votes on the button');
    // Closed by an English user: the results are in the battle's language, French.
    const closing = h.discord.slash(h.discord.addUser('owner-en'), 'battle end', {}, { channelId });
    expect((await closing.waitForEphemeral()).content).toContain('Only the battle’s starter');
    h.discord.slash(hote, 'battle end', {}, { channelId });
    const results = await h.discord.waitForMessage((m) => m.channel_id === channelId && m.content.includes('**Résultats**'));
    expect(results.content.split('\n')[1]).toMatch(new RegExp(`^🥇 <@${lea.id}> — 2 votes · juge -?\\d\\.\\d{3} · \\+3 points · \\*\\*a big red star\\*\\*$`));
  });

  it('a reaction carries no locale: its job speaks the server’s preferred locale', async () => {
    const alice = h.discord.addUser('alice-r');
    const carol = h.discord.addUser('carol-r');
    const original = await h.discord.slash(alice, 'imagine', { prompt: 'a big blue square', seed: 3 }).waitForMessage(hasResult);
    await h.discord.waitUntil(() => (h.discord.messageById(original.id).reactions.size === 4 ? true : null), 30_000, 'reactions');
    h.discord.setGuildLocale(Locale.French);
    try {
      await h.discord.waitUntil(() => (h.bot.client.guilds.cache.get(h.discord.guildId)?.preferredLocale === Locale.French ? true : null), 10_000, 'the guild update');
      h.discord.react(carol, original, '3️⃣');
      const posted = await h.discord.waitForMessage((m) => hasResult(m) && m.content.startsWith(`<@${carol.id}> Variations de l’image 3 de **a big blue square**`));
      expect(posted.content).toContain('graine');
    } finally {
      h.discord.setGuildLocale(Locale.EnglishUS);
    }
  });
});
