/**
 * Restart recovery: the jobs a previous process left queued or running (crash, kill, restart) run
 * once more, their results posted in the channel with a mention of the requester (the interaction
 * token may be dead). The message a job was shown in says it was re-queued, then shows its result.
 * A job that has already been tried twice is marked failed and its requester told, in that message.
 */
import type { JournalEntry } from '../store/index.ts';
import type { BotContext } from './context.ts';
import { submit } from './jobs.ts';
import type { Reply } from './replies.ts';
import { messagesOf, requestFromJournal } from './request.ts';

/** Attempts after which a job is given up: it was started twice and never finished. */
export const MAX_ATTEMPTS = 2;

/** Where a recovered job's messages go: in bot.ts, a ChannelReply to the job's channel. */
export type ReplyFor = (job: JournalEntry) => Reply;

export function recoverJobs(ctx: BotContext, replyFor: ReplyFor): void {
  const unfinished = ctx.store.journal.unfinished();
  if (unfinished.length) ctx.log.info('recovering unfinished jobs', { jobs: unfinished.length });
  for (const job of unfinished) {
    try {
      recoverOne(ctx, job, replyFor);
    } catch (error) {
      ctx.log.error('could not recover a job', { error, journal: job.id });
      ctx.store.journal.failed(job.id, 'could not be recovered');
    }
  }
}

function recoverOne(ctx: BotContext, job: JournalEntry, replyFor: ReplyFor): void {
  const request = requestFromJournal(job.payload, (battleId) => ctx.store.battles.get(battleId)?.theme ?? null);
  const reply = replyFor(job);
  if (job.attempts >= MAX_ATTEMPTS) {
    ctx.store.journal.failed(job.id, `stopped ${job.attempts} times while running`);
    if (request.kind === 'battle-entry') ctx.store.battles.dropEntry(request.entryId);
    ctx.log.warn('job failed twice; given up', { journal: job.id, user: job.userId });
    const m = messagesOf(request);
    const what = request.kind === 'battle-entry' ? m.recovery.entry(request.prompt) : request.headline;
    // In the message the job was shown in (if it still exists), else a new one: the reason, and what to do.
    void reply
      .final({ content: `${what}\n${m.recovery.interrupted}` })
      .catch((error: unknown) => ctx.log.warn('could not tell the requester', { error }));
    return;
  }
  ctx.log.info('running a job again after a restart', { journal: job.id, user: job.userId, attempts: job.attempts });
  submit(ctx, reply, request, { journalId: job.id });
}
