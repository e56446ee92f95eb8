/**
 * The Gateway side of the local Discord: one WebSocket per shard session, speaking Gateway v10 in
 * JSON (HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats and ACKs, sequence numbers, RESUME with
 * replay, RECONNECT on request), dispatching events only to sessions whose intents ask for them and
 * whose shard holds the event's guild (shards.ts: 4010 Invalid shard, 4011 Sharding required; IDENTIFY
 * faster than its bucket's 5 s: op 9 Invalid Session).
 */
import type { IncomingMessage } from 'node:http';
import {
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
  type APIMessage,
  type GatewayDispatchPayload,
  type GatewayReceivePayload,
  type GatewaySendPayload,
} from 'discord-api-types/v10';
import { WebSocket } from 'ws';
import { parseShard, type Sharding, type ShardPair } from './shards.ts';
import type { World } from './world.ts';

export interface GatewayOptions {
  world: World;
  token: string;
  heartbeatIntervalMs: number;
  /** Privileged intents the application is allowed (as in the developer portal). */
  privilegedIntents: number;
  /** Shard validation and routing. */
  sharding: Sharding;
  /** The URL READY gives as resume_gateway_url. */
  resumeUrl: () => string;
  log: (line: string) => void;
}

interface Session {
  id: string;
  socket: WebSocket | null;
  intents: number;
  /** [id, count] from IDENTIFY: this session gets the events of its shard's guilds. */
  shard: ShardPair;
  seq: number;
  /** Dispatches kept for RESUME. */
  sent: { s: number; t: string; d: unknown }[];
  lastHeartbeat: number;
}

const PRIVILEGED =
  GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;
const ALL_INTENTS = Object.values(GatewayIntentBits)
  .filter((v): v is number => typeof v === 'number')
  .reduce((a, b) => a | b, 0);

/** The intent an event needs, or null when every session gets it. */
function requiredIntent(event: string, inGuild: boolean): number | null {
  switch (event) {
    case GatewayDispatchEvents.GuildCreate:
    case GatewayDispatchEvents.GuildUpdate:
    case GatewayDispatchEvents.GuildDelete:
    case GatewayDispatchEvents.ChannelCreate:
    case GatewayDispatchEvents.ChannelUpdate:
    case GatewayDispatchEvents.ChannelDelete:
      return GatewayIntentBits.Guilds;
    case GatewayDispatchEvents.GuildMemberAdd:
    case GatewayDispatchEvents.GuildMemberUpdate:
    case GatewayDispatchEvents.GuildMemberRemove:
      return GatewayIntentBits.GuildMembers;
    case GatewayDispatchEvents.MessageCreate:
    case GatewayDispatchEvents.MessageUpdate:
    case GatewayDispatchEvents.MessageDelete:
    case GatewayDispatchEvents.MessageDeleteBulk:
      return inGuild ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages;
    case GatewayDispatchEvents.MessageReactionAdd:
    case GatewayDispatchEvents.MessageReactionRemove:
    case GatewayDispatchEvents.MessageReactionRemoveAll:
    case GatewayDispatchEvents.MessageReactionRemoveEmoji:
      return inGuild ? GatewayIntentBits.GuildMessageReactions : GatewayIntentBits.DirectMessageReactions;
    case GatewayDispatchEvents.TypingStart:
      return inGuild ? GatewayIntentBits.GuildMessageTyping : GatewayIntentBits.DirectMessageTyping;
    default:
      return null;
  }
}

export class GatewayServer {
  readonly sessions = new Map<string, Session>();
  /** Every payload a client sent, for tests that look at the protocol itself. */
  readonly received: GatewaySendPayload[] = [];
  #readyWaiters: (() => void)[] = [];
  #timer: NodeJS.Timeout;

  constructor(private readonly opts: GatewayOptions) {
    this.#timer = setInterval(() => this.#reapZombies(), Math.max(1000, opts.heartbeatIntervalMs / 2)).unref();
  }

  /** Resolves when at least one session is READY (now, or when it becomes so). */
  waitForReady(): Promise<void> {
    if ([...this.sessions.values()].some((s) => s.socket)) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  get connected(): boolean {
    return [...this.sessions.values()].some((s) => s.socket?.readyState === WebSocket.OPEN);
  }

  accept(socket: WebSocket, req: IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.searchParams.get('encoding') && url.searchParams.get('encoding') !== 'json') {
      socket.close(GatewayCloseCodes.DecodeError, 'Only encoding=json is spoken here');
      return;
    }
    if (url.searchParams.get('compress')) {
      socket.close(GatewayCloseCodes.DecodeError, 'Transport compression is not spoken here');
      return;
    }
    let session: Session | null = null;
    const send = (payload: GatewayReceivePayload) => socket.send(JSON.stringify(payload));
    send({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.opts.heartbeatIntervalMs }, t: null, s: null });

    socket.on('message', (raw, isBinary) => {
      let payload: GatewaySendPayload;
      try {
        payload = JSON.parse(isBinary ? Buffer.from(raw as Buffer).toString('utf8') : String(raw));
      } catch {
        socket.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
        return;
      }
      this.received.push(payload);
      switch (payload.op) {
        case GatewayOpcodes.Heartbeat: {
          if (session) session.lastHeartbeat = Date.now();
          send({ op: GatewayOpcodes.HeartbeatAck, d: undefined as never, t: null, s: null });
          return;
        }
        case GatewayOpcodes.Identify: {
          if (session) return void socket.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
          const { token, intents, shard: rawShard } = payload.d;
          if (token.replace(/^Bot /, '') !== this.opts.token) {
            return void socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
          }
          if (typeof intents !== 'number' || (intents & ~ALL_INTENTS) !== 0) {
            return void socket.close(GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).');
          }
          if (intents & PRIVILEGED & ~this.opts.privilegedIntents) {
            return void socket.close(GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
          }
          const shard = parseShard(rawShard);
          if (!shard) return void socket.close(GatewayCloseCodes.InvalidShard, 'Invalid shard.');
          if (this.opts.sharding.guildsOf(this.opts.world.guilds.keys(), shard).length > this.opts.sharding.maxGuildsPerShard) {
            return void socket.close(GatewayCloseCodes.ShardingRequired, 'Sharding required.');
          }
          if (!this.opts.sharding.mayIdentify(shard, Date.now())) {
            this.opts.log(`gateway: IDENTIFY of shard [${shard.join(', ')}] within its bucket's window: invalid session`);
            send({ op: GatewayOpcodes.InvalidSession, d: false, t: null, s: null });
            return;
          }
          session = {
            id: this.opts.world.ids.next().slice(-16),
            socket,
            intents,
            shard,
            seq: 0,
            sent: [],
            lastHeartbeat: Date.now(),
          };
          this.sessions.set(session.id, session);
          this.#ready(session);
          return;
        }
        case GatewayOpcodes.Resume: {
          const old = this.sessions.get(payload.d.session_id);
          if (payload.d.token.replace(/^Bot /, '') !== this.opts.token) {
            return void socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
          }
          if (!old) {
            send({ op: GatewayOpcodes.InvalidSession, d: false, t: null, s: null });
            return;
          }
          if (payload.d.seq > old.seq) return void socket.close(GatewayCloseCodes.InvalidSeq, 'Invalid seq.');
          if (old.socket && old.socket !== socket) old.socket.terminate();
          session = old;
          session.socket = socket;
          session.lastHeartbeat = Date.now();
          for (const event of session.sent.filter((e) => e.s > payload.d.seq)) {
            socket.send(JSON.stringify({ op: GatewayOpcodes.Dispatch, t: event.t, s: event.s, d: event.d }));
          }
          this.#send(session, GatewayDispatchEvents.Resumed, {});
          this.opts.log(`gateway: session ${session.id} resumed from seq ${payload.d.seq}`);
          return;
        }
        case GatewayOpcodes.PresenceUpdate:
        case GatewayOpcodes.VoiceStateUpdate:
        case GatewayOpcodes.RequestGuildMembers:
          if (!session) socket.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
          return;
        default:
          socket.close(GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
      }
    });
    socket.on('close', () => {
      if (session && session.socket === socket) session.socket = null;
    });
  }

  #ready(session: Session): void {
    const { world, sharding } = this.opts;
    const guilds = sharding.guildsOf(world.guilds.keys(), session.shard);
    this.#send(session, GatewayDispatchEvents.Ready, {
      v: 10,
      user: { ...world.bot, verified: true, mfa_enabled: false, flags: 0 },
      guilds: guilds.map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.opts.resumeUrl(),
      shard: session.shard,
      application: { id: world.applicationId, flags: 0 },
    });
    for (const guildId of guilds) {
      if (session.intents & GatewayIntentBits.Guilds) {
        this.#send(session, GatewayDispatchEvents.GuildCreate, world.guildCreatePayload(guildId));
      }
    }
    this.opts.log(`gateway: session ${session.id} ready (shard ${session.shard.join('/')}, intents ${session.intents})`);
    for (const resolve of this.#readyWaiters.splice(0)) resolve();
  }

  #send(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    session.sent.push({ s: session.seq, t, d });
    if (session.sent.length > 1000) session.sent.shift();
    if (session.socket?.readyState === WebSocket.OPEN) {
      session.socket.send(JSON.stringify({ op: GatewayOpcodes.Dispatch, t, s: session.seq, d }));
    }
  }

  /** Sends an event to every session whose intents cover it and whose shard holds its guild (no guild: shard 0). */
  dispatch<T extends GatewayDispatchPayload>(t: T['t'], d: T['d'], opts: { guildId?: string | null } = {}): void {
    const inGuild = Boolean(opts.guildId);
    const needed = requiredIntent(t, inGuild);
    for (const session of this.sessions.values()) {
      if (needed !== null && (session.intents & needed) === 0) continue;
      if (!this.opts.sharding.receives(session.shard, opts.guildId)) continue;
      this.#send(session, t, this.#withoutPrivilegedContent(session, t, d));
    }
  }

  /** Without the MESSAGE_CONTENT intent, other people's guild messages arrive without content. */
  #withoutPrivilegedContent(session: Session, t: string, d: unknown): unknown {
    if (t !== GatewayDispatchEvents.MessageCreate && t !== GatewayDispatchEvents.MessageUpdate) return d;
    if (session.intents & GatewayIntentBits.MessageContent) return d;
    const message = d as APIMessage & { guild_id?: string };
    const botId = this.opts.world.bot.id;
    if (!message.guild_id || message.author?.id === botId || message.mentions?.some((u) => u.id === botId)) return d;
    return { ...message, content: '', embeds: [], attachments: [], components: [] };
  }

  /** The shards of the sessions that were sent a dispatch matching (tests: which shard got an event). */
  shardsThatGot(match: (t: string, d: unknown) => boolean): ShardPair[] {
    return [...this.sessions.values()].filter((s) => s.sent.some((e) => match(e.t, e.d))).map((s) => s.shard);
  }

  /** Test hook: ask every client to reconnect (op 7); discord.js then resumes. */
  requestReconnect(): void {
    for (const session of this.sessions.values()) {
      session.socket?.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null }));
    }
  }

  #reapZombies(): void {
    const limit = this.opts.heartbeatIntervalMs * 2 + 5000;
    for (const session of this.sessions.values()) {
      if (session.socket && Date.now() - session.lastHeartbeat > limit) {
        this.opts.log(`gateway: session ${session.id} sent no heartbeat, closing`);
        session.socket.close(GatewayCloseCodes.SessionTimedOut, 'Session timed out.');
      }
    }
  }

  close(): void {
    clearInterval(this.#timer);
    for (const session of this.sessions.values()) session.socket?.terminate();
    this.sessions.clear();
  }
}
