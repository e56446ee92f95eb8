/**
 * The sandbox's web client: one page (static files beside this one) that shows a channel of the
 * local Discord and lets a person act in it as one of a few simulated users. Everything goes through
 * the local Discord's scenario helpers, so the bot sees exactly what it would see from Discord:
 *
 *   GET  /                        the page (index.html, style.css, app.js and the ES modules it imports)
 *   GET  /api/state?user=ID       channel, users, registered commands, messages as that user sees them
 *   GET  /api/events?user=ID      the same state, pushed again on every change (server-sent events)
 *   POST /api/command             { user, command, path?, options }  a slash command (attachments as base64)
 *   POST /api/message-command     { user, command, message }         a message context-menu command
 *   POST /api/modal               { user, interaction, values }       submits a modal the bot showed
 *   POST /api/click               { user, message, customId }         clicks a button
 *   POST /api/react               { user, message, emoji }            toggles a reaction
 *   POST /api/post                { user, content }                   posts a plain message
 *   POST /api/locale              { user, locale }                    the user's Discord client language (en-US or fr)
 *   GET  /attachments/…           the fake CDN's files, served from this origin
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ApplicationCommandType, Locale, MessageFlags, type APIMessage, type APIUser } from 'discord-api-types/v10';
import type { InteractionHandle } from '../interaction-handle.ts';
import type { LocalDiscord } from '../local-discord.ts';
import type { AttachmentInput, OptionValue } from '../interactions.ts';

export interface SandboxWebOptions {
  discord: LocalDiscord;
  /** The simulated people the page can switch between. */
  users: APIUser[];
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** How many of the latest messages the page shows. */
  historyLimit?: number;
}

/** A recent interaction started from the page, so the page can say "thinking" or "failed". */
interface Tracked {
  handle: InteractionHandle;
  label: string;
  startedAt: number;
}

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};
/** The page's ES modules (app.js imports the others), served from static/ as they are. */
const MODULE = /^\/[a-z][a-z-]*\.js$/;
const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const MAX_JSON_BYTES = 48 * 1024 * 1024;
const PUSH_DEBOUNCE_MS = 100;

class BadRequest extends Error {}

/** The client languages the page offers (the bot speaks these two; any other locale it answers in English). */
const LANGUAGES = [
  { locale: Locale.EnglishUS, name: 'English' },
  { locale: Locale.French, name: 'Français' },
];

export class SandboxWeb {
  readonly discord: LocalDiscord;
  readonly users: APIUser[];
  #server: Server;
  #url = '';
  #tracked: Tracked[] = [];
  #streams = new Set<{ res: ServerResponse; userId: string }>();
  #pushTimer: NodeJS.Timeout | null = null;
  #keepAlive: NodeJS.Timeout;
  #historyLimit: number;
  #onChange = () => this.#schedulePush();

  private constructor(opts: SandboxWebOptions) {
    this.discord = opts.discord;
    this.users = opts.users;
    this.#historyLimit = opts.historyLimit ?? 100;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        const status = error instanceof BadRequest ? 400 : 500;
        if (!res.headersSent) send(res, status, { error: error instanceof Error ? error.message : String(error) });
        else res.end();
      });
    });
    this.discord.on('change', this.#onChange);
    this.#keepAlive = setInterval(() => {
      for (const s of this.#streams) s.res.write(': keep-alive\n\n');
    }, 15_000);
    this.#keepAlive.unref();
  }

  static async start(opts: SandboxWebOptions): Promise<SandboxWeb> {
    const web = new SandboxWeb(opts);
    await new Promise<void>((resolve, reject) => {
      web.#server.once('error', reject);
      web.#server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = web.#server.address() as AddressInfo;
    web.#url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    return web;
  }

  get url(): string {
    return this.#url;
  }

  async stop(): Promise<void> {
    this.discord.off('change', this.#onChange);
    clearInterval(this.#keepAlive);
    if (this.#pushTimer) clearTimeout(this.#pushTimer);
    for (const s of this.#streams) s.res.end();
    this.#streams.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** What the page shows to `viewer`: plain JSON, attachment URLs on this origin. */
  state(viewer: APIUser) {
    const d = this.discord;
    const channel = d.world.channel(d.channelId);
    const messages = d.channelMessages(d.channelId, viewer).slice(-this.#historyLimit).map((m) => this.#forPage(m));
    const now = d.now();
    const interactions = this.#tracked
      .filter((t) => t.handle.record.user.id === viewer.id)
      .map((t) => {
        const r = t.handle.record;
        const failed = r.lateAck || (r.response === null && now - r.createdAt > d.ackWindowMs);
        const modal = r.modal && !this.#modalSubmitted(r.id) ? { interaction: r.id, ...r.modal } : null;
        return { id: r.id, label: t.label, status: r.response !== null ? 'acknowledged' : failed ? 'failed' : 'pending', modal, startedAt: t.startedAt };
      })
      // Pending ones, open modals, and failures of the last minute (older ones are old news).
      .filter((i) => (i.status === 'failed' ? Date.now() - i.startedAt < 60_000 : i.status === 'pending' || i.modal));
    return {
      bot: { ...publicUser(d.bot), online: d.gateway.connected },
      guild: { id: d.guildId, name: d.world.guild(d.guildId).name },
      channel: { id: channel.id, name: channel.name },
      users: this.users.map(publicUser),
      viewer: viewer.id,
      // The viewer's client language: the page shows the commands' localizations for it, as Discord's client does.
      locale: d.world.localeOf(viewer.id),
      languages: LANGUAGES,
      commands: d.commands
        .filter((c) => c.type === ApplicationCommandType.ChatInput || c.type === ApplicationCommandType.Message)
        .map((c) => ({
          id: c.id,
          name: c.name,
          type: c.type,
          description: c.description,
          name_localizations: c.name_localizations ?? null,
          description_localizations: c.description_localizations ?? null,
          options: c.options ?? [],
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      messages,
      interactions,
    };
  }

  #submittedModals = new Set<string>();
  #modalSubmitted(interactionId: string): boolean {
    return this.#submittedModals.has(interactionId);
  }

  #forPage(message: APIMessage) {
    const local = (url: string) => url.replace(this.discord.url, '');
    const names = new Map([...this.discord.world.users.values()].map((u) => [u.id, u.global_name ?? u.username]));
    return {
      ...message,
      attachments: message.attachments.map((a) => ({ ...a, url: local(a.url), proxy_url: local(a.proxy_url) })),
      loading: ((message.flags ?? 0) & MessageFlags.Loading) !== 0,
      ephemeral: ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
      // The names behind <@id> mentions, so the page can show @name as Discord's client does.
      mention_names: Object.fromEntries([...(message.content ?? '').matchAll(/<@!?(\d+)>/g)].map((m) => [m[1]!, names.get(m[1]!) ?? 'unknown-user'])),
    };
  }

  #track(handle: InteractionHandle, label: string): { interaction: string } {
    this.#tracked.push({ handle, label, startedAt: Date.now() });
    if (this.#tracked.length > 200) this.#tracked.splice(0, this.#tracked.length - 200);
    // The page says "failed" once the 3 s window has passed without an answer: push then too.
    setTimeout(() => this.#schedulePush(), this.discord.ackWindowMs + 50).unref();
    this.#schedulePush();
    return { interaction: handle.id };
  }

  #schedulePush(): void {
    if (this.#pushTimer || this.#streams.size === 0) return;
    this.#pushTimer = setTimeout(() => {
      this.#pushTimer = null;
      for (const s of this.#streams) this.#push(s);
    }, PUSH_DEBOUNCE_MS);
  }

  #push(s: { res: ServerResponse; userId: string }): void {
    const user = this.discord.world.users.get(s.userId);
    if (!user) return;
    s.res.write(`event: state\ndata: ${JSON.stringify(this.state(user))}\n\n`);
  }

  #user(id: unknown): APIUser {
    const user = this.users.find((u) => u.id === id);
    if (!user) throw new BadRequest(`no simulated user "${String(id)}"`);
    return user;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const method = req.method ?? 'GET';
    const page = STATIC[url.pathname] ?? (MODULE.test(url.pathname) ? { file: url.pathname.slice(1), type: 'text/javascript; charset=utf-8' } : undefined);
    if (page && method === 'GET') {
      const body = await readFile(STATIC_DIR + page.file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      if (!body) return send(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': page.type, 'cache-control': 'no-store', 'content-length': body.length });
      res.end(body);
      return;
    }
    if (url.pathname.startsWith('/attachments/') && (method === 'GET' || method === 'HEAD')) return this.#attachment(url, method, res);
    if (method === 'GET' && url.pathname === '/api/state') return send(res, 200, this.state(this.#viewer(url)));
    if (method === 'GET' && url.pathname === '/api/events') return this.#events(url, res);
    if (method === 'GET' && url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    if (method !== 'POST') return send(res, 404, { error: 'not found' });

    const body = await readJson(req);
    const d = this.discord;
    try {
      switch (url.pathname) {
        case '/api/command': {
          const user = this.#user(body.user);
          const command = String(body.command ?? '').replace(/^\//, '');
          const path = Array.isArray(body.path) ? body.path.map(String) : [];
          const options = toOptionValues(body.options);
          return send(res, 200, this.#track(d.slash(user, [command, ...path].join(' '), options), `/${[command, ...path].join(' ')}`));
        }
        case '/api/message-command': {
          const user = this.#user(body.user);
          const target = d.messageById(String(body.message)).message;
          return send(res, 200, this.#track(d.messageCommand(user, String(body.command), target), String(body.command)));
        }
        case '/api/modal': {
          const user = this.#user(body.user);
          const shownBy = this.#tracked.find((t) => t.handle.id === body.interaction && t.handle.record.user.id === user.id);
          if (!shownBy) throw new BadRequest('that modal is not open for this user');
          const values = Object.fromEntries(Object.entries((body.values ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
          const handle = d.submitModal(user, shownBy.handle, values);
          this.#submittedModals.add(shownBy.handle.id);
          return send(res, 200, this.#track(handle, shownBy.handle.record.modal?.title ?? 'modal'));
        }
        case '/api/click': {
          const user = this.#user(body.user);
          const message = d.messageById(String(body.message)).message;
          const handle = d.click(user, message, String(body.customId));
          return send(res, 200, this.#track(handle, `the ${buttonLabel(message, String(body.customId))} button`));
        }
        case '/api/react': {
          const user = this.#user(body.user);
          const emoji = String(body.emoji ?? '');
          if (!emoji) throw new BadRequest('no emoji');
          const record = d.messageById(String(body.message));
          if ((record.reactions.get(emoji) ?? []).includes(user.id)) d.unreact(user, record.message, emoji);
          else d.react(user, record.message, emoji);
          return send(res, 200, { ok: true });
        }
        case '/api/locale': {
          const user = this.#user(body.user);
          const language = LANGUAGES.find((l) => l.locale === body.locale);
          if (!language) throw new BadRequest(`no language "${String(body.locale)}" (${LANGUAGES.map((l) => l.locale).join(' or ')})`);
          d.setLocale(user, language.locale);
          return send(res, 200, { ok: true });
        }
        case '/api/post': {
          const user = this.#user(body.user);
          const content = String(body.content ?? '').trim();
          if (!content) throw new BadRequest('an empty message');
          if (content.length > 2000) throw new BadRequest('a message is at most 2000 characters');
          const message = await d.post(user, content);
          return send(res, 200, { message: message.id });
        }
        default:
          return send(res, 404, { error: 'not found' });
      }
    } catch (error) {
      // What the local Discord refuses (a missing required option, a disabled button…) is the
      // person's mistake, as Discord's client would not have let it through: say what it was.
      if (error instanceof BadRequest || error instanceof Error) throw new BadRequest(error.message);
      throw error;
    }
  }

  #viewer(url: URL): APIUser {
    return this.#user(url.searchParams.get('user') || this.users[0]?.id);
  }

  #events(url: URL, res: ServerResponse): void {
    const viewer = this.#viewer(url);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const stream = { res, userId: viewer.id };
    this.#streams.add(stream);
    res.on('close', () => this.#streams.delete(stream));
    this.#push(stream);
  }

  #attachment(url: URL, method: string, res: ServerResponse): void {
    const [, , , attachmentId] = url.pathname.split('/');
    const file = attachmentId ? this.discord.world.files.get(attachmentId) : undefined;
    if (!file) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.data.length, 'cache-control': 'max-age=3600' });
    res.end(method === 'HEAD' ? undefined : file.data);
  }
}

/** What a person reads on a button: its emoji and label. */
function buttonLabel(message: APIMessage, customId: string): string {
  for (const row of message.components ?? []) {
    for (const c of 'components' in row ? (row.components as { custom_id?: string; label?: string; emoji?: { name?: string } }[]) : []) {
      if (c.custom_id === customId) return [c.emoji?.name, c.label].filter(Boolean).join(' ') || customId;
    }
  }
  return customId;
}

function publicUser(u: APIUser) {
  return { id: u.id, username: u.username, name: u.global_name ?? u.username, bot: u.bot ?? false };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new BadRequest(`the request is over ${MAX_JSON_BYTES >> 20} MiB`);
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error();
    return value as Record<string, unknown>;
  } catch {
    throw new BadRequest('the request body is not a JSON object');
  }
}

/** The page sends files as { filename, contentType, base64 }; everything else as is. */
function toOptionValues(raw: unknown): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  if (typeof raw !== 'object' || raw === null) return out;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value === null || value === undefined || value === '') continue;
    if (typeof value === 'object') {
      const f = value as { filename?: unknown; contentType?: unknown; base64?: unknown };
      if (typeof f.filename !== 'string' || typeof f.base64 !== 'string') throw new BadRequest(`option "${name}": a file needs a name and its bytes`);
      const file: AttachmentInput = { filename: f.filename, data: Buffer.from(f.base64, 'base64') };
      if (typeof f.contentType === 'string' && f.contentType) file.contentType = f.contentType;
      out[name] = file;
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[name] = value;
    }
  }
  return out;
}
