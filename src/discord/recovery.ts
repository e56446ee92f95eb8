/**
 * Restart recovery: the jobs a previous process left queued or running (crash, kill, restart) run
 * once more, their results posted in the channel with a mention of the requester (the interaction
 * token may be dead). A job that has already been tried twice is marked failed and its requester told.
 */
import type { Client } from 'discord.js';
import type { JournalEntry } from '../store/index.ts';
import { startEntry } from './battles.ts';
import type { BotContext } from './context.ts';
import { startGeneration } from './generation.ts';
import type { JournalPayload } from './journal.ts';
import { ChannelReply } from './replies.ts';

/** Attempts after which a job is given up: it was started twice and never finished. */
export const MAX_ATTEMPTS = 2;

export function recoverJobs(client: Client, ctx: BotContext): void {
  const unfinished = ctx.db.jobs.unfinished<JournalPayload>();
  if (unfinished.length) ctx.log.info('recovering unfinished jobs', { jobs: unfinished.length });
  for (const job of unfinished) {
    try {
      recoverOne(client, ctx, job);
    } catch (error) {
      ctx.log.error('could not recover a job', { error, journal: job.id });
      ctx.db.jobs.failed(job.id, 'could not be recovered');
    }
  }
}

function recoverOne(client: Client, ctx: BotContext, job: JournalEntry<JournalPayload>): void {
  const reply = new ChannelReply(client, job.channelId, job.guildId, null, job.userId, ctx.log);
  const what = job.payload.type === 'generation' ? job.payload.job.headline : `Your battle entry ${JSON.stringify(job.payload.entry.prompt)}`;
  if (job.attempts >= MAX_ATTEMPTS) {
    ctx.db.jobs.failed(job.id, `stopped ${job.attempts} times while running`);
    if (job.payload.type === 'battle-entry') ctx.db.battles.dropEntry(job.payload.entry.entryId);
    ctx.log.warn('job failed twice; given up', { journal: job.id, user: job.userId });
    void reply
      .userError(`${what}\n⚠️ This job was interrupted twice (the bot stopped while drawing it), so it was dropped. Please try again.`)
      .catch((error: unknown) => ctx.log.warn('could not tell the requester', { error }));
    return;
  }
  ctx.log.info('running a job again after a restart', { journal: job.id, user: job.userId, attempts: job.attempts });
  if (job.payload.type === 'generation') startGeneration(ctx, reply, job.payload.job, () => {}, job.id);
  else startEntry(client, ctx, reply, job.payload.entry, () => {}, job.id);
}
