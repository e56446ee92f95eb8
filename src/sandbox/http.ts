/** Small HTTP pieces for the local Discord: reading bodies, multipart, a route table. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from './errors.ts';
import type { UploadedFile } from './messages.ts';

export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw errors.tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface ParsedBody {
  json: unknown;
  files: UploadedFile[];
}

/** JSON, or multipart/form-data with `payload_json` and `files[n]` as discord.js sends them. */
export async function parseBody(contentType: string | undefined, raw: Buffer): Promise<ParsedBody> {
  if (raw.length === 0) return { json: undefined, files: [] };
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Request('http://local/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(raw),
    }).formData();
    let json: unknown = undefined;
    const files: UploadedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') json = JSON.parse(value);
        continue;
      }
      files.push({
        field,
        filename: value.name,
        contentType: value.type,
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
    return { json, files };
  }
  try {
    return { json: JSON.parse(raw.toString('utf8')), files: [] };
  } catch {
    throw errors.invalidForm('', 'The request body contains invalid JSON.');
  }
}

export type Auth = 'bot' | 'none';

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the body as sent; each route checks what it reads
  json: any;
  files: UploadedFile[];
}

export type MessageAction = 'create' | 'edit' | 'delete';

export interface RouteResult {
  status: number;
  body?: unknown;
  /** The message the request created, edited or deleted (what the request counters count). */
  messageId?: string;
  action?: MessageAction;
}

export interface Route {
  method: string;
  pattern: string;
  auth: Auth;
  regex: RegExp;
  keys: string[];
  handler: (ctx: RouteContext) => Promise<RouteResult> | RouteResult;
}

export function route(method: string, pattern: string, auth: Auth, handler: Route['handler']): Route {
  const keys: string[] = [];
  const source = pattern
    .split('/')
    .map((part) => {
      if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      keys.push(part.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { method, pattern, auth, regex: new RegExp(`^${source}/?$`), keys, handler };
}

export function matchRoute(routes: Route[], method: string, path: string): { route: Route; params: Record<string, string> } | null {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
    return { route: r, params };
  }
  return null;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status === 200 && body === undefined ? 204 : status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
