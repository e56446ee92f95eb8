/**
 * The words people read for what the layers below report as codes (the queue's refusals and
 * errors), and the one way user text is put into a message: escaped, so names and prompts show
 * literally.
 */
import { escapeMarkdown } from 'discord.js';
import { JobTimeoutError, type Hold, type QueueError, type QueueLimits, type RejectReason } from '../queue/index.ts';
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

/** Why the queue refused a job, for the person who asked. */
export function rejectText(reason: RejectReason, limits: QueueLimits): string {
  switch (reason) {
    case 'user-limit':
      return `You already have ${limits.perUser} job${limits.perUser === 1 ? '' : 's'} waiting or running. Wait for one to finish (or cancel one) and try again.`;
    case 'global-limit':
      return `The queue is full (${limits.global} jobs). Please try again in a few minutes.`;
    case 'closed':
      return 'The bot is shutting down and is not taking new jobs. Please try again in a minute.';
  }
}

/** What a waiting job waits for besides its turn (the Redis queue: no live worker has its pack). */
export function holdText(hold: Hold): string {
  return `Waiting for a worker that has the pack ${plain(hold.pack)} — none is running right now.`;
}

/** How the queue ended a job (cancel, timeout, shutdown), for the person who asked. */
export function queueErrorText(error: QueueError): string {
  switch (error.code) {
    case 'cancelled':
      return '✖️ Cancelled.';
    case 'timeout':
      return `⚠️ That took longer than ${error instanceof JobTimeoutError ? `${error.seconds} s` : 'its time limit'} and was stopped. Try fewer images or fewer steps.`;
    case 'closed':
      return '⚠️ The bot is shutting down and did not run this. Please try again in a minute.';
    case 'postponed':
      return '⚠️ The bot is shutting down for a moment. This job keeps its place and runs when the bot is back; the result will be posted in this channel.';
  }
}

export const MODEL_FAILED = '⚠️ The model failed on this one. Nothing else is affected; please try again.';
export const SOMETHING_WENT_WRONG = 'Something went wrong on our side. Please try again.';
