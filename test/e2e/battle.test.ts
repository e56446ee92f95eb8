/**
 * /battle end to end (real discord.js ↔ local Discord, real ONNX pack, real SQLite in a temp dir):
 * a full battle with three players, and a battle whose deadline passes while the bot is down.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { APIMessage, APIUser } from 'discord-api-types/v10';
import { buttons } from '../../src/sandbox/index.ts';
import { Store } from '../../src/store/index.ts';
import { decodePng, isEphemeral, useDurableHarness } from './harness.ts';

const h = useDurableHarness();

const isEntryOf = (user: APIUser) => (m: APIMessage) => m.content.includes(`Entry by <@${user.id}>`) && m.attachments.some((a) => /^entry-\d+\.png$/.test(a.filename));

describe('/battle', () => {
  it('a full battle: three entries, votes by 👍 and button as one count (self-vote refused, a vote moved, one taken back), close, ranking, leaderboard', async () => {
    const { store } = await h.boot('full.db');
    const [host, ann, bob, cat] = ['host', 'ann', 'bob', 'cat'].map((n) => h.discord.addUser(n)) as [APIUser, APIUser, APIUser, APIUser];

    const card = await h.discord.slash(host, 'battle start', { theme: 'a red star', minutes: 30 }).waitForMessage();
    expect(card.content).toContain('Image battle');
    expect(card.content).toMatch(/Ends <t:\d+:R>/);
    expect(isEphemeral(card)).toBe(false);
    expect((await h.discord.slash(ann, 'battle start', { theme: 'a blue heart', minutes: 5 }).waitForEphemeral()).content).toContain('already has a battle');

    h.discord.slash(ann, 'battle enter', { prompt: 'a big red star' });
    h.discord.slash(bob, 'battle enter', { prompt: 'a red star on a blue background' });
    h.discord.slash(cat, 'battle enter', { prompt: 'a small red star' });
    const [annEntry, bobEntry, catEntry] = await Promise.all([ann, bob, cat].map((u) => h.discord.waitForMessage(isEntryOf(u))));
    for (const entry of [annEntry!, bobEntry!, catEntry!]) {
      // One count people see: the number on the entry's 👍 button (the bot adds no 👍 reaction of its own).
      expect(buttons(entry).map((b) => [b.emoji?.name, b.label])).toEqual([['👍', '0']]);
      expect(entry.content).toMatch(/CLIP judge -?\d\.\d{3}/);
    }
    expect((await h.discord.slash(ann, 'battle enter', { prompt: 'another star' }).waitForEphemeral()).content).toContain('already have an entry');

    const voteId = (entry: APIMessage) => buttons(entry)[0]!.custom_id!;
    const entryId = (entry: APIMessage) => store.battles.entryByMessage(entry.id)!.id;
    const battleId = store.battles.entryByMessage(annEntry!.id)!.battleId;
    const voteOf = (user: APIUser) => store.battles.voteOf(battleId, user.id);
    const until = (check: () => boolean, what: string) => h.discord.waitUntil(() => (check() ? true : null), 30_000, what);
    const thumbs = (entry: APIMessage) => h.discord.messageById(entry.id).reactions.get('👍') ?? [];
    const shown = (entry: APIMessage) => buttons(h.discord.messageById(entry.id).message)[0]!.label;
    /** What people see on each entry (the button's number, and no 👍 left beside it) is what the store counts. */
    const agree = () => [annEntry!, bobEntry!, catEntry!].every((e) => shown(e) === String(store.battles.entryVotes(entryId(e))) && thumbs(e).length === 0);

    // Self-votes are refused, by button and by 👍 (the bot takes the 👍 off again).
    expect((await h.discord.click(ann, annEntry!, voteId(annEntry!)).waitForEphemeral()).content).toContain('cannot vote for your own entry');
    h.discord.react(bob, bobEntry!, '👍');
    await until(() => !thumbs(bobEntry!).includes(bob.id), 'the self-vote 👍 to be removed');
    expect(voteOf(bob)).toBeNull();

    // A 👍 is a vote: counted on the button, then taken off.
    h.discord.react(ann, bobEntry!, '👍');
    await until(() => voteOf(ann) === entryId(bobEntry!) && shown(bobEntry!) === '1' && thumbs(bobEntry!).length === 0, "ann's 👍 to count on the button");
    expect((await h.discord.click(bob, catEntry!, voteId(catEntry!)).waitForEphemeral()).content).toContain(`You voted for <@${cat.id}>'s entry`);
    await until(() => shown(catEntry!) === '1', "bob's vote on cat's button");
    // cat votes for ann by 👍, then moves the vote to bob with the button: ann's count goes down, bob's up.
    h.discord.react(cat, annEntry!, '👍');
    await until(() => voteOf(cat) === entryId(annEntry!) && shown(annEntry!) === '1', "cat's first vote");
    expect((await h.discord.click(cat, bobEntry!, voteId(bobEntry!)).waitForEphemeral()).content).toContain('Your vote moved');
    await until(() => shown(annEntry!) === '0' && shown(bobEntry!) === '2', "cat's vote to move");
    expect(voteOf(cat)).toBe(entryId(bobEntry!));
    // The host votes for ann by 👍, then takes the vote back by clicking ann's button.
    h.discord.react(host, annEntry!, '👍');
    await until(() => voteOf(host) === entryId(annEntry!) && shown(annEntry!) === '1', "the host's vote");
    expect((await h.discord.click(host, annEntry!, voteId(annEntry!)).waitForEphemeral()).content).toContain(`Your vote for <@${ann.id}>'s entry is taken back`);
    await until(() => voteOf(host) === null && shown(annEntry!) === '0', "the host's vote to be taken back");
    await until(agree, 'the counts shown to equal the votes');

    const status = await h.discord.slash(cat, 'battle status').waitForEphemeral();
    expect(status.content).toContain('3 entries');
    expect(status.content).toContain(`Your vote is on <@${bob.id}>'s entry`);

    expect((await h.discord.slash(ann, 'battle end').waitForEphemeral()).content).toContain('Only the battle’s starter');
    const ended = h.discord.slash(host, 'battle end');
    const results = await h.discord.waitForMessage((m) => m.content.includes('**Results**'));
    expect((await ended.waitForEphemeral()).content).toContain('results are posted');
    const lines = results.content.split('\n');
    expect(lines[1]).toMatch(new RegExp(`^🥇 <@${bob.id}> — 2 votes · judge -?\\d\\.\\d{3,6} · \\+3 points`));
    expect(lines[2]).toMatch(new RegExp(`^🥈 <@${cat.id}> — 1 vote · judge .* · \\+2 points`));
    expect(lines[3]).toMatch(new RegExp(`^🥉 <@${ann.id}> — 0 votes · judge .* · \\+1 point · `));
    expect(await decodePng(results, /^podium\.png$/)).toEqual({ width: 448, height: 248 });
    expect(store.battles.get(battleId)?.state).toBe('announced');

    // Closed: every 👍 button is greyed out with its final count (the local Discord, like Discord, refuses a click on it).
    await h.discord.waitUntil(() => ([bobEntry!, catEntry!, annEntry!].every((e) => buttons(h.discord.messageById(e.id).message).every((b) => b.disabled)) ? true : null), 30_000, 'the vote buttons to be disabled');
    expect([bobEntry!, catEntry!, annEntry!].map(shown)).toEqual(['2', '1', '0']);
    expect(() => h.discord.click(ann, catEntry!, voteId(catEntry!))).toThrow(/disabled/);
    const board = await h.discord.slash(ann, 'battle leaderboard').waitForMessage();
    expect(board.content.split('\n').slice(1)).toEqual([
      `1. <@${bob.id}> — 3 points, 1 win (1 battle)`,
      `2. <@${cat.id}> — 2 points, 0 wins (1 battle)`,
      `3. <@${ann.id}> — 1 point, 0 wins (1 battle)`,
    ]);
  });

  it('a battle whose deadline passes while the bot is down is closed, with its results, at the next start', async () => {
    const dbPath = 'restart.db';
    const channelId = h.discord.world.addChannel(h.discord.guildId, 'battles-2').id;
    const host = h.discord.addUser('host2');
    const dee = h.discord.addUser('dee2');
    await h.boot(dbPath);
    await h.discord.slash(host, 'battle start', { theme: 'a green circle', minutes: 1 }, { channelId }).waitForMessage();
    h.discord.slash(dee, 'battle enter', { prompt: 'a big green circle' }, { channelId });
    const entry = await h.discord.waitForMessage(isEntryOf(dee));
    await h.discord.waitUntil(() => (buttons(h.discord.messageById(entry.id).message).length ? true : null), 30_000, 'the entry with its button');
    await h.shutdown();
    expect(h.discord.channelMessages(channelId).some((m) => m.content.includes('**Results**'))).toBe(false);

    // Two minutes later, by the bot's clock: the deadline passed while it was down.
    const later = await h.boot(dbPath, { now: () => Date.now() + 2 * 60_000 });
    const results = await h.discord.waitForMessage((m) => m.channel_id === channelId && m.content.includes('**Results**'));
    expect(results.content).toContain(`🥇 <@${dee.id}> — 0 votes`);
    // Nobody voted: nobody gets points.
    expect(results.content).not.toMatch(/\+\d points?/);
    await decodePng(results, /^podium\.png$/);
    const battle = later.store.battles.latestIn(channelId)!;
    await h.discord.waitUntil(() => (later.store.battles.get(battle.id)?.state === 'announced' ? true : null), 30_000, 'the battle to be announced');
    expect((await h.discord.slash(dee, 'battle enter', { prompt: 'too late' }, { channelId }).waitForEphemeral()).content).toContain('No battle is running');
  });

  it('a battle still open at start gets its deadline timer back and closes when it fires', async () => {
    const dbPath = 'timer.db';
    const channelId = h.discord.world.addChannel(h.discord.guildId, 'battles-3').id;
    const host = h.discord.addUser('host3');
    await h.boot(dbPath);
    await h.discord.slash(host, 'battle start', { theme: 'a blue square', minutes: 1 }, { channelId }).waitForMessage();
    await h.shutdown();

    // 58 s later by the bot's clock: the battle is still open, its timer rebuilt from the store.
    const later = await h.boot(dbPath, { now: () => Date.now() + 58_000 });
    const battle = later.store.battles.latestIn(channelId)!;
    expect(later.bot.ctx.battleTimers.has(battle.id)).toBe(true);
    const results = await h.discord.waitForMessage((m) => m.channel_id === channelId && m.content.includes('**Results**'));
    expect(results.content).toContain('No entries');
    await h.discord.waitUntil(() => (later.store.battles.get(battle.id)?.state === 'announced' ? true : null), 30_000, 'the battle to be announced');
  });

  it('results closed in the database but never posted (a crash in between) are posted at the next start', async () => {
    const dbPath = 'unannounced.db';
    const channelId = h.discord.world.addChannel(h.discord.guildId, 'battles-4').id;
    const setup = Store.open(join(h.dir, dbPath));
    const battle = setup.battles.start({ guildId: h.discord.guildId, channelId, starterId: 'someone', theme: 'a white star', maxEntries: null, endsAt: Date.now() + 60_000 })!;
    setup.battles.close(battle.id);
    setup.close();

    const { store } = await h.boot(dbPath);
    const results = await h.discord.waitForMessage((m) => m.channel_id === channelId && m.content.includes('**Results**'));
    expect(results.content).toContain('a white star');
    await h.discord.waitUntil(() => (store.battles.get(battle.id)?.state === 'announced' ? true : null), 30_000, 'the battle to be announced');
    expect(h.discord.channelMessages(channelId).filter((m) => m.content.includes('**Results**'))).toHaveLength(1);
  });
});
