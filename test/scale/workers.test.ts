/**
 * The bot on Redis with two worker processes, through the local Discord: three people's jobs served
 * round-robin, each posted once; the bot restarted while the workers finish; Redis restarted; a
 * worker killed mid-job (its job runs again on the other worker and is posted once).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIMessage } from 'discord-api-types/v10';
import { deployCommands } from '../../src/discord/deploy.ts';
import { LocalDiscordDriver } from '../../src/sandbox/index.ts';
import { Store } from '../../src/store/index.ts';
import { hasResult, mention } from '../e2e/harness.ts';
import { startRedisBot, WorkerProcess } from './cluster.ts';
import { hasRedis, RedisServer } from './redis-server.ts';

describe.skipIf(!hasRedis)('the bot on Redis with two worker processes', () => {
  let redis: RedisServer;
  let discord: LocalDiscordDriver;
  let dir: string;
  let workers: WorkerProcess[] = [];
  let bot: Awaited<ReturnType<typeof startRedisBot>> | null = null;
  let store: Store;

  const resultsFor = (text: string) => discord.channelMessages().filter((m: APIMessage) => hasResult(m) && m.content.includes(text));
  const allStarted = () => workers.flatMap((w) => w.started());
  const stalls = () => workers.flatMap((w) => w.logs.filter((l) => String(l['msg']).startsWith('job stalled')));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'unclip-scale-'));
    redis = await RedisServer.start();
    discord = await LocalDiscordDriver.start();
    await deployCommands({ token: discord.token, restUrl: discord.apiUrl, guildId: discord.guildId });
    workers = await Promise.all(['w1', 'w2'].map((name) => WorkerProcess.start(name, redis.url)));
    store = Store.open(join(dir, 'bot.db'));
    bot = await startRedisBot(discord, redis.url, store);
  }, 180_000);

  afterAll(async () => {
    await bot?.bot.stop();
    store?.close();
    await Promise.all(workers.map((w) => (w.child.exitCode === null ? w.kill('SIGTERM') : null)));
    await discord?.stop();
    await redis?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves three people round-robin on two workers, and posts each result once', async () => {
    expect(bot!.bot.ctx.engine).toBeNull();
    const people = ['ann', 'ben', 'cat'].map((n) => discord.addUser(n));
    const runs = [];
    for (const person of people) for (const n of [1, 2]) runs.push(discord.slash(person, 'imagine', { prompt: `a red star ${person.username}${n}`, count: runs.length === 0 ? 4 : 2 }));
    await Promise.all(runs.map((r) => r.waitForMessage(hasResult, 120_000)));
    const labels = bot!.logs.filter((l) => l['msg'] === 'job released to redis').map((l) => String(l['label']).replace('imagine: a red star ', ''));
    expect(labels).toEqual(['ann1', 'ben1', 'cat1', 'ann2', 'ben2', 'cat2']);
    for (const person of people) for (const n of [1, 2]) expect(resultsFor(`${person.username}${n}`)).toHaveLength(1);
    expect(allStarted()).toHaveLength(6);
    expect(new Set(allStarted()).size).toBe(6);
    expect(workers.every((w) => w.started().length > 0)).toBe(true);
    // Jobs last longer than the 1 s lock: the model thread leaves the event loop free to renew it.
    expect(stalls()).toEqual([]);
    discord.assertNoUnhandledRequests();
  }, 180_000);

  it('the bot restarted while the workers finish: the results are posted after it starts, once', async () => {
    const eve = discord.addUser('eve');
    const fay = discord.addUser('fay');
    const first = discord.slash(eve, 'imagine', { prompt: 'a small green circle', count: 4 });
    discord.slash(fay, 'imagine', { prompt: 'a small pink square', count: 4 });
    await first.waitForMessage((m) => /Working on it|Step/.test(m.content), 60_000);
    await bot!.bot.stop();
    store.close();
    bot = null;
    store = Store.open(join(dir, 'bot.db'));
    bot = await startRedisBot(discord, redis.url, store);
    await discord.waitForMessage((m) => hasResult(m) && m.content.includes('a small green circle') && m.content.includes(mention(eve)), 120_000);
    await discord.waitForMessage((m) => hasResult(m) && m.content.includes('a small pink square') && m.content.includes(mention(fay)), 120_000);
    expect(resultsFor('a small green circle')).toHaveLength(1);
    expect(resultsFor('a small pink square')).toHaveLength(1);
    expect(stalls()).toEqual([]);
    // Journalled done right after posting.
    for (let i = 0; i < 100 && store.journal.unfinished().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(store.journal.unfinished()).toEqual([]);
    discord.assertNoUnhandledRequests();
  }, 180_000);

  it('Redis restarted (append-only file) while jobs wait and run: every one is posted, once', async () => {
    const gus = discord.addUser('gus');
    const hal = discord.addUser('hal');
    const runs = [discord.slash(gus, 'imagine', { prompt: 'a big white star 1', count: 4 }), discord.slash(hal, 'imagine', { prompt: 'a big white star 2', count: 2 }), discord.slash(gus, 'imagine', { prompt: 'a big white star 3', count: 2 })];
    await runs[0]!.waitForMessage((m) => /Working on it|Step/.test(m.content), 60_000);
    await redis.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    await redis.restart();
    await Promise.all(runs.map((r) => r.waitForMessage(hasResult, 120_000)));
    for (const n of [1, 2, 3]) expect(resultsFor(`a big white star ${n}`)).toHaveLength(1);
    discord.assertNoUnhandledRequests();
  }, 180_000);

  it('a worker killed mid-job (SIGKILL): the job runs again on the other worker and is posted once; long jobs never stall', async () => {
    // Two new workers with long jobs (40 decoder steps: seconds each, against a 1 s lock).
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    workers = await Promise.all(['w3', 'w4'].map((name) => WorkerProcess.start(name, redis.url, { UNCLIP_STEPS: '40' })));
    const ida = discord.addUser('ida');
    const jon = discord.addUser('jon');
    const run = discord.slash(ida, 'imagine', { prompt: 'a small yellow heart', count: 4 });
    const other = discord.slash(jon, 'imagine', { prompt: 'a small purple circle', count: 1 });
    // Mid-job: its first progress report (a decoder step) is on Discord.
    await run.waitForMessage((m) => /Step \d+\/40/.test(m.content), 60_000);
    const jobId = bot!.logs.find((l) => l['msg'] === 'job released to redis' && String(l['label']).includes('a small yellow heart'))!['job'] as string;
    const victim = workers.find((w) => w.started().includes(jobId))!;
    const survivor = workers.find((w) => w !== victim)!;
    await victim.kill('SIGKILL');
    await Promise.all([run.waitForMessage(hasResult, 120_000), other.waitForMessage(hasResult, 120_000)]);
    expect(victim.logs.some((l) => l['msg'] === 'job done' && l['job'] === jobId)).toBe(false);
    expect(survivor.started()).toContain(jobId);
    expect(survivor.logs.filter((l) => String(l['msg']).startsWith('job stalled')).map((l) => l['job'])).toEqual([jobId]);
    expect(resultsFor('a small yellow heart')).toHaveLength(1);
    expect(resultsFor('a small purple circle')).toHaveLength(1);
    discord.assertNoUnhandledRequests();
  }, 180_000);
  it('shows a running remote job’s progress with a preview, and Cancel stops it on its worker', async () => {
    const dan = discord.addUser('dan');
    const run = discord.slash(dan, 'imagine', { prompt: 'a big blue heart', count: 4 });
    const working = await run.waitForMessage((m) => /Step \d+\/40/.test(m.content) && m.attachments.some((a) => a.filename === 'preview.png'), 60_000);
    const cancelId = JSON.stringify(working.components).match(/job:cancel:[^"]+/)![0];
    discord.click(dan, working, cancelId);
    await run.waitForMessage((m) => m.content.includes('Cancelled.'), 60_000);
    const jobId = cancelId.replace('job:cancel:', '');
    const told = () => workers.some((w) => w.logs.some((l) => l['job'] === jobId && l['msg'] === 'job failed' && l['kind'] === 'cancelled'));
    for (let i = 0; i < 200 && !told(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(told()).toBe(true);
    expect(workers.some((w) => w.logs.some((l) => l['job'] === jobId && l['msg'] === 'job cancelled by its owner'))).toBe(true);
    expect(resultsFor('a big blue heart')).toEqual([]);
    discord.assertNoUnhandledRequests();
  }, 120_000);
});
