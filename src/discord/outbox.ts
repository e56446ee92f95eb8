/**
 * Delivery as its own journalled step (an outbox). A job whose model run succeeded is journalled
 * done and its result stored in the outbox, in one transaction, before anything is sent; from then
 * on Discord's errors are delivery's, never the model's. Delivery retries with backoff; when the
 * interaction (or the message it edits) keeps failing it falls back to a new channel post that
 * mentions the requester (the mention is set at creation, so it notifies); deliveries still pending
 * at a stop resume at the next start; only after a long time (a day) is one given up, and the
 * requester told.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DiscordAPIError } from 'discord.js';
import type { DeliveryEntry } from '../store/index.ts';
import type { BotContext } from './context.ts';
export { Deliveries, DELIVERY_TIMINGS, type DeliveryTimings } from './deliveries.ts';
import { present, show, type Presentation } from './delivery.ts';
import type { Logger } from './logger.ts';
import type { Reply } from './replies.ts';
import type { Messages } from './i18n/index.ts';
import { messagesOf, type JobRequest, type JobResult } from './request.ts';

/** What the outbox keeps for a delivery. */
export interface OutboxPayload {
  request: JobRequest;
  result: JobResult;
}

interface Pending extends OutboxPayload {
  /** The outbox row (null: it could not be stored; delivered all the same). */
  id: number | null;
  jobId: number | null;
  createdAt: number;
  statusMessageId: string | null;
}

/**
 * Stores a finished result, journals its job done (the model run succeeded, whatever Discord does
 * next), then delivers it. Resolves once it is delivered, given up, or left pending at a stop.
 */
export async function deliverResult(ctx: BotContext, reply: Reply, request: JobRequest, result: JobResult, opts: { journalId: number | null; log: Logger }): Promise<void> {
  const { journalId, log } = opts;
  const createdAt = ctx.deliveries.now();
  const statusMessageId = reply.shownIn;
  let id: number | null = null;
  try {
    id = ctx.store.transaction(() => {
      const added = ctx.store.outbox.add({ jobId: journalId, userId: request.userId, channelId: reply.channelId, guildId: reply.guildId, statusMessageId, payload: { request, result } });
      if (journalId !== null) ctx.store.journal.done(journalId, null);
      return added;
    });
  } catch (error) {
    log.error('could not store the result before delivering it; delivering it anyway', { error });
  }
  await attemptDelivery(ctx, reply, { id, jobId: journalId, request, result, createdAt, statusMessageId }, log);
}

/** At start: the deliveries a previous process left pending, delivered now (to the channel, mentioning the requester). */
export function resumeDeliveries(ctx: BotContext, replyFor: (d: DeliveryEntry) => Reply): void {
  const pending = ctx.store.outbox.pending<OutboxPayload>();
  if (pending.length) ctx.log.info('resuming pending deliveries', { deliveries: pending.length });
  for (const d of pending) {
    const log = ctx.log.child({ delivery: d.id, user: d.userId });
    if (!d.payload) {
      ctx.store.outbox.givenUp(d.id, 'nothing stored to deliver');
      continue;
    }
    const run = attemptDelivery(ctx, replyFor(d), { id: d.id, jobId: d.jobId, ...d.payload, createdAt: d.createdAt, statusMessageId: d.statusMessageId }, log)
      .catch((error: unknown) => log.error('delivery failed', { error }))
      .finally(() => ctx.inflight.delete(run));
    ctx.inflight.add(run);
  }
}

/** Whether trying again may work: Discord's 5xx, 429s, network errors. A 4xx other than 429 is Discord's final answer. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof DiscordAPIError) return error.status === 429 || error.status >= 500;
  return true;
}

async function attemptDelivery(ctx: BotContext, reply: Reply, d: Pending, log: Logger): Promise<void> {
  const { timings, now } = ctx.deliveries;
  const safely = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      log.error(`could not record that the delivery ${what}`, { error, delivery: d.id });
    }
  };
  const m = messagesOf(d.request);
  let presentation: Presentation;
  try {
    presentation = await present(ctx, reply, d.request, d.result);
  } catch (error) {
    log.error('could not render the result', { error });
    return giveUp(ctx, reply, d, log, error, m.somethingWentWrong);
  }
  let failingSince: number | null = null;
  for (let attempt = 1; ; attempt++) {
    const attemptStarted = now();
    try {
      const message = await show(reply, presentation);
      safely('is done', () => {
        if (d.id !== null) ctx.store.outbox.delivered(d.id, message?.id ?? null);
        if (d.jobId !== null) ctx.store.journal.done(d.jobId, message?.id ?? null);
      });
      log.info('result delivered', { message: message?.id, attempts: attempt });
      if (message && d.statusMessageId && message.id !== d.statusMessageId) {
        // The status it was shown in points to the result (best effort: the result is out).
        void reply.supersede(d.statusMessageId, `${d.request.headline}\n${m.delivery.posted(message.url)}`).catch((error: unknown) => log.debug('could not point the status to the result', { error }));
      }
      // Once delivered: a failing follow-up (a reaction Discord refuses) is not the delivery's failure.
      if (message && presentation.followUp) await presentation.followUp(message).catch((error: unknown) => log.warn('follow-up after the result failed; the result stands', { error }));
      return;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      safely('failed once', () => d.id !== null && ctx.store.outbox.failedAttempt(d.id, reason));
      failingSince ??= attemptStarted;
      const retryable = isRetryable(error);
      log.warn('delivery attempt failed', { error, attempt, retryable });
      if (!retryable || now() - failingSince >= timings.fallbackAfterMs) {
        if (reply.fallBackToChannel()) {
          failingSince = null;
          continue; // at once, by the other way
        }
        if (!retryable) return giveUp(ctx, reply, d, log, error, m.delivery.refused(reason));
      }
      if (now() - d.createdAt >= timings.giveUpAfterMs) {
        return giveUp(ctx, reply, d, log, error, m.delivery.dropped(duration(timings.giveUpAfterMs, m)));
      }
      const delay = Math.min(timings.maxBackoffMs, timings.backoffMs * 2 ** (attempt - 1));
      try {
        await sleep(delay, undefined, { signal: ctx.deliveries.stopping });
      } catch {
        log.info('delivery left pending: the bot is stopping; it resumes at the next start', { delivery: d.id });
        return;
      }
    }
  }
}

async function giveUp(ctx: BotContext, reply: Reply, d: Pending, log: Logger, error: unknown, text: string): Promise<void> {
  log.error('delivery given up', { error, delivery: d.id });
  try {
    if (d.id !== null) ctx.store.outbox.givenUp(d.id, error instanceof Error ? error.message : String(error));
    // An entry that cannot be shown is dropped, so its author may enter again.
    if (d.request.kind === 'battle-entry') ctx.store.battles.dropEntry(d.request.entryId);
  } catch (storeError) {
    log.error('could not record that the delivery was given up', { error: storeError });
  }
  await reply.userError(`${d.request.headline}\n${text}`).catch((tellError: unknown) => log.error('could not tell the requester either', { error: tellError }));
}

function duration(ms: number, m: Messages): string {
  const [n, unit] = ms >= 2 * 3600_000 ? [Math.round(ms / 3600_000), 'hour' as const] : ms >= 2 * 60_000 ? [Math.round(ms / 60_000), 'minute' as const] : [Math.max(1, Math.round(ms / 1000)), 'second' as const];
  return m.delivery.duration(n, unit);
}
