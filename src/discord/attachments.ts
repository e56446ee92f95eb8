/**
 * The Discord side of image input: an attachment must live on Discord's CDN (or the configured local
 * Discord), and its size and content type are checked from its metadata before a byte is fetched.
 * What the pixels are (corrupt, SVG inside a PNG name, too many pixels) the engine checks.
 */
import { UserInputError } from '../engine/index.ts';

export interface AttachmentMeta {
  name: string;
  url: string;
  size: number;
  contentType: string | null;
}

export interface AttachmentPolicy {
  hosts: string[];
  maxBytes: number;
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 1)} MiB`;

/** The metadata of a discord.js Attachment (what a job keeps of it). */
export function attachmentMeta(a: AttachmentMeta): AttachmentMeta {
  return { name: a.name, url: a.url, size: a.size, contentType: a.contentType };
}

/** Checks an attachment from its metadata alone (UserInputError saying what is wrong); returns it. */
export function checkAttachment(a: AttachmentMeta, policy: AttachmentPolicy, what = 'The image'): AttachmentMeta {
  let url: URL;
  try {
    url = new URL(a.url);
  } catch {
    throw new UserInputError(`${what} has no usable link: attach the image file itself.`);
  }
  if (!policy.hosts.includes(url.host.toLowerCase()) || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new UserInputError(`${what} is not on Discord's CDN (${url.host}): attach the image file itself instead of a link.`);
  }
  if (a.size === 0) throw new UserInputError(`${what} (${a.name}) is empty (0 bytes): attach a PNG, JPEG, WebP or GIF file.`);
  if (a.size > policy.maxBytes) {
    throw new UserInputError(`${what} (${a.name}) is ${mib(a.size)}; the limit is ${mib(policy.maxBytes)}. Attach a smaller image.`);
  }
  const type = (a.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'image/svg+xml') throw new UserInputError(`${what} (${a.name}) is an SVG; vector images are not supported. Export it as PNG and attach that.`);
  if (type && !type.startsWith('image/')) {
    throw new UserInputError(`${what} (${a.name}) is not an image (${type}): attach a PNG, JPEG, WebP or GIF file.`);
  }
  return a;
}

/** Fetches a checked attachment, refusing to read more than the policy allows. */
export async function downloadAttachment(a: AttachmentMeta, policy: AttachmentPolicy, what = 'The image', signal?: AbortSignal): Promise<Buffer> {
  checkAttachment(a, policy, what);
  const response = await fetch(a.url, signal ? { signal } : {});
  if (!response.ok || !response.body) throw new UserInputError(`${what} (${a.name}) could not be downloaded from Discord (HTTP ${response.status}); attach it again.`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > policy.maxBytes) {
      await response.body.cancel().catch(() => {});
      throw new UserInputError(`${what} (${a.name}) is larger than ${mib(policy.maxBytes)}. Attach a smaller image.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Attachments fetched ahead, while their job waits in line (I/O stays outside the queue): `ahead`
 * starts a download, `take` returns it (or starts one now), `drop` forgets it once the job is over.
 */
export class Downloads {
  readonly #pending = new Map<string, Promise<Buffer>>();

  constructor(readonly policy: AttachmentPolicy) {}

  ahead(a: AttachmentMeta, what?: string): void {
    if (this.#pending.has(a.url)) return;
    const download = downloadAttachment(a, this.policy, what);
    download.catch(() => {}); // the job that takes it reports the error
    this.#pending.set(a.url, download);
  }

  take(a: AttachmentMeta, what?: string, signal?: AbortSignal): Promise<Buffer> {
    return this.#pending.get(a.url) ?? downloadAttachment(a, this.policy, what, signal);
  }

  drop(a: AttachmentMeta): void {
    this.#pending.delete(a.url);
  }

  get size(): number {
    return this.#pending.size;
  }
}
