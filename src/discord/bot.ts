/**
 * The bot: a discord.js client wired to the router, the inference queue (with its one processor) and the store. With
 * `config.restUrl` REST (and so gateway discovery) goes to that base URL: a REST proxy, or the local
 * Discord of src/sandbox. With `config.shards` (UNCLIP_SHARDS) the one client holds that many gateway
 * shards (discord.js internal sharding): every shard's events reach the same router, queue and store,
 * and what runs at start (recovery, pending deliveries, battle timers) runs once, after all are ready.
 */
import { Client, Events, GatewayCloseCodes, GatewayIntentBits, Partials, type Collection } from 'discord.js';
import { readPackSummary, type Engine, type Progress } from '../engine/index.ts';
import { InferenceQueue, type JobQueue } from '../queue/index.ts';
import { Store } from '../store/index.ts';
import { Downloads } from './attachments.ts';
import { clearBattleTimers, restoreBattles } from './battles.ts';
import { loadCommands, type Command } from './commands.ts';
import type { Config } from './config.ts';
import type { BotContext } from './context.ts';
import { createLogger, type Logger } from './logger.ts';
import { Deliveries, type DeliveryTimings } from './deliveries.ts';
import { resumeDeliveries } from './outbox.ts';
import { JobDurations, POSITION_INTERVAL_MS } from './pacing.ts';
import { createProcessor } from './processor.ts';
import { ChannelReply, NO_PINGS } from './replies.ts';
import { recoverJobs } from './recovery.ts';
import type { JobRequest, JobResult } from './request.ts';
import { SeenInteractions } from './seen-interactions.ts';
import { attachRouter } from './router.ts';

export interface BotOptions {
  config: Config;
  /** The model: the in-process queue's processor runs it. Not needed with `queue`. */
  engine?: Engine;
  /** Another queue than the in-process one (the Redis queue, whose workers run the jobs). */
  queue?: JobQueue<JobRequest, JobResult, Progress>;
  /** The SQLite store (generations, job journal, battles); by default one in memory. */
  store?: Store;
  /** The clock of battle deadlines (tests move it). */
  now?: () => number;
  log?: Logger;
  commandsDir?: string;
  /** The outbox's retry timings (tests shorten them; the defaults are Discord-sized). */
  delivery?: Partial<DeliveryTimings>;
  /** At most one position edit per message this often (default 10 s). */
  positionIntervalMs?: number;
}

export const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions];

export class Bot {
  private constructor(
    readonly client: Client,
    readonly ctx: BotContext,
    readonly commands: Collection<string, Command>,
  ) {}

  static async create(opts: BotOptions): Promise<Bot> {
    const log = opts.log ?? createLogger({ level: opts.config.logLevel, secrets: [opts.config.token] });
    const store = opts.store ?? Store.open(':memory:');
    const attachments = { hosts: opts.config.cdnHosts, maxBytes: opts.config.maxInputBytes };
    const ctx: BotContext = {
      engine: opts.engine ?? null,
      queue: opts.queue ?? new InferenceQueue<JobRequest, JobResult, Progress>(opts.config.queue),
      store,
      durable: !store.sqlite.memory,
      now: opts.now ?? Date.now,
      battleTimers: new Map(),
      config: opts.config,
      log,
      attachments,
      downloads: new Downloads(attachments),
      interactions: new SeenInteractions(),
      pendingClassify: new Map(),
      inflight: new Set(),
      deliveries: new Deliveries(opts.delivery),
      pacing: { durations: new JobDurations(), positionIntervalMs: opts.positionIntervalMs ?? POSITION_INTERVAL_MS },
    };
    if (!opts.queue) {
      if (!opts.engine) throw new Error('the in-process queue needs the engine');
      ctx.queue.process(createProcessor({ ...ctx, engine: opts.engine }));
    }
    // The pack's summary for the schemas (the bot holds no model with Redis: then its JSON files, if here).
    const pack = opts.engine?.summary ?? (await readPackSummary(opts.config.packDir).catch(() => null));
    const commands = await loadCommands(opts.commandsDir, log, pack);
    const client = new Client({
      intents: INTENTS,
      // Reactions on results this process never saw (older messages, before a restart).
      partials: [Partials.Message, Partials.Reaction, Partials.User, Partials.Channel],
      allowedMentions: NO_PINGS,
      ...(opts.config.shards === 'auto' ? { shards: 'auto' as const } : { shardCount: opts.config.shards }),
      ...(opts.config.restUrl ? { rest: { api: opts.config.restUrl } } : {}),
    });
    attachRouter(client, ctx, commands);
    client.on(Events.Error, (error) => log.error('discord client error', { error }));
    client.on(Events.ShardDisconnect, (event, shard) => log.warn('gateway disconnected', { code: event.code, shard }));
    client.on(Events.ShardReady, (shard, unavailable) => log.info('shard ready', { shard, guilds: client.guilds.cache.filter((g) => g.shardId === shard).size, unavailable: unavailable?.size ?? 0 }));
    return new Bot(client, ctx, commands);
  }

  /**
   * Logs in and resolves once the gateway session is ready; then runs the jobs a previous process
   * left unfinished, delivers the results it left undelivered, and rebuilds the battles' deadline
   * timers from the store.
   */
  async start(): Promise<void> {
    const token = this.ctx.config.token;
    if (!token) throw new Error('no DISCORD_TOKEN');
    const ready = new Promise<void>((resolve) => this.client.once(Events.ClientReady, () => resolve()));
    let closedWith: number | null = null;
    const onClose = (event: { code: number }) => (closedWith = event.code);
    this.client.on(Events.ShardDisconnect, onClose);
    try {
      await this.client.login(token);
    } catch (error) {
      throw closedWith === null ? error : new Error(shardingHint(closedWith, error));
    } finally {
      this.client.off(Events.ShardDisconnect, onClose);
    }
    await ready;
    const shards = this.client.ws.shards.size;
    this.ctx.log.info('connected to Discord', { user: this.client.user?.tag, guilds: this.client.guilds.cache.size, shards, commands: [...this.commands.keys()] });
    // A recovered job's messages go to its channel, in the message it was shown in before when there is one.
    recoverJobs(this.ctx, (job) => new ChannelReply(this.client, job.channelId, job.guildId, null, job.userId, this.ctx.log, job.statusMessageId));
    // Results a previous process stored but could not deliver: a new post in their channel, mentioning the requester.
    resumeDeliveries(this.ctx, (d) => new ChannelReply(this.client, d.channelId, d.guildId, null, d.userId, this.ctx.log));
    restoreBattles(this.client, this.ctx);
  }

  /**
   * Stops taking jobs, lets the running one finish and its result reach Discord, then disconnects.
   * With a database file, waiting jobs stay journalled and run after the restart.
   */
  async stop(): Promise<void> {
    this.ctx.log.info('shutting down', { waiting: this.ctx.queue.waiting, running: this.ctx.queue.running?.id ?? null });
    clearBattleTimers(this.ctx);
    await this.ctx.queue.close({ postpone: this.ctx.durable });
    // Deliveries waiting to retry stay in the outbox for the next start (one being sent finishes).
    this.ctx.deliveries.stop();
    await Promise.allSettled([...this.ctx.inflight]);
    await this.client.destroy();
    this.ctx.log.info('stopped');
  }
}

/** What to change when Discord refuses the gateway connection over sharding (4010, 4011). */
function shardingHint(code: number, error: unknown): string {
  const said = error instanceof Error ? error.message : String(error);
  if (code === GatewayCloseCodes.ShardingRequired) return `${said}: the bot is in more servers than one gateway connection may hold; set UNCLIP_SHARDS=auto (or a number of shards)`;
  if (code === GatewayCloseCodes.InvalidShard) return `${said}: Discord refused the shard count; set UNCLIP_SHARDS=auto`;
  return said;
}
