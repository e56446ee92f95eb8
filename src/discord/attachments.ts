/**
 * The Discord side of image input: an attachment must live on Discord's CDN (or the configured local
 * Discord), and its size and content type are checked from its metadata before a byte is fetched.
 * What the pixels are (corrupt, SVG inside a PNG name, too many pixels) the engine checks.
 */
import { UserInputError } from '../engine/index.ts';
import { en, type Messages } from './i18n/index.ts';

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

/** Checks an attachment from its metadata alone (UserInputError saying what is wrong, in `m`'s language); returns it. */
export function checkAttachment(a: AttachmentMeta, policy: AttachmentPolicy, what?: string, m: Messages = en): AttachmentMeta {
  const subject = what ?? m.image.the;
  const t = m.attachment;
  let url: URL;
  try {
    url = new URL(a.url);
  } catch {
    throw new UserInputError(t.noLink(subject));
  }
  if (!policy.hosts.includes(url.host.toLowerCase()) || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new UserInputError(t.notCdn(subject, url.host));
  }
  if (a.size === 0) throw new UserInputError(t.empty(subject, a.name));
  if (a.size > policy.maxBytes) throw new UserInputError(t.tooLarge(subject, a.name, mib(a.size), mib(policy.maxBytes)));
  const type = (a.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'image/svg+xml') throw new UserInputError(t.svg(subject, a.name));
  if (type && !type.startsWith('image/')) throw new UserInputError(t.notImage(subject, a.name, type));
  return a;
}

/** Fetches a checked attachment, refusing to read more than the policy allows. */
export async function downloadAttachment(a: AttachmentMeta, policy: AttachmentPolicy, what?: string, signal?: AbortSignal, m: Messages = en): Promise<Buffer> {
  const subject = what ?? m.image.the;
  checkAttachment(a, policy, subject, m);
  const response = await fetch(a.url, signal ? { signal } : {});
  if (!response.ok || !response.body) throw new UserInputError(m.attachment.download(subject, a.name, response.status));
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > policy.maxBytes) {
      await response.body.cancel().catch(() => {});
      throw new UserInputError(m.attachment.overLimit(subject, a.name, mib(policy.maxBytes)));
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

  ahead(a: AttachmentMeta, what?: string, m?: Messages): void {
    if (this.#pending.has(a.url)) return;
    const download = downloadAttachment(a, this.policy, what, undefined, m);
    download.catch(() => {}); // the job that takes it reports the error
    this.#pending.set(a.url, download);
  }

  take(a: AttachmentMeta, what?: string, signal?: AbortSignal, m?: Messages): Promise<Buffer> {
    return this.#pending.get(a.url) ?? downloadAttachment(a, this.policy, what, signal, m);
  }

  drop(a: AttachmentMeta): void {
    this.#pending.delete(a.url);
  }

  get size(): number {
    return this.#pending.size;
  }
}
