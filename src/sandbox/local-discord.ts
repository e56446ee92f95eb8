/**
 * A local Discord: REST over HTTP and the Gateway over WebSocket on one port, with a fake CDN for
 * attachments. The real discord.js client connects to it with `rest: { api: discord.apiUrl }`.
 * Tests drive it as users would (slash commands, buttons, reactions, modals) and read what the bot
 * did; every request is recorded, and one to a route Discord would not know fails the test.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApplicationCommandType,
  ComponentType,
  GatewayDispatchEvents,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  MessageType,
  type APIApplicationCommand,
  type APIAttachment,
  type APIMessage,
  type APIModalInteractionResponseCallbackData,
  type APIUser,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { WebSocketServer } from 'ws';
import { DiscordHttpError, errors } from './errors.ts';
import { GatewayServer } from './gateway.ts';
import { matchRoute, parseBody, readBody, route, sendJson, type Route, type RouteContext } from './http.ts';
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
import {
  DEFAULT_UPLOAD_LIMIT,
  contentTypeFor,
  createMessage,
  editMessage,
  renderMessage,
  storeUploads,
  validateMessageBody,
  type MessageBody,
} from './messages.ts';
import { World, type MessageRecord } from './world.ts';

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
  log?: (line: string) => void;
}

export interface RecordedRequest {
  method: string;
  /** The path under /api/v10, e.g. /channels/1/messages. */
  path: string;
  /** The route pattern it matched, e.g. POST /channels/:channel/messages; null when none did. */
  route: string | null;
  query: URLSearchParams;
  json: unknown;
  files: { field: string; filename: string; size: number; contentType: string }[];
  status: number;
  response: unknown;
  /** The interaction this request used the token of, if any. */
  interactionId: string | null;
}

interface Fault {
  match: (r: { method: string; path: string; route: string | null }) => boolean;
  status: number;
  retryAfterMs: number;
  global: boolean;
  remaining: number;
}

export type RequestMatcher = string | ((r: { method: string; path: string; route: string | null }) => boolean);

export interface ScenarioOptions {
  channelId?: string;
}

const WAIT_MS = 60_000;

export class LocalDiscord extends EventEmitter {
  readonly world: World;
  readonly gateway: GatewayServer;
  readonly token: string;
  readonly requests: RecordedRequest[] = [];
  readonly unhandled: RecordedRequest[] = [];
  readonly interactions = new Map<string, InteractionRecord>();
  readonly guildId: string;
  readonly channelId: string;
  readonly ackWindowMs: number;
  readonly tokenLifetimeMs: number;
  readonly uploadLimitBytes: number;
  #faults: Fault[] = [];
  #server: Server;
  #wss: WebSocketServer;
  #routes: Route[];
  #clockOffset = 0;
  #log: (line: string) => void;
  #url = '';

  private constructor(opts: LocalDiscordOptions) {
    super();
    this.setMaxListeners(0);
    this.#log = opts.log ?? (() => {});
    this.token = opts.token ?? `${Buffer.from(String(Date.now())).toString('base64url')}.local.${newToken().slice(-27)}`;
    this.ackWindowMs = opts.ackWindowMs ?? 3000;
    this.tokenLifetimeMs = opts.tokenLifetimeMs ?? 15 * 60_000;
    this.uploadLimitBytes = opts.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT;
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
      resumeUrl: () => this.gatewayUrl,
      log: this.#log,
    });
    this.#routes = this.#buildRoutes();
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
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

  static async start(opts: LocalDiscordOptions = {}): Promise<LocalDiscord> {
    const discord = new LocalDiscord(opts);
    await new Promise<void>((resolve, reject) => {
      discord.#server.once('error', reject);
      discord.#server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = discord.#server.address() as AddressInfo;
    discord.#url = `http://${address}:${port}`;
    return discord;
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
    return Date.now() + this.#clockOffset;
  }

  // ---------------------------------------------------------------- test hooks

  /** The next `times` requests matching get 429 with retry_after, as Discord's rate limiter answers. */
  rateLimitNext(match: RequestMatcher, opts: { retryAfterMs?: number; global?: boolean; times?: number } = {}): void {
    this.#faults.push({ match: toMatcher(match), status: 429, retryAfterMs: opts.retryAfterMs ?? 300, global: opts.global ?? false, remaining: opts.times ?? 1 });
  }

  /** The next `times` requests matching fail with this status (500, 502, 503…). */
  failNext(match: RequestMatcher, status = 500, times = 1): void {
    this.#faults.push({ match: toMatcher(match), status, retryAfterMs: 0, global: false, remaining: times });
  }

  /** Moves the local Discord's clock forward: interactions age (3 s window, 15 min tokens), new ids are later. */
  advanceClock(ms: number): void {
    this.#clockOffset += ms;
  }

  /** Every interaction token issued so far stops working, as 15 minutes later. */
  expireInteractionTokens(): void {
    for (const interaction of this.interactions.values()) interaction.tokenExpired = true;
  }

  /** Fails with a list when any request hit a route Discord does not have. */
  assertNoUnhandledRequests(): void {
    if (this.unhandled.length === 0) return;
    const list = this.unhandled.map((r) => `${r.method} ${r.path} → ${r.status}`).join('\n  ');
    throw new Error(`the local Discord got requests it does not know:\n  ${list}`);
  }

  // ---------------------------------------------------------------- scenario helpers

  addUser(username: string): APIUser {
    return this.world.addUser(username);
  }

  /** The application's commands as registered through REST (global and guild). */
  get commands(): APIApplicationCommand[] {
    return [...this.world.commands.values()];
  }

  #command(name: string, type: ApplicationCommandType): APIApplicationCommand {
    const found = this.commands.find((c) => c.name === name && (c.type ?? ApplicationCommandType.ChatInput) === type);
    if (!found) throw new Error(`no ${ApplicationCommandType[type]} command "${name}" is registered (did the test deploy commands?)`);
    return found;
  }

  #newInteraction(user: APIUser, type: InteractionType, name: string, channelId: string, sourceMessageId: string | null) {
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

  #dispatchInteraction(record: InteractionRecord): InteractionHandle {
    this.interactions.set(record.id, record);
    this.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, record.payload as never, { guildId: record.guildId });
    this.emit('interaction', record);
    return new InteractionHandle(this, record);
  }

  /** A user runs a slash command; "battle start" names a subcommand. Attachments are uploaded first. */
  slash(user: APIUser, commandLine: string, values: Record<string, OptionValue> = {}, opts: ScenarioOptions = {}): InteractionHandle {
    const [name, ...path] = commandLine.split(' ');
    const command = this.#command(name!, ApplicationCommandType.ChatInput);
    const channelId = opts.channelId ?? this.channelId;
    const { options, attachments } = buildOptions(command, path, values, (input) => this.upload(channelId, input));
    const record = this.#newInteraction(user, InteractionType.ApplicationCommand, command.name, channelId, null);
    record.payload.data = chatInputData(command, options, attachments, resolveUsers(this.world, record.guildId, options));
    return this.#dispatchInteraction(record);
  }

  /** A user picks a message context-menu command on a message. */
  messageCommand(user: APIUser, name: string, target: APIMessage): InteractionHandle {
    const command = this.#command(name, ApplicationCommandType.Message);
    const record = this.#newInteraction(user, InteractionType.ApplicationCommand, command.name, target.channel_id, null);
    record.payload.data = messageCommandData(command, renderMessage(this.world.message(target.channel_id, target.id), user.id));
    return this.#dispatchInteraction(record);
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
    return this.#dispatchInteraction(record);
  }

  /** A user fills in and submits the modal an interaction answered with. */
  submitModal(user: APIUser, shownBy: InteractionHandle, values: Record<string, string>): InteractionHandle {
    const modal = shownBy.record.modal;
    if (!modal) throw new Error('that interaction did not answer with a modal');
    const record = this.#newInteraction(user, InteractionType.ModalSubmit, modal.custom_id, shownBy.record.channelId, shownBy.record.sourceMessageId);
    record.payload.data = modalSubmitData(modal, values);
    if (shownBy.record.sourceMessageId) record.payload.message = renderMessage(this.messageById(shownBy.record.sourceMessageId), user.id);
    return this.#dispatchInteraction(record);
  }

  /** A user posts a message (with attachments) in a channel. */
  async post(user: APIUser, content: string, files: AttachmentInput[] = [], opts: ScenarioOptions = {}): Promise<APIMessage> {
    const channelId = opts.channelId ?? this.channelId;
    const attachments = files.map((f) => this.upload(channelId, f));
    const record = createMessage(this.world, { channelId, author: user, body: { content }, attachments });
    this.#announce(record, 'create');
    return record.message;
  }

  /** A user adds a reaction (a unicode emoji) to a message. */
  react(user: APIUser, message: APIMessage | string, emoji: string): void {
    const record = this.messageById(typeof message === 'string' ? message : message.id);
    this.#addReaction(record, user, emoji);
  }

  unreact(user: APIUser, message: APIMessage | string, emoji: string): void {
    const record = this.messageById(typeof message === 'string' ? message : message.id);
    this.#removeReaction(record, user, emoji);
  }

  /** Someone deletes a message (a moderator, or its author). */
  deleteMessage(message: APIMessage | string): void {
    const record = this.messageById(typeof message === 'string' ? message : message.id);
    this.#delete(record);
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

  /** The bytes of an attachment, read back from the fake CDN. */
  attachmentData(attachment: APIAttachment): Buffer {
    const file = this.world.files.get(attachment.id);
    if (!file) throw new Error(`no file for attachment ${attachment.id}`);
    return file.data;
  }

  /** Resolves with the first message (now or later) that matches; rejects after `timeoutMs`. */
  waitForMessage(predicate: (m: APIMessage, r: MessageRecord) => boolean, timeoutMs = WAIT_MS): Promise<APIMessage> {
    const check = (): APIMessage | null => {
      for (const r of this.world.messages.values()) {
        if (!r.deleted && predicate(renderMessage(r, ''), r)) return renderMessage(r, '');
      }
      return null;
    };
    return this.#waitFor('message', check, timeoutMs, 'a matching message');
  }

  /** Resolves with the first recorded request (now or later) that matches. */
  waitForRequest(match: RequestMatcher | ((r: RecordedRequest) => boolean), timeoutMs = WAIT_MS): Promise<RecordedRequest> {
    const test = typeof match === 'string' ? toMatcher(match) : match;
    const check = () => this.requests.find((r) => (test as (r: RecordedRequest) => boolean)(r)) ?? null;
    return this.#waitFor('request', check, timeoutMs, `a request matching ${String(match)}`);
  }

  /** Resolves when `check` returns something, re-checking on every `event`. */
  #waitFor<T>(event: string, check: () => T | null, timeoutMs: number, what: string): Promise<T> {
    const now = check();
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const onEvent = () => {
        const found = check();
        if (!found) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      // Also poll: what the test checks may change in the bot's process after the last event here.
      const poll = setInterval(onEvent, 25);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.off(event, onEvent);
      };
      this.on(event, onEvent);
    });
  }

  /** Resolves when `check` returns something (checked on every change here, and every 25 ms). */
  waitUntil<T>(check: () => T | null, timeoutMs: number, what: string): Promise<T> {
    return this.#waitFor('change', check, timeoutMs, what);
  }

  // ---------------------------------------------------------------- events out

  #announce(record: MessageRecord, kind: 'create' | 'update' | 'delete'): void {
    if (!record.ephemeralFor) {
      const guildId = record.guildId;
      if (kind === 'delete') {
        this.gateway.dispatch(GatewayDispatchEvents.MessageDelete, { id: record.message.id, channel_id: record.message.channel_id, ...(guildId ? { guild_id: guildId } : {}) }, { guildId });
      } else {
        const member = guildId && !record.message.webhook_id ? { member: memberOf(this.world, guildId, record.message.author.id) } : {};
        const event = kind === 'create' ? GatewayDispatchEvents.MessageCreate : GatewayDispatchEvents.MessageUpdate;
        this.gateway.dispatch(event, { ...renderMessage(record, this.world.bot.id), ...(guildId ? { guild_id: guildId } : {}), ...member } as never, { guildId });
      }
    }
    this.emit('message', record, kind);
    this.emit('change');
  }

  #addReaction(record: MessageRecord, user: APIUser, emoji: string): void {
    const users = record.reactions.get(emoji) ?? [];
    if (users.includes(user.id)) return;
    users.push(user.id);
    record.reactions.set(emoji, users);
    this.gateway.dispatch(
      GatewayDispatchEvents.MessageReactionAdd,
      {
        user_id: user.id,
        channel_id: record.message.channel_id,
        message_id: record.message.id,
        ...(record.guildId ? { guild_id: record.guildId, member: this.world.member(record.guildId, user.id) } : {}),
        emoji: { id: null, name: emoji },
        message_author_id: record.message.author.id,
        burst: false,
        burst_colors: [],
        type: 0,
      } as never,
      { guildId: record.guildId },
    );
    this.emit('change');
  }

  #removeReaction(record: MessageRecord, user: APIUser, emoji: string): void {
    const users = record.reactions.get(emoji) ?? [];
    if (!users.includes(user.id)) return;
    record.reactions.set(emoji, users.filter((id) => id !== user.id));
    this.gateway.dispatch(
      GatewayDispatchEvents.MessageReactionRemove,
      {
        user_id: user.id,
        channel_id: record.message.channel_id,
        message_id: record.message.id,
        ...(record.guildId ? { guild_id: record.guildId } : {}),
        emoji: { id: null, name: emoji },
        burst: false,
        type: 0,
      } as never,
      { guildId: record.guildId },
    );
    this.emit('change');
  }

  #delete(record: MessageRecord): void {
    record.deleted = true;
    this.#announce(record, 'delete');
  }

  // ---------------------------------------------------------------- HTTP

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#url);
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/attachments/') && (method === 'GET' || method === 'HEAD')) return this.#serveCdn(url, method, res);

    const path = url.pathname.replace(/^\/api(\/v\d+)?/, '');
    const recorded: RecordedRequest = { method, path, route: null, query: url.searchParams, json: undefined, files: [], status: 0, response: undefined, interactionId: null };
    const finish = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      recorded.status = status;
      recorded.response = body;
      sendJson(res, status, body, headers);
      this.requests.push(recorded);
      if (status >= 400) this.#log(`local discord: ${method} ${path} → ${status} ${JSON.stringify(body)}`);
      this.emit('request', recorded);
      this.emit('change');
    };
    try {
      if (!url.pathname.startsWith('/api/')) throw errors.notFound();
      const raw = await readBody(req);
      const body = await parseBody(req.headers['content-type'], raw);
      recorded.json = body.json;
      recorded.files = body.files.map((f) => ({ field: f.field, filename: f.filename, size: f.data.length, contentType: f.contentType }));
      const matched = matchRoute(this.#routes, method, path);
      recorded.route = matched ? `${method} ${matched.route.pattern}` : null;
      const fault = this.#faults.find((f) => f.remaining > 0 && f.match({ method, path, route: recorded.route }));
      if (fault) {
        fault.remaining -= 1;
        if (fault.status === 429) {
          const seconds = fault.retryAfterMs / 1000;
          return finish(429, { message: 'You are being rate limited.', retry_after: seconds, global: fault.global }, {
            'retry-after': String(Math.ceil(seconds)),
            'x-ratelimit-limit': '5',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String((Date.now() + fault.retryAfterMs) / 1000),
            'x-ratelimit-reset-after': String(seconds),
            'x-ratelimit-bucket': `local-${recorded.route ?? path}`,
            'x-ratelimit-scope': fault.global ? 'global' : 'user',
            ...(fault.global ? { 'x-ratelimit-global': 'true' } : {}),
          });
        }
        return finish(fault.status, { message: `${fault.status}: simulated failure`, code: 0 });
      }
      if (!matched) {
        this.unhandled.push(recorded);
        throw errors.notFound();
      }
      if (matched.params.token) recorded.interactionId = this.#byToken(matched.params.token)?.id ?? null;
      if (matched.route.auth === 'bot' && req.headers.authorization !== `Bot ${this.token}`) throw errors.unauthorized();
      const result = await matched.route.handler({ params: matched.params, query: url.searchParams, json: body.json ?? {}, files: body.files });
      return finish(result.status, result.body);
    } catch (error) {
      if (error instanceof DiscordHttpError) return finish(error.status, error.body());
      throw error;
    }
  }

  #serveCdn(url: URL, method: string, res: ServerResponse): void {
    const [, , , attachmentId] = url.pathname.split('/');
    const file = attachmentId ? this.world.files.get(attachmentId) : undefined;
    this.emit('cdn', url.pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.data.length });
    res.end(method === 'HEAD' ? undefined : file.data);
  }

  #byToken(token: string): InteractionRecord | undefined {
    for (const interaction of this.interactions.values()) if (interaction.token === token) return interaction;
    return undefined;
  }

  /** The interaction whose token a webhook route uses; the token must be live. */
  #interactionFor(app: string, token: string): InteractionRecord {
    const interaction = this.#byToken(token);
    if (app !== this.world.applicationId || !interaction) throw errors.unknownWebhook();
    if (interaction.tokenExpired || this.now() - interaction.createdAt > this.tokenLifetimeMs) throw errors.invalidWebhookToken();
    return interaction;
  }

  #webhookMessage(interaction: InteractionRecord, messageId: string): MessageRecord {
    if (messageId === '@original') {
      if (interaction.response === null) throw errors.unknownWebhook();
      const id = interaction.originalMessageId ?? interaction.sourceMessageId;
      if (!id) throw errors.unknownMessage();
      return this.messageById(id);
    }
    if (!interaction.followupIds.includes(messageId) && interaction.originalMessageId !== messageId) throw errors.unknownMessage();
    return this.messageById(messageId);
  }

  /** PATCH of a message (by the bot's token or an interaction's webhook): validate, store uploads, edit, announce. */
  async #edit(record: MessageRecord, ctx: RouteContext) {
    const w = this.world;
    const body = ctx.json as MessageBody;
    validateMessageBody(body, { requireSomething: false, fileCount: ctx.files.length });
    const uploaded = await storeUploads(w, record.message.channel_id, body, ctx.files, this.#url, this.uploadLimitBytes);
    editMessage(w, record, body, uploaded);
    this.#announce(record, 'update');
    return { status: 200, body: renderMessage(record, w.bot.id) };
  }

  async #respond(interaction: InteractionRecord, ctx: RouteContext) {
    const type = ctx.json?.type as InteractionResponseType;
    const data = (ctx.json?.data ?? {}) as MessageBody & Partial<APIModalInteractionResponseCallbackData>;
    const isComponent = interaction.type === InteractionType.MessageComponent || (interaction.type === InteractionType.ModalSubmit && interaction.sourceMessageId);
    const ephemeral = ((data.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
    const messageType = interaction.type === InteractionType.ApplicationCommand
      ? (interaction.payload.data as { type: number }).type === ApplicationCommandType.ChatInput ? MessageType.ChatInputCommand : MessageType.ContextMenuCommand
      : MessageType.Default;
    const newOriginal = async (loading: boolean) => {
      validateMessageBody(data, { requireSomething: !loading, fileCount: ctx.files.length });
      const attachments = await storeUploads(this.world, interaction.channelId, data, ctx.files, this.#url, this.uploadLimitBytes);
      const record = createMessage(this.world, {
        channelId: interaction.channelId,
        author: this.world.bot,
        body: loading ? { flags: data.flags ?? 0 } : data,
        attachments,
        type: messageType,
        webhookId: this.world.applicationId,
        applicationId: this.world.applicationId,
        interaction: { metadata: { id: interaction.id, type: interaction.type, user: interaction.user, authorizing_integration_owners: { 0: interaction.guildId } } as never, name: interaction.name },
        ephemeralFor: ephemeral ? interaction.user.id : null,
        loading,
      });
      interaction.originalMessageId = record.message.id;
      interaction.ephemeral = ephemeral;
      this.#announce(record, 'create');
      return record;
    };
    switch (type) {
      case InteractionResponseType.ChannelMessageWithSource:
        return newOriginal(false);
      case InteractionResponseType.DeferredChannelMessageWithSource:
        return newOriginal(true);
      case InteractionResponseType.DeferredMessageUpdate:
      case InteractionResponseType.UpdateMessage: {
        if (!isComponent) throw errors.invalidForm('type', 'This interaction type cannot update a message.');
        const source = this.messageById(interaction.sourceMessageId!);
        if (type === InteractionResponseType.UpdateMessage) {
          validateMessageBody(data, { requireSomething: false, fileCount: ctx.files.length });
          const uploaded = await storeUploads(this.world, interaction.channelId, data, ctx.files, this.#url, this.uploadLimitBytes);
          editMessage(this.world, source, data, uploaded);
          this.#announce(source, 'update');
        }
        return source;
      }
      case InteractionResponseType.Modal: {
        if (interaction.type === InteractionType.ModalSubmit) throw errors.invalidForm('type', 'A modal cannot answer a modal submit.');
        if (!data.custom_id || !data.title || !Array.isArray(data.components) || data.components.length === 0) {
          throw errors.invalidForm('data', 'A modal needs custom_id, title and components.');
        }
        interaction.modal = data as APIModalInteractionResponseCallbackData;
        return null;
      }
      default:
        throw errors.invalidForm('type', `Response type ${String(type)} is not valid for this interaction.`);
    }
  }

  #buildRoutes(): Route[] {
    const w = this.world;
    const app = () => ({
      id: w.applicationId,
      name: w.bot.username,
      icon: null,
      description: '',
      bot_public: true,
      bot_require_code_grant: false,
      verify_key: '0'.repeat(64),
      flags: 0,
      team: null,
      summary: '',
      owner: w.user(this.world.guild(this.guildId).ownerId),
      bot: w.bot,
    });
    const putCommands = (guildId: string | null, body: RESTPutAPIApplicationCommandsJSONBody): APIApplicationCommand[] => {
      if (!Array.isArray(body)) throw errors.invalidForm('_', 'Expected an array of commands.');
      for (const [id, command] of w.commands) if ((command.guild_id ?? null) === guildId) w.commands.delete(id);
      return body.map((input) => {
        if (!/^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai} ]{1,32}$/u.test(input.name)) throw errors.invalidForm('name', `Invalid command name "${input.name}".`);
        const command = { ...input, id: w.ids.next(), application_id: w.applicationId, version: w.ids.next(), type: input.type ?? ApplicationCommandType.ChatInput, default_member_permissions: null, ...(guildId ? { guild_id: guildId } : {}) } as APIApplicationCommand;
        if (command.type === ApplicationCommandType.ChatInput && !(command.description ?? '').length) throw errors.invalidForm('description', 'This field is required');
        w.commands.set(command.id, command);
        return command;
      });
    };
    const listCommands = (guildId: string | null) => [...w.commands.values()].filter((c) => (c.guild_id ?? null) === guildId);
    const channelMessage = (ctx: RouteContext) => w.message(w.channel(ctx.params.channel!).id, ctx.params.message!);

    return [
      route('GET', '/gateway', 'none', () => ({ status: 200, body: { url: this.gatewayUrl } })),
      route('GET', '/gateway/bot', 'bot', () => ({
        status: 200,
        body: { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } },
      })),
      route('GET', '/applications/@me', 'bot', () => ({ status: 200, body: app() })),
      route('GET', '/oauth2/applications/@me', 'bot', () => ({ status: 200, body: app() })),
      route('GET', '/users/@me', 'bot', () => ({ status: 200, body: w.bot })),
      route('GET', '/users/:user', 'bot', (ctx) => ({ status: 200, body: w.user(ctx.params.user!) })),
      route('GET', '/applications/:app/commands', 'bot', () => ({ status: 200, body: listCommands(null) })),
      route('PUT', '/applications/:app/commands', 'bot', (ctx) => ({ status: 200, body: putCommands(null, ctx.json) })),
      route('GET', '/applications/:app/guilds/:guild/commands', 'bot', (ctx) => ({ status: 200, body: listCommands(w.guild(ctx.params.guild!).id) })),
      route('PUT', '/applications/:app/guilds/:guild/commands', 'bot', (ctx) => ({ status: 200, body: putCommands(w.guild(ctx.params.guild!).id, ctx.json) })),

      route('POST', '/interactions/:interaction/:token/callback', 'none', async (ctx) => {
        const interaction = this.interactions.get(ctx.params.interaction!);
        if (!interaction || interaction.token !== ctx.params.token) throw errors.unknownInteraction();
        if (this.now() - interaction.createdAt > this.ackWindowMs) {
          interaction.lateAck = true;
          throw errors.unknownInteraction();
        }
        if (interaction.response !== null) throw errors.alreadyAcknowledged();
        interaction.response = ctx.json?.type ?? null;
        let message: MessageRecord | null;
        try {
          message = await this.#respond(interaction, ctx);
        } catch (error) {
          interaction.response = null;
          throw error;
        }
        this.emit('change');
        if (ctx.query.get('with_response') !== 'true') return { status: 204 };
        return {
          status: 200,
          body: {
            interaction: {
              id: interaction.id,
              type: interaction.type,
              ...(message ? { response_message_id: message.message.id, response_message_loading: ((message.message.flags ?? 0) & MessageFlags.Loading) !== 0, response_message_ephemeral: interaction.ephemeral } : {}),
            },
            ...(message ? { resource: { type: interaction.response, message: renderMessage(message, w.bot.id) } } : { resource: { type: interaction.response } }),
          },
        };
      }),
      route('POST', '/webhooks/:app/:token', 'none', async (ctx) => {
        const interaction = this.#interactionFor(ctx.params.app!, ctx.params.token!);
        if (interaction.response === null) throw errors.unknownWebhook();
        const body = ctx.json as MessageBody;
        validateMessageBody(body, { requireSomething: true, fileCount: ctx.files.length });
        const attachments = await storeUploads(w, interaction.channelId, body, ctx.files, this.#url, this.uploadLimitBytes);
        const record = createMessage(w, {
          channelId: interaction.channelId,
          author: w.bot,
          body,
          attachments,
          webhookId: w.applicationId,
          applicationId: w.applicationId,
          interaction: { metadata: { id: interaction.id, type: interaction.type, user: interaction.user, authorizing_integration_owners: { 0: interaction.guildId } } as never, name: interaction.name },
          ephemeralFor: (body.flags ?? 0) & MessageFlags.Ephemeral ? interaction.user.id : null,
        });
        interaction.followupIds.push(record.message.id);
        this.#announce(record, 'create');
        return ctx.query.get('wait') === 'false' ? { status: 204 } : { status: 200, body: renderMessage(record, w.bot.id) };
      }),
      route('GET', '/webhooks/:app/:token/messages/:message', 'none', (ctx) => {
        const interaction = this.#interactionFor(ctx.params.app!, ctx.params.token!);
        return { status: 200, body: renderMessage(this.#webhookMessage(interaction, ctx.params.message!), w.bot.id) };
      }),
      route('PATCH', '/webhooks/:app/:token/messages/:message', 'none', async (ctx) => {
        const interaction = this.#interactionFor(ctx.params.app!, ctx.params.token!);
        return this.#edit(this.#webhookMessage(interaction, ctx.params.message!), ctx);
      }),
      route('DELETE', '/webhooks/:app/:token/messages/:message', 'none', (ctx) => {
        const interaction = this.#interactionFor(ctx.params.app!, ctx.params.token!);
        this.#delete(this.#webhookMessage(interaction, ctx.params.message!));
        return { status: 204 };
      }),

      route('GET', '/channels/:channel', 'bot', (ctx) => ({ status: 200, body: w.channel(ctx.params.channel!) })),
      route('POST', '/channels/:channel/typing', 'bot', (ctx) => (w.channel(ctx.params.channel!), { status: 204 })),
      route('GET', '/channels/:channel/messages', 'bot', (ctx) => {
        const limit = Math.min(Number(ctx.query.get('limit') ?? 50), 100);
        const list = this.channelMessages(w.channel(ctx.params.channel!).id).reverse().slice(0, limit);
        return { status: 200, body: list.map((m) => renderMessage(this.messageById(m.id), w.bot.id)) };
      }),
      route('POST', '/channels/:channel/messages', 'bot', async (ctx) => {
        const channel = w.channel(ctx.params.channel!);
        const body = ctx.json as MessageBody;
        validateMessageBody(body, { requireSomething: true, fileCount: ctx.files.length });
        if (body.message_reference?.message_id) w.message(channel.id, body.message_reference.message_id);
        const attachments = await storeUploads(w, channel.id, body, ctx.files, this.#url, this.uploadLimitBytes);
        const record = createMessage(w, { channelId: channel.id, author: w.bot, body, attachments, type: body.message_reference ? MessageType.Reply : MessageType.Default });
        this.#announce(record, 'create');
        return { status: 200, body: renderMessage(record, w.bot.id) };
      }),
      route('GET', '/channels/:channel/messages/:message', 'bot', (ctx) => {
        const record = channelMessage(ctx);
        if (record.ephemeralFor) throw errors.unknownMessage();
        return { status: 200, body: renderMessage(record, w.bot.id) };
      }),
      route('PATCH', '/channels/:channel/messages/:message', 'bot', async (ctx) => {
        const record = channelMessage(ctx);
        if (record.message.author.id !== w.bot.id || record.ephemeralFor) throw new DiscordHttpError(403, 50005, 'Cannot edit a message authored by another user');
        return this.#edit(record, ctx);
      }),
      route('DELETE', '/channels/:channel/messages/:message', 'bot', (ctx) => {
        this.#delete(channelMessage(ctx));
        return { status: 204 };
      }),
      route('PUT', '/channels/:channel/messages/:message/reactions/:emoji/@me', 'bot', (ctx) => {
        const record = channelMessage(ctx);
        if (!isUnicodeEmoji(ctx.params.emoji!)) throw errors.unknownEmoji();
        this.#addReaction(record, w.bot, ctx.params.emoji!);
        return { status: 204 };
      }),
      route('DELETE', '/channels/:channel/messages/:message/reactions/:emoji/@me', 'bot', (ctx) => {
        this.#removeReaction(channelMessage(ctx), w.bot, ctx.params.emoji!);
        return { status: 204 };
      }),
      route('DELETE', '/channels/:channel/messages/:message/reactions/:emoji/:user', 'bot', (ctx) => {
        this.#removeReaction(channelMessage(ctx), w.user(ctx.params.user!), ctx.params.emoji!);
        return { status: 204 };
      }),
      route('GET', '/channels/:channel/messages/:message/reactions/:emoji', 'bot', (ctx) => {
        const users = channelMessage(ctx).reactions.get(ctx.params.emoji!) ?? [];
        return { status: 200, body: users.map((id) => w.user(id)) };
      }),
      route('GET', '/guilds/:guild', 'bot', (ctx) => {
        const { members: _members, channels: _channels, threads: _threads, presences: _presences, voice_states: _voice, ...guild } = w.guildCreatePayload(ctx.params.guild!);
        return { status: 200, body: guild };
      }),
      route('GET', '/guilds/:guild/channels', 'bot', (ctx) => ({ status: 200, body: w.guild(ctx.params.guild!).channelIds.map((id) => w.channel(id)) })),
      route('GET', '/guilds/:guild/roles', 'bot', (ctx) => ({ status: 200, body: w.guild(ctx.params.guild!).roles })),
      route('GET', '/guilds/:guild/members/:user', 'bot', (ctx) => ({ status: 200, body: w.member(ctx.params.guild!, ctx.params.user!) })),
    ];
  }
}

/** One simulated interaction, as the test sees it. */
export class InteractionHandle {
  constructor(
    readonly discord: LocalDiscord,
    readonly record: InteractionRecord,
  ) {}

  get id(): string {
    return this.record.id;
  }

  /** Resolves with the response type once the bot acknowledged the interaction. */
  acknowledged(timeoutMs = WAIT_MS): Promise<InteractionResponseType> {
    return this.discord.waitUntil(() => this.record.response, timeoutMs, `interaction ${this.record.name} to be acknowledged`);
  }

  /** Resolves when the bot answered with a modal. */
  modal(timeoutMs = WAIT_MS): Promise<APIModalInteractionResponseCallbackData> {
    return this.discord.waitUntil(() => this.record.modal, timeoutMs, `interaction ${this.record.name} to show a modal`);
  }

  /** Every message this interaction produced (original response and follow-ups), oldest first. */
  messages(): APIMessage[] {
    const ids = [this.record.originalMessageId, ...this.record.followupIds].filter((id): id is string => Boolean(id));
    return ids.flatMap((id) => {
      const r = this.discord.world.messages.get(id);
      return r && !r.deleted ? [renderMessage(r, this.record.user.id)] : [];
    });
  }

  /** Resolves with the first message of this interaction (no longer "thinking…") that matches. */
  waitForMessage(predicate: (m: APIMessage) => boolean = () => true, timeoutMs = WAIT_MS): Promise<APIMessage> {
    return this.discord.waitUntil(
      () => this.messages().find((m) => ((m.flags ?? 0) & MessageFlags.Loading) === 0 && predicate(m)) ?? null,
      timeoutMs,
      `a message from interaction ${this.record.name}`,
    );
  }

  /** The reply a user would read for an error: an ephemeral message of this interaction. */
  waitForEphemeral(timeoutMs = WAIT_MS): Promise<APIMessage> {
    return this.waitForMessage((m) => ((m.flags ?? 0) & MessageFlags.Ephemeral) !== 0, timeoutMs);
  }
}

/** The buttons of a message, row by row. */
export function buttons(message: APIMessage): { custom_id?: string; label?: string; disabled?: boolean }[] {
  return (message.components ?? []).flatMap((row) =>
    'components' in row ? (row.components as { type: number; custom_id?: string; label?: string; disabled?: boolean }[]).filter((c) => c.type === ComponentType.Button) : [],
  );
}

function memberOf(world: World, guildId: string, userId: string) {
  const { user: _user, ...member } = world.member(guildId, userId);
  return member;
}

function isUnicodeEmoji(value: string): boolean {
  return /\p{Extended_Pictographic}|\p{Emoji_Presentation}|\u20e3/u.test(value);
}

function toMatcher(match: RequestMatcher): Fault['match'] {
  if (typeof match === 'function') return match;
  return (r) => r.route === match || `${r.method} ${r.path}` === match;
}
