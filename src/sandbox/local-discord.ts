/**
 * A local Discord: REST over HTTP and the Gateway over WebSocket on one port, with a fake CDN for
 * attachments. The real discord.js client connects to it with `rest: { api: discord.apiUrl }`.
 * Simulated users act in it (slash commands, buttons, reactions, modals, messages) and what the bot
 * did can be read back; every request is recorded, and one to a route Discord would not know is
 * kept in `unhandled`. The routes live in routes/, the HTTP pipeline in rest.ts, fault injection in
 * faults.ts; what only tests need (waiting, faults, the clock) is testing/driver.ts.
 */
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApplicationCommandType,
  ComponentType,
  GatewayDispatchEvents,
  InteractionType,
  type Locale,
  type APIApplicationCommand,
  type APIAttachment,
  type APIMessage,
  type APIUser,
} from 'discord-api-types/v10';
import { WebSocketServer } from 'ws';
import { Announcer } from './announcer.ts';
import { errors } from './errors.ts';
import { FaultInjector } from './faults.ts';
import { GatewayServer } from './gateway.ts';
import { sendJson, type Route } from './http.ts';
import { InteractionHandle } from './interaction-handle.ts';
import {
  basePayload,
  buildOptions,
  chatInputData,
  messageCommandData,
  modalSubmitData,
  newToken,
  resolveUsers,
  type AttachmentInput,
  type InteractionRecord,
  type OptionValue,
} from './interactions.ts';
import { DEFAULT_UPLOAD_LIMIT, buttons, contentTypeFor, createMessage, renderMessage } from './messages.ts';
import { RateLimiter, type RateLimitOptions } from './rate-limits.ts';
import { serveRest, type RecordedRequest } from './rest.ts';
import { buildRoutes } from './routes/index.ts';
import { Sharding, timeOnShard, type ShardingOptions, type ShardPair } from './shards.ts';
import { World, type MessageRecord } from './world.ts';

export { InteractionHandle } from './interaction-handle.ts';
export type { RecordedRequest } from './rest.ts';

export interface LocalDiscordOptions {
  host?: string;
  port?: number;
  /** The bot token the application has; a random one by default. */
  token?: string;
  botName?: string;
  guildName?: string;
  channelName?: string;
  heartbeatIntervalMs?: number;
  /** Discord's window for the first response to an interaction (3 s). */
  ackWindowMs?: number;
  /** How long an interaction token may edit and follow up (15 min). */
  tokenLifetimeMs?: number;
  uploadLimitBytes?: number;
  /** Privileged intents switched on in the "developer portal" (a GatewayIntentBits mask). */
  privilegedIntents?: number;
  /**
   * Discord's rate limits (rate-limits.ts: per-route buckets with X-RateLimit-* headers, 429s, the
   * global 50/s). Off by default (they make the e2e suite about half again as slow: reactions go at
   * 4 a second per channel, edits at 5 per 5 s per token); `true` turns them on; an object replaces
   * the buckets or the global limit.
   */
  rateLimits?: boolean | RateLimitOptions;
  /** Sharding's numbers (shards.ts): guilds per recommended shard (1,000), per session at most (2,500), IDENTIFY concurrency (1). */
  sharding?: ShardingOptions;
  log?: (line: string) => void;
}

export interface ScenarioOptions {
  channelId?: string;
}

export class LocalDiscord extends EventEmitter {
  readonly world: World;
  readonly gateway: GatewayServer;
  readonly announce: Announcer;
  readonly faults = new FaultInjector();
  readonly rateLimits: RateLimiter | null;
  readonly sharding: Sharding;
  readonly token: string;
  readonly requests: RecordedRequest[] = [];
  readonly unhandled: RecordedRequest[] = [];
  readonly interactions = new Map<string, InteractionRecord>();
  readonly routes: Route[];
  readonly guildId: string;
  readonly channelId: string;
  readonly ackWindowMs: number;
  readonly tokenLifetimeMs: number;
  readonly uploadLimitBytes: number;
  /** What a test moved the clock by (testing/driver.ts). */
  protected clockOffset = 0;
  #server: Server;
  #wss: WebSocketServer;
  #log: (line: string) => void;
  #url = '';

  /** Use `start()`: a LocalDiscord serves nothing before it listens. */
  constructor(opts: LocalDiscordOptions) {
    super();
    this.setMaxListeners(0);
    this.#log = opts.log ?? (() => {});
    this.token = opts.token ?? `${Buffer.from(String(Date.now())).toString('base64url')}.local.${newToken().slice(-27)}`;
    this.ackWindowMs = opts.ackWindowMs ?? 3000;
    this.tokenLifetimeMs = opts.tokenLifetimeMs ?? 15 * 60_000;
    this.uploadLimitBytes = opts.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT;
    const limits = opts.rateLimits ?? false;
    this.rateLimits = limits === false ? null : new RateLimiter(limits === true ? {} : limits);
    this.sharding = new Sharding(opts.sharding);
    this.world = new World(() => this.now(), opts.botName ?? 'unclip');
    const owner = this.world.addUser('owner');
    const guild = this.world.addGuild(opts.guildName ?? 'Sandbox', owner.id);
    this.guildId = guild.id;
    this.channelId = this.world.addChannel(guild.id, opts.channelName ?? 'general').id;
    this.gateway = new GatewayServer({
      world: this.world,
      token: this.token,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250,
      privilegedIntents: opts.privilegedIntents ?? 0,
      sharding: this.sharding,
      resumeUrl: () => this.gatewayUrl,
      log: this.#log,
    });
    this.announce = new Announcer(this.world, this.gateway, (event, ...args) => this.emit(event, ...args));
    this.routes = buildRoutes(this);
    this.#server = createServer((req, res) => {
      serveRest(this, req, res).catch((error: unknown) => {
        this.#log(`local discord: ${String(error)}`);
        if (!res.headersSent) sendJson(res, 500, { message: '500: Internal Server Error', code: 0 });
      });
    });
    this.#wss = new WebSocketServer({ noServer: true });
    this.#server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/gateway')) return void socket.destroy();
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.gateway.accept(ws, req));
    });
  }

  /** A local Discord listening on host:port (127.0.0.1 and a free port by default). */
  static async start<T extends LocalDiscord>(this: new (opts: LocalDiscordOptions) => T, opts: LocalDiscordOptions = {}): Promise<T> {
    const discord = new this(opts);
    await discord.#listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
    return discord;
  }

  async #listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    const { address, port: bound } = this.#server.address() as AddressInfo;
    this.#url = `http://${address}:${bound}`;
  }

  async stop(): Promise<void> {
    this.gateway.close();
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** http://127.0.0.1:PORT */
  get url(): string {
    return this.#url;
  }
  /** What discord.js takes as `rest.api`. */
  get apiUrl(): string {
    return `${this.#url}/api`;
  }
  get gatewayUrl(): string {
    return `${this.#url.replace(/^http/, 'ws')}/gateway`;
  }
  /** host:port of the fake CDN that attachment URLs point at. */
  get cdnHost(): string {
    return new URL(this.#url).host;
  }
  get bot(): APIUser {
    return this.world.bot;
  }

  /** The local Discord's clock: real time, plus what a test moved it by. */
  now(): number {
    return Date.now() + this.clockOffset;
  }

  log(line: string): void {
    this.#log(line);
  }

  /** Fails with a list when any request hit a route Discord does not have. */
  assertNoUnhandledRequests(): void {
    if (this.unhandled.length === 0) return;
    const list = this.unhandled.map((r) => `${r.method} ${r.path} → ${r.status}`).join('\n  ');
    throw new Error(`the local Discord got requests it does not know:\n  ${list}`);
  }

  // ---------------------------------------------------------------- what simulated users do

  addUser(username: string): APIUser {
    return this.world.addUser(username);
  }

  /** The language a user's Discord client runs in (en-US unless set): their interactions carry it as `locale`. */
  setLocale(user: APIUser, locale: Locale): void {
    this.world.locales.set(user.id, locale);
    this.emit('change');
  }

  /** A server's preferred locale (interactions carry it as `guild_locale`); the bot is told with GUILD_UPDATE, as by Discord. */
  setGuildLocale(locale: Locale, guildId: string = this.guildId): void {
    const guild = this.world.guild(guildId);
    guild.preferredLocale = locale;
    const { channels: _c, members: _m, threads: _t, presences: _p, voice_states: _v, stage_instances: _s, guild_scheduled_events: _e, soundboard_sounds: _b, joined_at: _j, large: _l, unavailable: _u, member_count: _n, ...update } = this.world.guildCreatePayload(guild.id);
    this.gateway.dispatch(GatewayDispatchEvents.GuildUpdate, update as never, { guildId: guild.id });
    this.emit('change');
  }

  /**
   * The bot is added to a new guild (with one text channel, every user a member): GUILD_CREATE to
   * the session of its shard. `onShard` picks its id so that it lands on that shard ([id, count]).
   */
  addGuild(name: string, opts: { onShard?: ShardPair; channelName?: string } = {}): { guildId: string; channelId: string } {
    const id = opts.onShard ? this.world.ids.next(timeOnShard(this.now(), opts.onShard)) : undefined;
    const guild = this.world.addGuild(name, this.world.guild(this.guildId).ownerId, id);
    const channelId = this.world.addChannel(guild.id, opts.channelName ?? 'general').id;
    this.gateway.dispatch(GatewayDispatchEvents.GuildCreate, this.world.guildCreatePayload(guild.id), { guildId: guild.id });
    return { guildId: guild.id, channelId };
  }

  /** The application's commands as registered through REST (global and guild). */
  get commands(): APIApplicationCommand[] {
    return [...this.world.commands.values()];
  }

  /** A user runs a slash command; "battle start" names a subcommand. Attachments are uploaded first. */
  slash(user: APIUser, commandLine: string, values: Record<string, OptionValue> = {}, opts: ScenarioOptions = {}): InteractionHandle {
    const [name, ...path] = commandLine.split(' ');
    const command = this.#command(name!, ApplicationCommandType.ChatInput);
    const channelId = opts.channelId ?? this.channelId;
    const { options, attachments } = buildOptions(command, path, values, (input) => this.upload(channelId, input));
    const record = this.#newInteraction(user, InteractionType.ApplicationCommand, command.name, channelId, null);
    record.payload.data = chatInputData(command, options, attachments, resolveUsers(this.world, record.guildId, options));
    return this.dispatchInteraction(record);
  }

  /** A user picks a message context-menu command on a message. */
  messageCommand(user: APIUser, name: string, target: APIMessage): InteractionHandle {
    const command = this.#command(name, ApplicationCommandType.Message);
    const record = this.#newInteraction(user, InteractionType.ApplicationCommand, command.name, target.channel_id, null);
    record.payload.data = messageCommandData(command, renderMessage(this.world.message(target.channel_id, target.id), user.id));
    return this.dispatchInteraction(record);
  }

  /** A user clicks a button on a message; the button must be there and enabled. */
  click(user: APIUser, message: APIMessage | string, customId: string): InteractionHandle {
    const id = typeof message === 'string' ? message : message.id;
    const current = this.messageById(id);
    if (current.ephemeralFor && current.ephemeralFor !== user.id) throw new Error('that user cannot see this ephemeral message');
    const button = buttons(current.message).find((b) => b.custom_id === customId);
    if (!button) throw new Error(`message ${id} has no button "${customId}" (it has: ${buttons(current.message).map((b) => b.custom_id).join(', ')})`);
    if (button.disabled) throw new Error(`the button "${customId}" is disabled`);
    const record = this.#newInteraction(user, InteractionType.MessageComponent, customId, current.message.channel_id, id);
    record.payload.data = { custom_id: customId, component_type: ComponentType.Button };
    record.payload.message = renderMessage(current, user.id);
    return this.dispatchInteraction(record);
  }

  /** A user fills in and submits the modal an interaction answered with. */
  submitModal(user: APIUser, shownBy: InteractionHandle, values: Record<string, string>): InteractionHandle {
    const modal = shownBy.record.modal;
    if (!modal) throw new Error('that interaction did not answer with a modal');
    const record = this.#newInteraction(user, InteractionType.ModalSubmit, modal.custom_id, shownBy.record.channelId, shownBy.record.sourceMessageId);
    record.payload.data = modalSubmitData(modal, values);
    if (shownBy.record.sourceMessageId) record.payload.message = renderMessage(this.messageById(shownBy.record.sourceMessageId), user.id);
    return this.dispatchInteraction(record);
  }

  /** A user posts a message (with attachments) in a channel. */
  async post(user: APIUser, content: string, files: AttachmentInput[] = [], opts: ScenarioOptions = {}): Promise<APIMessage> {
    const channelId = opts.channelId ?? this.channelId;
    const attachments = files.map((f) => this.upload(channelId, f));
    const record = createMessage(this.world, { channelId, author: user, body: { content }, attachments });
    this.announce.message(record, 'create');
    return record.message;
  }

  /** A user adds a reaction (a unicode emoji) to a message. */
  react(user: APIUser, message: APIMessage | string, emoji: string): void {
    this.announce.addReaction(this.messageById(typeof message === 'string' ? message : message.id), user, emoji);
  }

  unreact(user: APIUser, message: APIMessage | string, emoji: string): void {
    this.announce.removeReaction(this.messageById(typeof message === 'string' ? message : message.id), user, emoji);
  }

  /** Stores a file on the fake CDN as an attachment of the channel. */
  upload(channelId: string, input: AttachmentInput): APIAttachment {
    const stored = {
      attachmentId: this.world.ids.next(),
      channelId,
      filename: input.filename,
      contentType: input.contentType ?? contentTypeFor(input.filename),
      data: input.data,
    };
    this.world.files.set(stored.attachmentId, stored);
    const attachment = this.world.attachment(stored, this.#url);
    return input.url ? { ...attachment, url: input.url, proxy_url: input.url } : attachment;
  }

  // ---------------------------------------------------------------- what is there

  messageById(id: string): MessageRecord {
    const record = this.world.messages.get(id);
    if (!record || record.deleted) throw errors.unknownMessage();
    return record;
  }

  /** Messages of a channel that `viewer` can see (ephemeral ones only their owner), oldest first. */
  channelMessages(channelId: string = this.channelId, viewer?: APIUser): APIMessage[] {
    return [...this.world.messages.values()]
      .filter((r) => !r.deleted && r.message.channel_id === channelId && (!r.ephemeralFor || r.ephemeralFor === viewer?.id))
      .map((r) => renderMessage(r, viewer?.id ?? ''));
  }

  interactionByToken(token: string): InteractionRecord | undefined {
    for (const interaction of this.interactions.values()) if (interaction.token === token) return interaction;
    return undefined;
  }

  // ---------------------------------------------------------------- interactions

  #command(name: string, type: ApplicationCommandType): APIApplicationCommand {
    const found = this.commands.find((c) => c.name === name && (c.type ?? ApplicationCommandType.ChatInput) === type);
    if (!found) throw new Error(`no ${ApplicationCommandType[type]} command "${name}" is registered (did the test deploy commands?)`);
    return found;
  }

  #newInteraction(user: APIUser, type: InteractionType, name: string, channelId: string, sourceMessageId: string | null): InteractionRecord {
    const channel = this.world.channel(channelId);
    const record: InteractionRecord = {
      id: this.world.ids.next(),
      token: newToken(),
      type,
      user,
      channelId,
      guildId: channel.guild_id!,
      createdAt: this.now(),
      name,
      payload: {},
      response: null,
      ephemeral: false,
      originalMessageId: null,
      sourceMessageId,
      followupIds: [],
      modal: null,
      tokenExpired: false,
      lateAck: false,
    };
    record.payload = basePayload({ world: this.world, id: record.id, token: record.token, user, guildId: record.guildId, channelId }, type);
    return record;
  }

  /** Sends INTERACTION_CREATE and returns the handle the caller follows it with. */
  protected dispatchInteraction(record: InteractionRecord): InteractionHandle {
    this.interactions.set(record.id, record);
    this.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, record.payload as never, { guildId: record.guildId });
    this.emit('interaction', record);
    return this.newHandle(record);
  }

  /** The handle type of this Discord (the test driver hands out ones that can wait). */
  protected newHandle(record: InteractionRecord): InteractionHandle {
    return new InteractionHandle(this.world, record);
  }
}
