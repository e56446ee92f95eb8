/**
 * The e2e setup: the local Discord, the real bot (real discord.js, real ONNX engine on the bundled
 * pack) connected to it through DISCORD_REST_URL, commands deployed as `npm run deploy-commands` does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { MessageFlags, type APIMessage, type APIUser } from 'discord-api-types/v10';
import sharp from 'sharp';
import { Bot } from '../../src/discord/bot.ts';
import type { DeliveryTimings } from '../../src/discord/outbox.ts';
import { loadConfig } from '../../src/discord/config.ts';
import { deployCommands } from '../../src/discord/deploy.ts';
import { createLogger } from '../../src/discord/logger.ts';
import { Engine } from '../../src/engine/index.ts';
import { LocalDiscordDriver, type LocalDiscord, type LocalDiscordOptions } from '../../src/sandbox/index.ts';
import { Store } from '../../src/store/index.ts';

export const PACK_DIR = 'models/shapes-v1';

let shared: Promise<Engine> | null = null;
/** One engine per test file (ONNX sessions are heavy on 2 cores). */
export function sharedEngine(): Promise<Engine> {
  shared ??= Engine.load({ packDir: PACK_DIR, threads: 2 });
  return shared;
}

export interface Harness {
  discord: LocalDiscordDriver;
  bot: Bot;
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Environment a bot needs to talk to this local Discord (also for a spawned `npm start`). */
export function sandboxEnv(discord: LocalDiscord, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DISCORD_TOKEN: discord.token,
    DISCORD_REST_URL: discord.apiUrl,
    DISCORD_CDN_HOSTS: discord.cdnHost,
    UNCLIP_PACK: PACK_DIR,
    UNCLIP_STEPS: '4',
    UNCLIP_PRIOR_STEPS: '4',
    UNCLIP_THREADS: '2',
    UNCLIP_LOG_LEVEL: 'info',
    UNCLIP_DB: ':memory:',
    ...extra,
  };
}

export interface BotOptions {
  env?: Record<string, string>;
  /** The SQLite store (default: one in memory). */
  store?: Store;
  /** The bot's clock for battle deadlines. */
  now?: () => number;
  /** The outbox's timings (shortened in tests; the logic is the same). */
  delivery?: Partial<DeliveryTimings>;
  /** At most one position edit per message this often (default 10 s). */
  positionIntervalMs?: number;
  /** Another engine than the shared one (e.g. one that takes longer per job). */
  engine?: Engine;
}

/** A bot (a new process, as far as Discord can tell) connected to an already running local Discord. */
export async function startBot(discord: LocalDiscord, opts: BotOptions = {}): Promise<{ bot: Bot; logs: Record<string, unknown>[] }> {
  const config = loadConfig(sandboxEnv(discord, opts.env));
  const logs: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'info', secrets: [discord.token], write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const bot = await Bot.create({
    config,
    engine: opts.engine ?? (await sharedEngine()),
    log,
    ...(opts.store ? { store: opts.store } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.delivery ? { delivery: opts.delivery } : {}),
    ...(opts.positionIntervalMs ? { positionIntervalMs: opts.positionIntervalMs } : {}),
  });
  await bot.start();
  return { bot, logs };
}

export async function startHarness(opts: BotOptions & { discord?: LocalDiscordOptions } = {}): Promise<Harness> {
  const discord = await LocalDiscordDriver.start(opts.discord);
  await deployCommands({ token: discord.token, restUrl: discord.apiUrl, guildId: discord.guildId, packDir: opts.env?.['UNCLIP_PACK'] ?? PACK_DIR });
  const { bot, logs } = await startBot(discord, opts);
  return {
    discord,
    bot,
    logs,
    async stop() {
      await bot.stop();
      await discord.stop();
    },
  };
}

/**
 * One local Discord + bot for a whole test file (started before the first test, stopped after the
 * last); after every test, no request may have gone unhandled. Usable like the Harness itself.
 */
export function useHarness(opts: BotOptions & { discord?: LocalDiscordOptions } = {}): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    Object.assign(h, await startHarness(opts));
  });
  afterAll(async () => {
    await h.stop?.();
  });
  afterEach(() => {
    h.discord.assertNoUnhandledRequests();
  });
  return h;
}

export interface DurableHarness {
  discord: LocalDiscordDriver;
  /** A temporary folder for the test file's database files, removed after the last test. */
  dir: string;
  /** A bot process, as far as Discord and the database can tell: a new client on the SQLite file `name` in dir. */
  boot(name: string, opts?: Omit<BotOptions, 'store'>): Promise<{ bot: Bot; store: Store }>;
  /** Stops the most recently booted bot and closes its store (a clean shutdown). */
  shutdown(): Promise<void>;
}

/**
 * One local Discord for a whole test file whose bots keep their state in real SQLite files: bots come
 * and go (restarts) while Discord stays. After every test the bots still running are stopped, their
 * stores closed, and no request may have gone unhandled.
 */
export function useDurableHarness(): DurableHarness {
  const running: { bot: Bot; store: Store }[] = [];
  const h = {
    async boot(name, opts = {}) {
      const store = Store.open(join(h.dir, name));
      const { bot } = await startBot(h.discord, { ...opts, store });
      running.push({ bot, store });
      return { bot, store };
    },
    async shutdown() {
      const last = running.pop();
      if (!last) throw new Error('shutdown(): no bot is running');
      await last.bot.stop();
      last.store.close();
    },
  } as DurableHarness;
  beforeAll(async () => {
    h.dir = mkdtempSync(join(tmpdir(), 'unclip-e2e-db-'));
    h.discord = await LocalDiscordDriver.start();
    await deployCommands({ token: h.discord.token, restUrl: h.discord.apiUrl, guildId: h.discord.guildId, packDir: PACK_DIR });
  });
  afterEach(async () => {
    while (running.length > 0) await h.shutdown();
    h.discord.assertNoUnhandledRequests();
  });
  afterAll(async () => {
    await h.discord?.stop();
    if (h.dir) rmSync(h.dir, { recursive: true, force: true });
  });
  return h;
}

export const isEphemeral = (m: APIMessage) => ((m.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
export const hasResult = (m: APIMessage) => m.attachments.some((a) => /^unclip-\d+\.png$/.test(a.filename));

/** The attachment, fetched from its (fake CDN) URL as a client would, decodes as a PNG; returns its size. */
export async function decodePng(message: APIMessage, name: RegExp = /\.png$/): Promise<{ width: number; height: number }> {
  const attachment = message.attachments.find((a) => name.test(a.filename));
  if (!attachment) throw new Error(`no attachment matching ${name} in message ${message.id}`);
  const response = await fetch(attachment.url);
  const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
  if (meta.format !== 'png') throw new Error(`attachment is ${meta.format}, not png`);
  return { width: meta.width!, height: meta.height! };
}

/** A small real PNG from the shapes world: a red square on blue. */
export async function shapePng(colour = { r: 220, g: 40, b: 40 }): Promise<Buffer> {
  const square = await sharp({ create: { width: 48, height: 48, channels: 3, background: colour } }).png().toBuffer();
  return sharp({ create: { width: 128, height: 128, channels: 3, background: { r: 40, g: 90, b: 220 } } })
    .composite([{ input: square, left: 40, top: 40 }])
    .png()
    .toBuffer();
}

export function mention(user: APIUser): string {
  return `<@${user.id}>`;
}
