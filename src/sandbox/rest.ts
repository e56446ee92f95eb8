/**
 * The local Discord's HTTP side: each request under /api is recorded, may meet an injected fault,
 * is matched against the route table, authenticated and served; /attachments/… is the fake CDN.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DiscordHttpError, errors } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import { matchRoute, parseBody, readBody, sendJson, type MessageAction, type Route } from './http.ts';
import type { InteractionRecord } from './interactions.ts';
import type { RateLimiter } from './rate-limits.ts';
import type { World } from './world.ts';

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
  /** When it arrived (Date.now()). */
  at: number;
  /** The message it created, edited or deleted, and which of those; null for other requests and failures. */
  messageId: string | null;
  action: MessageAction | null;
  /** Answered by an injected fault (faults.ts) rather than served. */
  fault: boolean;
}

export interface RestHost {
  readonly url: string;
  readonly token: string;
  readonly world: World;
  readonly routes: Route[];
  readonly faults: FaultInjector;
  /** Discord's per-route and global limits; null when the local Discord runs without them. */
  readonly rateLimits: RateLimiter | null;
  readonly requests: RecordedRequest[];
  readonly unhandled: RecordedRequest[];
  log(line: string): void;
  interactionByToken(token: string): InteractionRecord | undefined;
  emit(event: string, ...args: unknown[]): boolean;
}

export async function serveRest(host: RestHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', host.url);
  const method = req.method ?? 'GET';
  if (url.pathname.startsWith('/attachments/') && (method === 'GET' || method === 'HEAD')) return serveCdn(host, url, method, res);

  const path = url.pathname.replace(/^\/api(\/v\d+)?/, '');
  const recorded: RecordedRequest = { method, path, route: null, query: url.searchParams, json: undefined, files: [], status: 0, response: undefined, interactionId: null, at: Date.now(), messageId: null, action: null, fault: false };
  const finish = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    recorded.status = status;
    recorded.response = body;
    sendJson(res, status, body, headers);
    host.requests.push(recorded);
    if (status >= 400) host.log(`local discord: ${method} ${path} → ${status} ${JSON.stringify(body)}`);
    host.emit('request', recorded);
    host.emit('change');
  };
  try {
    if (!url.pathname.startsWith('/api/')) throw errors.notFound();
    const raw = await readBody(req);
    const body = await parseBody(req.headers['content-type'], raw);
    recorded.json = body.json;
    recorded.files = body.files.map((f) => ({ field: f.field, filename: f.filename, size: f.data.length, contentType: f.contentType }));
    const matched = matchRoute(host.routes, method, path);
    recorded.route = matched ? `${method} ${matched.route.pattern}` : null;
    const fault = host.faults.take({ method, path, route: recorded.route });
    if (fault) {
      recorded.fault = true;
      return finish(fault.status, fault.body, fault.headers);
    }
    if (!matched) {
      host.unhandled.push(recorded);
      throw errors.notFound();
    }
    if (matched.params.token) recorded.interactionId = host.interactionByToken(matched.params.token)?.id ?? null;
    if (matched.route.auth === 'bot' && req.headers.authorization !== `Bot ${host.token}`) throw errors.unauthorized();
    const limit = host.rateLimits?.take(recorded.route!, matched.params) ?? null;
    if (limit?.limited) return finish(429, limit.body, limit.headers);
    const headers = limit?.headers ?? {};
    try {
      const result = await matched.route.handler({ params: matched.params, query: url.searchParams, json: body.json ?? {}, files: body.files });
      recorded.messageId = result.messageId ?? null;
      recorded.action = result.action ?? null;
      return finish(result.status, result.body, headers);
    } catch (error) {
      if (error instanceof DiscordHttpError) return finish(error.status, error.body(), headers);
      throw error;
    }
  } catch (error) {
    if (error instanceof DiscordHttpError) return finish(error.status, error.body());
    throw error;
  }
}

function serveCdn(host: RestHost, url: URL, method: string, res: ServerResponse): void {
  const [, , , attachmentId] = url.pathname.split('/');
  const file = attachmentId ? host.world.files.get(attachmentId) : undefined;
  host.emit('cdn', url.pathname);
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not Found');
    return;
  }
  res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.data.length });
  res.end(method === 'HEAD' ? undefined : file.data);
}
