/**
 * Journalling jobs for restart recovery: a row before the job is queued (what to run, for whom,
 * where), then started / done / failed as it goes. A job re-run after a restart keeps its row.
 */
import type { BotContext } from './context.ts';
import type { GenerationJob } from './generation.ts';
import type { JournalHooks } from './jobs.ts';
import type { Reply } from './replies.ts';

export interface BattleEntryJob {
  userId: string;
  battleId: number;
  entryId: number;
  prompt: string;
}

/** What a journalled job runs: plain data (embeddings included), so it can run again after a restart. */
export type JournalPayload = { type: 'generation'; job: GenerationJob } | { type: 'battle-entry'; entry: BattleEntryJob };

/** Journals a new job (or reuses `existingId`, for one run again) and returns the hooks that track it. */
export function journal(ctx: BotContext, reply: Reply, userId: string, payload: JournalPayload, existingId?: number): JournalHooks & { id: number } {
  const id = existingId ?? ctx.db.jobs.add({ userId, channelId: reply.channelId, guildId: reply.guildId, interactionId: reply.interactionId, payload });
  const safely = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      ctx.log.error(`could not journal that the job ${what}`, { error, journal: id });
    }
  };
  return {
    id,
    started: () => safely('started', () => ctx.db.jobs.started(id)),
    done: (messageId) => safely('is done', () => ctx.db.jobs.done(id, messageId)),
    failed: (reason) => safely('failed', () => ctx.db.jobs.failed(id, reason)),
  };
}
