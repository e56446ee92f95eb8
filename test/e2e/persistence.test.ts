/**
 * Results and jobs outlive the process: a new bot (new discord.js client, same SQLite file, same
 * local Discord) answers buttons on results made before the restart, /show re-posts one, and jobs
 * left queued or running by a process killed with SIGKILL run once more, exactly once.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { APIMessage } from 'discord-api-types/v10';
import { buttons } from '../../src/sandbox/index.ts';
import { Store } from '../../src/store/index.ts';
import { decodePng, hasResult, sandboxEnv, useDurableHarness } from './harness.ts';

const h = useDurableHarness();

const resultsFor = (prompt: string) => h.discord.channelMessages().filter((m: APIMessage) => hasResult(m) && m.content.includes(prompt));

describe('persistence across restarts (real SQLite in a temp dir)', () => {
  it('V3 and 2️⃣ on a result made before a restart give variations of that cell; /show re-posts it with working buttons', async () => {
    const dbPath = 'buttons/unclip.db';
    const alice = h.discord.addUser('alice');
    const bob = h.discord.addUser('bob');
    const first = await h.boot(dbPath);
    const original = await h.discord.slash(alice, 'imagine', { prompt: 'a big purple heart', seed: 21 }).waitForMessage(hasResult);
    await h.discord.waitUntil(() => (h.discord.messageById(original.id).reactions.size === 4 ? true : null), 30_000, 'the reactions');
    const before = await first.store.generations.get(original.id);
    await h.shutdown();

    const second = await h.boot(dbPath);
    const variations = await h.discord.click(bob, original, 'gen:v:3').waitForMessage(hasResult);
    expect(variations.content).toContain('Variations of image 3 of **a big purple heart**');
    expect(await decodePng(variations)).toEqual({ width: 256, height: 256 });
    const made = await second.store.generations.get(variations.id);
    expect(made?.ownerId).toBe(bob.id);
    expect(Array.from(made!.source!)).toEqual(Array.from(before!.embeddings[2]!));

    h.discord.react(bob, original, '2️⃣');
    const posted = await h.discord.waitForMessage((m) => hasResult(m) && m.content.startsWith(`<@${bob.id}>`) && m.content.includes('Variations of image 2'));
    // A new message: stored right after Discord answers its creation (the gateway may tell us first).
    const postedStored = await h.discord.waitUntil(() => second.store.generations.get(posted.id), 10_000, 'the posted variations in the store');
    expect(Array.from(postedStored.source!)).toEqual(Array.from(before!.embeddings[1]!));

    const link = `https://discord.com/channels/${h.discord.guildId}/${h.discord.channelId}/${original.id}`;
    const shown = await h.discord.slash(alice, 'show', { message: link }).waitForMessage(hasResult);
    expect(shown.id).not.toBe(original.id);
    expect(shown.content).toContain('a big purple heart');
    expect(buttons(shown).map((b) => b.label ?? b.custom_id)).toEqual(['V1', 'V2', 'V3', 'V4', 'gen:again', 'U1', 'U2', 'U3', 'U4']);
    expect(h.discord.attachmentData(shown.attachments[0]!).equals(h.discord.attachmentData(original.attachments[0]!))).toBe(true);
    const fromShown = await h.discord.click(alice, shown, 'gen:v:1').waitForMessage(hasResult);
    expect(Array.from((await second.store.generations.get(fromShown.id))!.source!)).toEqual(Array.from(before!.embeddings[0]!));

    const unknown = await h.discord.slash(alice, 'show', { message: '123456789012345678' }).waitForEphemeral();
    expect(unknown.content).toContain('I have no result for that message');
  });

  it('jobs running or queued when the process is killed (SIGKILL) run exactly once after the restart, posted to the channel with a mention', async () => {
    const dbPath = 'killed/unclip.db';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, ...sandboxEnv(h.discord, { UNCLIP_DB: join(h.dir, dbPath), UNCLIP_STEPS: '40' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const kim = h.discord.addUser('kim');
    const lee = h.discord.addUser('lee');
    let running!: ReturnType<typeof h.discord.slash>;
    let queued!: ReturnType<typeof h.discord.slash>;
    let kimMessage: APIMessage | undefined;
    let leeMessage: APIMessage | undefined;
    try {
      await h.discord.waitUntil(() => (output.includes('connected to Discord') ? true : null), 60_000, 'the child bot to connect');
      running = h.discord.slash(kim, 'imagine', { prompt: 'a big orange star', count: 4 });
      queued = h.discord.slash(lee, 'imagine', { prompt: 'a small white circle', count: 1 });
      await queued.waitForMessage((m) => m.content.includes('Queued: position 1'));
      await running.waitForMessage((m) => m.content.includes('Working on it') || m.content.includes('Step'));
      [kimMessage] = running.messages();
      [leeMessage] = queued.messages();
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      child.kill('SIGKILL');
    }
    expect(resultsFor('a big orange star')).toHaveLength(0);

    const { bot, store } = await h.boot(dbPath);
    const kimResult = await h.discord.waitForMessage((m) => hasResult(m) && m.content.startsWith(`<@${kim.id}>`) && m.content.includes('a big orange star'));
    const leeResult = await h.discord.waitForMessage((m) => hasResult(m) && m.content.startsWith(`<@${lee.id}>`) && m.content.includes('a small white circle'));
    expect(await decodePng(kimResult)).toEqual({ width: 256, height: 256 });
    expect(await decodePng(leeResult)).toEqual({ width: 128, height: 128 });
    await h.discord.waitUntil(() => (store.journal.unfinished().length === 0 && store.outbox.pending().length === 0 ? true : null), 30_000, 'the journal and the outbox to empty');
    const jobs = store.sqlite.prepare('SELECT user_id AS user, state, attempts, result_message_id AS message FROM jobs ORDER BY id').all();
    expect(jobs).toEqual([
      { user: kim.id, state: 'done', attempts: 2, message: kimResult.id }, // running at the kill, then once more
      { user: lee.id, state: 'done', attempts: 1, message: leeResult.id }, // queued at the kill
    ]);
    // The messages the killed process left in progress said what happens now, then became the results.
    const editsOf = (message: APIMessage) =>
      h.discord.requests.filter((r) => r.route === 'PATCH /channels/:channel/messages/:message' && r.path.endsWith(`/${message.id}`)).map((r) => String((r.json as { content?: string }).content));
    expect(editsOf(kimMessage!)[0]).toBe(`<@${kim.id}> **a big orange star**\n🎨 Working on it again after a restart…`);
    expect(editsOf(leeMessage!)[0]).toBe(`<@${lee.id}> **a small white circle**\n⏳ Re-queued after a restart: position 1.`);
    // An edit never notifies: each result is a new message that pings its requester at creation, and the
    // status it replaces is removed.
    for (const [result, status, user] of [[kimResult, kimMessage!, kim], [leeResult, leeMessage!, lee]] as const) {
      expect(result.id).not.toBe(status.id);
      expect(h.discord.messageById(result.id).pings.users).toEqual([user.id]);
      await h.discord.waitUntil(() => (h.discord.world.messages.get(status.id)?.deleted ? true : null), 30_000, 'the replaced status to be removed');
    }
    // The buttons of a recovered result work like any other.
    expect(await bot.ctx.store.generations.get(kimResult.id)).toMatchObject({ ownerId: kim.id, prompt: 'a big orange star' });
    await h.shutdown();

    // Another restart runs nothing again.
    const third = await h.boot(dbPath);
    expect(third.bot.ctx.queue.running).toBeNull();
    expect(third.bot.ctx.queue.waiting).toBe(0);
    expect(resultsFor('a big orange star')).toHaveLength(1);
    expect(resultsFor('a small white circle')).toHaveLength(1);
  });

  it('on a graceful stop (bot.stop(), what the SIGTERM handler runs) waiting jobs keep their place: told so, journalled, and run after the restart', async () => {
    const dbPath = 'graceful/unclip.db';
    const ann = h.discord.addUser('ann-g');
    const bo = h.discord.addUser('bo-g');
    await h.boot(dbPath, { env: { UNCLIP_STEPS: '40' } });
    const first = h.discord.slash(ann, 'imagine', { prompt: 'a big black square', count: 4 });
    const waiting = h.discord.slash(bo, 'imagine', { prompt: 'a small pink triangle', count: 1 });
    await waiting.waitForMessage((m) => m.content.includes('Queued: position 1'));
    await h.shutdown();
    expect(hasResult(await first.waitForMessage())).toBe(true);
    expect((await waiting.waitForMessage()).content).toContain('keeps its place');
    expect(resultsFor('a small pink triangle')).toHaveLength(0);

    const { store } = await h.boot(dbPath);
    const posted = await h.discord.waitForMessage((m) => hasResult(m) && m.content.startsWith(`<@${bo.id}>`) && m.content.includes('a small pink triangle'));
    await h.discord.waitUntil(() => (store.journal.unfinished().length === 0 && store.outbox.pending().length === 0 ? true : null), 30_000, 'the journal and the outbox to empty');
    expect(store.journal.get(2)).toMatchObject({ userId: bo.id, state: 'done', attempts: 1, resultMessageId: posted.id });
    expect(resultsFor('a small pink triangle')).toHaveLength(1);
  });

  it('a job already interrupted twice is not run a third time: marked failed, its requester told in the channel', async () => {
    const dbPath = 'twice/unclip.db';
    const pat = h.discord.addUser('pat');
    const setup = Store.open(join(h.dir, dbPath));
    const job = { userId: pat.id, request: { kind: 'imagine', prompt: 'a gray heart', n: 1 }, headline: '**a gray heart**', label: 'imagine: a gray heart' };
    const id = setup.journal.add({ userId: pat.id, channelId: h.discord.channelId, guildId: h.discord.guildId, interactionId: null, payload: { type: 'generation', job } });
    setup.journal.started(id);
    setup.journal.started(id); // started, crashed, started again, crashed again
    setup.close();

    const { bot, store } = await h.boot(dbPath);
    const told = await h.discord.waitForMessage((m) => m.content.startsWith(`<@${pat.id}>`) && m.content.includes('interrupted twice'));
    expect(told.content).toContain('a gray heart');
    expect(store.journal.get(id)).toMatchObject({ state: 'failed', attempts: 2 });
    expect(bot.ctx.queue.waiting + (bot.ctx.queue.running ? 1 : 0)).toBe(0);
    expect(resultsFor('a gray heart')).toHaveLength(0);
  });
});
