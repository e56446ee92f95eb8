/**
 * A job as plain data: what to run, for whom, and the words its messages start with. Commands,
 * buttons, modals and reactions build one; jobs.ts journals and queues it, processor.ts runs it on
 * the engine, delivery.ts posts its result. Being data (attachment metadata or embeddings, no
 * closures), it is journalled as it is, runs again after a restart, and could run on another machine.
 */
import type { Generation } from '../engine/index.ts';
import type { StoredGeneration } from '../store/index.ts';
import type { AttachmentMeta } from './attachments.ts';
import { langOf, messagesFor, type Lang, type Messages } from './i18n/index.ts';
import { plain, quote, shortText } from './texts.ts';

/**
 * An image to start from: an attachment to fetch, a stored normalized CLIP image embedding, or a text
 * (the image embedding the prior draws for it, as diffusers' Kandinsky `interpolate` takes texts).
 */
export type ImageSource = { attachment: AttachmentMeta } | { embedding: Float32Array } | { text: string };

export type JobRequest = {
  userId: string;
  /** The requester's language: statuses and the result are written in it (absent in jobs journalled before there were languages: English). */
  locale?: Lang;
  /** The first line of every status and of the result, e.g. **a red star**. */
  headline: string;
  /** Short words for /queue. */
  label: string;
} & (
  | { kind: 'imagine'; prompt: string; n: number; seed?: number; guidance?: number }
  | { kind: 'vary'; image: ImageSource; n: number }
  /** A text diff: the image moved from what it shows (`from`, null: its best caption) toward `toward`; strength 0–100. */
  | { kind: 'vary-toward'; image: ImageSource; n: number; toward: string; from: string | null; strength: number; animate: boolean }
  | { kind: 'blend'; first: ImageSource; second: ImageSource; ratio: number; animate: boolean }
  /** `cells` > 1: the image is a result grid of that many images, each classified on its own. */
  | { kind: 'classify'; image: AttachmentMeta; labels: string[]; template: string | null; cells?: number }
  /** A looping animation from a prompt or an image (engine/dream.ts): one job, its frames capped. */
  | { kind: 'dream'; start: { prompt: string } | { image: ImageSource }; mode: 'loop' | 'walk'; frames: number }
  /** The captions CLIP ranks highest for an image: of the pack's world, its own list, or the general labels. */
  | { kind: 'describe'; image: AttachmentMeta; top: number }
  /** A reserved battle entry, drawn from its prompt and judged against the theme. */
  | { kind: 'battle-entry'; battleId: number; entryId: number; prompt: string; theme: string }
);

export type JobKind = JobRequest['kind'];
export type RequestOf<K extends JobKind> = Extract<JobRequest, { kind: K }>;

/** What the processor returns, by the request's kind. */
export interface ImagesResult extends Generation {
  kind: 'images';
  animation?: Buffer;
  /** The animation as a GIF too, for clients that refuse WebP (a dream's). */
  gif?: Buffer;
  /** What was decoded (vary/blend): 🔁 decodes it again. */
  source?: Float32Array | null;
  /** A line under the headline that only the run could write (a text diff's starting caption). */
  note?: string;
}
export interface ScoresResult {
  kind: 'scores';
  scores: { label: string; score: number }[];
  /** A grid's: the scores of each cell, in order (`scores` is then the first cell's). */
  cells?: { label: string; score: number }[][];
}
export interface EntryResult extends Generation {
  kind: 'entry';
  /** The CLIP judge: cosine of the theme's text embedding and the entry's image embedding. */
  judge: number;
}
export interface CaptionsResult {
  kind: 'captions';
  captions: { caption: string; score: number }[];
  /** What they were ranked among (absent in results stored before it was recorded: a world's captions). */
  among?: { kind: 'world' | 'captions' | 'labels' | 'general'; count: number };
}
export type JobResult = ImagesResult | ScoresResult | EntryResult | CaptionsResult;

/** Whether a kind is journalled (runs again after a restart). A classification or description is quick and stores nothing. */
export function isJournalled(request: JobRequest): boolean {
  return request.kind !== 'classify' && request.kind !== 'describe';
}

/** The texts of the request's language. */
export const messagesOf = (request: Pick<JobRequest, 'locale'>): Messages => messagesFor(request.locale);

/** Who asked, and in which language: what every request starts with. */
export interface Requester {
  userId: string;
  locale: Lang;
}

/** The requester of an interaction: its user, in their Discord client's language. */
export const requesterOf = (interaction: { user: { id: string }; locale: string }): Requester => ({ userId: interaction.user.id, locale: langOf(interaction.locale) });

/** The attachments a request will fetch, with the words its errors name them by (in its language). */
export function attachmentsOf(request: JobRequest): { attachment: AttachmentMeta; what: string }[] {
  const { image } = messagesOf(request);
  const of = (source: ImageSource, what: string) => ('attachment' in source ? [{ attachment: source.attachment, what }] : []);
  switch (request.kind) {
    case 'vary':
    case 'vary-toward':
      return of(request.image, image.the);
    case 'blend':
      return [...of(request.first, image.first), ...of(request.second, image.second)];
    case 'dream':
      return 'image' in request.start ? of(request.start.image, image.the) : [];
    case 'classify':
    case 'describe':
      return [{ attachment: request.image, what: image.the }];
    default:
      return [];
  }
}

/** Variations of one cell of a stored result, for whoever asked (button or reaction). */
export function variationsOf(stored: StoredGeneration, cell: number, by: Requester): JobRequest {
  const m = messagesFor(by.locale);
  return {
    kind: 'vary',
    ...by,
    image: { embedding: stored.embeddings[cell]! },
    n: 4,
    label: m.label.variationsOfCell(cell + 1),
    headline: m.headline.variationsOfCell(cell + 1, stored.prompt ? quote(stored.prompt) : null),
  };
}

/** The same request again with a new seed: the prompt for imagine, the decoded source otherwise. */
export function againOf(stored: StoredGeneration, by: Requester): JobRequest {
  const m = messagesFor(by.locale);
  const n = stored.embeddings.length;
  if (stored.kind === 'imagine' && stored.prompt) {
    return { kind: 'imagine', ...by, prompt: stored.prompt, n, label: m.label.imagine(shortText(stored.prompt)), headline: quote(stored.prompt) };
  }
  return {
    kind: 'vary',
    ...by,
    // A blend decoded again is a variation of its blended embedding.
    image: { embedding: stored.source ?? stored.embeddings[0]! },
    n,
    label: m.label.again(stored.kind),
    headline: m.headline.again(stored.kind === 'blend'),
  };
}

/**
 * The request in a journal row: the request itself, or the shape an older version journalled
 * (`{ type: 'generation', job }` / `{ type: 'battle-entry', entry }`), so jobs left by it still run.
 */
export function requestFromJournal(payload: unknown, themeOf: (battleId: number) => string | null): JobRequest {
  const p = payload as Record<string, unknown> | null;
  if (p && typeof p['kind'] === 'string') return p as unknown as JobRequest;
  if (p?.['type'] === 'generation') {
    const job = p['job'] as { userId: string; headline: string; label: string; request: object };
    return { ...job.request, userId: job.userId, headline: job.headline, label: job.label } as JobRequest;
  }
  if (p?.['type'] === 'battle-entry') {
    const entry = p['entry'] as { userId: string; battleId: number; entryId: number; prompt: string };
    return battleEntryRequest(entry, themeOf(entry.battleId) ?? '');
  }
  throw new Error(`not a journalled job: ${JSON.stringify(payload)?.slice(0, 100)}`);
}

/** A battle entry's job; `locale` absent: one journalled before there were languages. */
export function battleEntryRequest(entry: { userId: string; battleId: number; entryId: number; prompt: string }, theme: string, locale?: Lang): JobRequest {
  const m = messagesFor(locale);
  return {
    kind: 'battle-entry',
    ...entry,
    ...(locale ? { locale } : {}),
    theme,
    label: m.label.entry(shortText(entry.prompt)),
    headline: m.headline.entry(`<@${entry.userId}>`, quote(theme), quote(entry.prompt)),
  };
}

export function classifyRequest(by: Requester, image: AttachmentMeta, labels: string[], template: string | null, cells?: number): JobRequest {
  const m = messagesFor(by.locale);
  const grid = cells && cells > 1 ? cells : null;
  return { kind: 'classify', ...by, image, labels, template, ...(grid ? { cells: grid } : {}), label: m.label.classify(labels.length), headline: m.headline.classify(plain(image.name), labels.length, grid) };
}

export function describeRequest(by: Requester, image: AttachmentMeta, top: number): JobRequest {
  const m = messagesFor(by.locale);
  return { kind: 'describe', ...by, image, top, label: m.label.describe(shortText(image.name)), headline: m.headline.describe(plain(image.name)) };
}
