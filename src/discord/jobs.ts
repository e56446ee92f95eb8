/**
 * One job from request to result: queued through the inference queue (refused with the reason when
 * over a cap), its position and a Cancel button while it waits, progress with a preview while it
 * runs, then the result, or an error message that says what happened.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import { UserInputError, type Progress } from '../engine/index.ts';
import { JobCancelledError, JobPostponedError, QueueError } from '../queue/index.ts';
import type { BotContext } from './context.ts';
import { customIds } from './custom-ids.ts';
import type { Reply, ReplyPayload } from './replies.ts';
import type { Message } from 'discord.js';

export interface JobRequest<T> {
  userId: string;
  /** Short words for /queue. */
  label: string;
  /** The first line of every status, e.g. **a red star**. */
  headline: string;
  run: (opts: { signal: AbortSignal; onProgress: (p: Progress) => void }) => Promise<T>;
  render: (result: T) => Promise<ReplyPayload> | ReplyPayload;
  /** Remembers the result under the id of the message it goes to: before it is shown when that id is known, else after. */
  save?: (messageId: string, result: T) => Promise<void>;
  /** After the result is shown (add reactions). */
  after?: (message: Message, result: T) => Promise<void>;
  /** The job's row in the journal (restart recovery): started, done with its message, failed. */
  journal?: JournalHooks;
}

export interface JournalHooks {
  started(): void;
  done(messageId: string | null): void;
  failed(reason: string): void;
}

export function cancelRow(jobId: string) {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(customIds.cancel(jobId)).setLabel('Cancel').setStyle(ButtonStyle.Secondary).setEmoji('✖️'),
  );
}

/**
 * Submits the job. Returns false (having told the user why) when the queue refuses it; otherwise
 * calls `accepted` at once (to acknowledge the interaction) and delivers the result in the background.
 */
export function startJob<T>(ctx: BotContext, reply: Reply, req: JobRequest<T>, accepted: () => void): boolean {
  let jobId: string | undefined;
  const status = (line: string, extra: Partial<ReplyPayload> = {}) => {
    if (jobId) reply.status({ content: `${req.headline}\n${line}`, components: [cancelRow(jobId)], ...extra });
  };
  const submitted = ctx.queue.submit<T, Progress>({
    userId: req.userId,
    label: req.label,
    // The prior's steps are quick and have no picture: the first report shown is the decoder's first step.
    run: ({ signal, progress }) => req.run({ signal, onProgress: (p) => p.stage === 'decoder' && progress(p) }),
    onPosition: (position) => status(`⏳ Queued: position ${position}.`),
    onStart: () => {
      ctx.log.info('job started', { job: jobId, user: req.userId, label: req.label });
      req.journal?.started();
      status('🎨 Working on it…');
    },
    onProgress: (p) => {
      if (!p.preview) return status(`🎨 Step ${p.step}/${p.steps}…`);
      p.preview()
        .then((png) => status(`🎨 Step ${p.step}/${p.steps}…`, { files: [{ attachment: png, name: 'preview.png' }] }))
        .catch((error: unknown) => ctx.log.debug('preview failed', { error }));
    },
  });
  if (!submitted.ok) {
    req.journal?.failed(submitted.reason);
    void reply.userError(submitted.message).catch((error: unknown) => ctx.log.warn('could not tell the user', { error }));
    return false;
  }
  const { job } = submitted;
  jobId = job.id;
  accepted();
  const info = job.info();
  if (info.state === 'queued') status(`⏳ Queued: position ${info.position}.`);
  else if (info.state === 'running') status('🎨 Working on it…');
  const log = ctx.log.child({ job: job.id, user: req.userId, label: req.label });
  log.info('job queued', { position: info.position });

  const delivery = (async () => {
    let afterDelivery: (() => Promise<void>) | null = null;
    try {
      const result = await job.result;
      const payload = await req.render(result);
      const target = req.save ? await reply.targetMessageId() : null;
      if (target) await req.save!(target, result);
      const message = await reply.final(payload);
      log.info('job done', { message: message?.id });
      if (message && req.save && message.id !== target) await req.save(message.id, result);
      req.journal?.done(message?.id ?? null);
      if (message && req.after) afterDelivery = () => req.after!(message, result);
    } catch (error) {
      // Postponed at shutdown: the journal keeps it queued, to run after the restart.
      if (!(error instanceof JobPostponedError)) req.journal?.failed(error instanceof Error ? error.message : String(error));
      if (error instanceof UserInputError) {
        await reply.userError(error.message);
      } else if (error instanceof JobCancelledError) {
        await reply.final({ content: `${req.headline}\n✖️ Cancelled.` });
      } else if (error instanceof QueueError) {
        await reply.final({ content: `${req.headline}\n⚠️ ${error.message}` });
      } else {
        log.error('job failed', { error });
        await reply.final({ content: `${req.headline}\n⚠️ The model failed on this one. Nothing else is affected; please try again.` });
      }
    }
    // Outside the try: the result is posted and journalled done, so a failing follow-up (a reaction
    // Discord refuses) must not mark the job failed nor overwrite the result with an error.
    await afterDelivery?.().catch((error: unknown) => log.warn('follow-up after the result failed; the result stands', { error }));
  })()
    .catch((error: unknown) => log.error('could not deliver the result', { error }))
    .finally(() => ctx.inflight.delete(delivery));
  ctx.inflight.add(delivery);
  return true;
}
