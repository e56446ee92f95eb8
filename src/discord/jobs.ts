/**
 * A job from request to result. `submit` journals the request (restart recovery), adds it to the
 * queue (refused with the reason when over a cap), starts fetching its attachments while it waits,
 * shows its position with a Cancel button, then its progress with a preview; the queue runs it
 * through the one processor (processor.ts, set in bot.ts); then the outbox (outbox.ts) stores the
 * result and delivers it, or the person who asked is told what happened. Position edits are paced
 * (pacing.ts): only meaningful changes, at most one per message every 10 s.
 */
import { UserInputError, type Progress } from '../engine/index.ts';
import { JobPostponedError, QueueError, type Hold, type JobHandle } from '../queue/index.ts';
import type { BotContext } from './context.ts';
import { cancelRow } from './handlers/cancel.ts';
import type { Logger } from './logger.ts';
import { deliverResult } from './outbox.ts';
import { positionUpdates } from './pacing.ts';
import type { Reply, ReplyPayload } from './replies.ts';
import { userErrorText, type Messages } from './i18n/index.ts';
import { attachmentsOf, isJournalled, messagesOf, type JobRequest, type JobResult } from './request.ts';
import { holdText, queueErrorText, rejectText } from './texts.ts';

/** The job's row in the journal: started, done with its message, failed. */
interface Journal {
  id: number;
  showing(messageId: string): void;
  /** The job's id in a queue that outlives the process (Redis): its journal row and when it was written, unique across databases. */
  queueId: string;
  started(): void;
  done(messageId: string | null): void;
  failed(reason: string): void;
}

/** Journals a new job (or reuses `existingId`, for one run again after a restart); a journal write that fails is logged, not the job's failure. */
function journalFor(ctx: BotContext, reply: Reply, request: JobRequest, existingId?: number): Journal {
  const { journal } = ctx.store;
  const id = existingId ?? journal.add({ userId: request.userId, channelId: reply.channelId, guildId: reply.guildId, interactionId: reply.interactionId, payload: request });
  const safely = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      ctx.log.error(`could not journal that the job ${what}`, { error, journal: id });
    }
  };
  return {
    id,
    showing: (messageId) => safely('is shown', () => journal.showing(id, messageId)),
    queueId: `journal-${id}-${journal.get(id)?.createdAt ?? 0}`,
    started: () => safely('started', () => journal.started(id)),
    done: (messageId) => safely('is done', () => journal.done(id, messageId)),
    failed: (reason) => safely('failed', () => journal.failed(id, reason)),
  };
}

export interface SubmitOptions {
  /** The journal row of a job run again after a restart (its statuses then say it was re-queued). */
  journalId?: number;
}

/**
 * Submits the job. Returns false (having told the user why) when the queue refuses it; otherwise
 * acknowledges the interaction at once (`reply.begin()`) and delivers the result in the background.
 * One job per interaction: an interaction that already has a journalled job starts none.
 */
export function submit(ctx: BotContext, reply: Reply, request: JobRequest, opts: SubmitOptions = {}): boolean {
  const { journalId } = opts;
  const m = messagesOf(request);
  const interactionId = reply.interactionId;
  if (journalId === undefined && interactionId && isJournalled(request)) {
    const existing = ctx.store.journal.byInteraction(interactionId);
    if (existing) {
      ctx.log.warn('this interaction already has its job; not started again', { interaction: interactionId, journal: existing.id });
      return false;
    }
  }
  const journal = isJournalled(request) ? journalFor(ctx, reply, request, journalId) : null;
  const failed = (reason: string) => {
    journal?.failed(reason);
    // An entry that cannot be drawn is dropped, so its author may enter again.
    if (request.kind === 'battle-entry') ctx.store.battles.dropEntry(request.entryId);
  };
  // Downloads start before the queue may start the job, and run while it waits (I/O outside the queue).
  const attachments = attachmentsOf(request);
  for (const a of attachments) ctx.downloads.ahead(a.attachment, a.what, m);
  const added = ctx.queue.add(request, journal ? { jobId: journal.queueId } : {});
  if (!added.ok) {
    for (const a of attachments) ctx.downloads.drop(a.attachment);
    failed(added.reason);
    void reply.refused(rejectText(added.reason, ctx.queue.limits, m)).catch((error: unknown) => ctx.log.warn('could not tell the user', { error }));
    return false;
  }
  const { job } = added;
  // The message it is shown in, journalled as soon as Discord names it, so that a restart can say what became of it.
  if (journal) reply.onMessage((id) => journal.showing(id));
  reply.begin();
  const log = ctx.log.child({ job: job.id, user: request.userId, label: request.label });
  const status = (line: string, extra: Partial<ReplyPayload> = {}) => reply.status({ content: `${request.headline}\n${line}`, components: [cancelRow(job.id, m)], ...extra });
  const again = journalId !== undefined;
  const queued = again ? m.status.requeued : m.status.queued;
  let startedAt: number | null = null;
  // Where it stands while it waits: its place, and what holds it besides its turn (no worker has its pack).
  let place: { position: number; hold: Hold | null } = { position: 1, hold: null };
  const positions = positionUpdates({
    // The queue's estimate when it has one (both backends), else the durations seen here.
    durations: { waitAt: (position) => ctx.queue.estimatedWaitMs?.(position) ?? ctx.pacing.durations.waitAt(position) },
    intervalMs: ctx.pacing.positionIntervalMs,
    show: (position) => status(queuedLine(ctx, m, queued, { ...place, position })),
  });
  const started = () => {
    positions.stop();
    startedAt = Date.now();
    log.info('job started');
    journal?.started();
    status(again ? m.status.workingAgain : m.status.working);
  };
  job
    .on('position', (position) => {
      place = { ...place, position };
      positions.update(position);
    })
    // Held or no longer: shown at once (rare, and what the person most needs to know).
    .on('held', (hold) => {
      place = { ...place, hold };
      if (startedAt === null) status(queuedLine(ctx, m, queued, place));
    })
    .on('active', started)
    .on('progress', (p) => {
      if (!p.preview) return status(m.status.step(p.step, p.steps));
      p.preview()
        .then((png) => status(m.status.step(p.step, p.steps), { files: [{ attachment: png, name: 'preview.png' }] }))
        .catch((error: unknown) => log.debug('preview failed', { error }));
    });
  // The handle's listeners hear changes from now on; where it stands now is read once.
  const info = job.info();
  if (info.state === 'queued') {
    place = { position: info.position ?? 1, hold: info.hold };
    positions.update(place.position);
  } else if (info.state === 'running') started();
  log.info('job queued', { position: info.position });

  // How long jobs take, for the estimated waits of the others.
  job.result.then(
    () => startedAt !== null && ctx.pacing.durations.record(Date.now() - startedAt),
    () => {},
  );
  const delivery = finish(ctx, reply, request, job, log, { id: journal?.id ?? null, failed })
    .catch((error: unknown) => log.error('could not deliver the result', { error }))
    .finally(() => {
      positions.stop();
      for (const a of attachments) ctx.downloads.drop(a.attachment);
      ctx.inflight.delete(delivery);
    });
  ctx.inflight.add(delivery);
  return true;
}

/** The place in line, and the estimated wait once the queue knows how long jobs take; or, while held, what it waits for. */
function queuedLine(ctx: BotContext, m: Messages, queued: string, place: { position: number; hold: Hold | null }): string {
  const { position, hold } = place;
  if (hold) return `${m.status.position(queued, position, null)} ${holdText(hold, m)}`;
  const ms = ctx.queue.estimatedWaitMs?.(position) ?? null;
  return m.status.position(queued, position, ms === null ? null : Math.max(1, Math.round(ms / 1000)));
}

/** Waits for the model's result and hands it to the outbox, or tells the requester why there is none. */
async function finish(
  ctx: BotContext,
  reply: Reply,
  request: JobRequest,
  job: JobHandle<JobResult, Progress>,
  log: Logger,
  journal: { id: number | null; failed(reason: string): void },
): Promise<void> {
  let result: JobResult;
  try {
    result = await job.result;
  } catch (error) {
    // Postponed at shutdown: the journal keeps it queued, to run after the restart.
    if (!(error instanceof JobPostponedError)) journal.failed(error instanceof QueueError ? error.code : error instanceof Error ? error.message : String(error));
    const m = messagesOf(request);
    if (error instanceof UserInputError) {
      await reply.userError(userErrorText(error, m));
    } else if (error instanceof QueueError) {
      await reply.final({ content: `${request.headline}\n${queueErrorText(error, m)}` });
    } else {
      log.error('job failed', { error });
      await reply.final({ content: `${request.headline}\n${m.modelFailed}` });
    }
    return;
  }
  log.info('job done');
  // From here on the model's part succeeded: what Discord does to the delivery is the outbox's, never the job's failure.
  await deliverResult(ctx, reply, request, result, { journalId: journal.id, log });
}
