/**
 * The words people read for what the layers below report as codes (the queue's refusals and
 * errors, from the catalogue of i18n/), and the one way user text is put into a message: escaped, so names and prompts show
 * literally.
 */
import { escapeMarkdown } from 'discord.js';
import { JobTimeoutError, type Hold, type QueueError, type QueueLimits, type RejectReason } from '../queue/index.ts';
import { en, type Messages } from './i18n/en.ts';
import { sanitizeText } from './sanitize.ts';

/** User text shown as it is (file names, labels, prompts): control and bidi characters removed, markdown escaped. */
export function plain(text: string): string {
  return escapeMarkdown(sanitizeText(text));
}

/** At most `max` characters, cut at a word boundary where there is one, with … when cut (for /queue's labels). */
export function shortText(text: string, max = 40): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** A prompt or theme in bold, at most 200 characters. */
export function quote(text: string): string {
  return `**${plain(text.length > 200 ? `${text.slice(0, 199)}…` : text)}**`;
}

/** A Discord timestamp: each reader sees it in their own time zone (R: relative, f: date and time). */
export const discordTime = (ms: number, style: 'R' | 'f') => `<t:${Math.floor(ms / 1000)}:${style}>`;

/** Why the queue refused a job, for the person who asked (in their language). */
export function rejectText(reason: RejectReason, limits: QueueLimits, m: Messages = en): string {
  switch (reason) {
    case 'user-limit':
      return m.reject.userLimit(limits.perUser);
    case 'global-limit':
      return m.reject.globalLimit(limits.global);
    case 'closed':
      return m.reject.closed;
  }
}

/** What a waiting job waits for besides its turn (the Redis queue: no live worker has its pack). */
export function holdText(hold: Hold, m: Messages = en): string {
  return m.status.hold(plain(hold.pack));
}

/** How the queue ended a job (cancel, timeout, shutdown), for the person who asked. */
export function queueErrorText(error: QueueError, m: Messages = en): string {
  switch (error.code) {
    case 'cancelled':
      return m.queueError.cancelled;
    case 'timeout':
      return m.queueError.timeout(error instanceof JobTimeoutError ? error.seconds : null);
    case 'closed':
      return m.queueError.closed;
    case 'postponed':
      return m.queueError.postponed;
  }
}

export const MODEL_FAILED = en.modelFailed;
export const SOMETHING_WENT_WRONG = en.somethingWentWrong;
