/**
 * Image results: the message (grid, prompt, seed, V1–V4 and 🔁 buttons), remembering it in the store
 * by message id, the 1️⃣–4️⃣ reactions, and the jobs that buttons and reactions start from a stored
 * result (variations of a cell, the same again with a new seed).
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, escapeMarkdown, type Message } from 'discord.js';
import type { StoredGeneration } from '../store/index.ts';
import { DISCORD_UPLOAD_LIMIT } from './config.ts';
import type { BotContext } from './context.ts';
import { CELL_EMOJIS, customIds, reactionsFor } from './custom-ids.ts';
import { startJob } from './jobs.ts';
import { journal } from './journal.ts';
import type { Reply, ReplyPayload } from './replies.ts';
import { prefetch, runRequest, type GenerationRequest, type ImageResult, type Prefetched } from './requests.ts';

export type { ImageResult } from './requests.ts';

export interface GenerationJob {
  userId: string;
  request: GenerationRequest;
  /** The first line of every status and of the result. */
  headline: string;
  /** Short words for /queue. */
  label: string;
}

export function quote(text: string): string {
  return `**${escapeMarkdown(text.length > 200 ? `${text.slice(0, 199)}…` : text)}**`;
}

export function resultButtons(cells: number) {
  const row = new ActionRowBuilder<ButtonBuilder>();
  for (let i = 0; i < cells; i++) {
    row.addComponents(new ButtonBuilder().setCustomId(customIds.variations(i)).setLabel(`V${i + 1}`).setStyle(ButtonStyle.Secondary));
  }
  row.addComponents(new ButtonBuilder().setCustomId(customIds.again()).setEmoji('🔁').setStyle(ButtonStyle.Secondary));
  return row;
}

/** The files of a result, kept under Discord's 10 MiB per message (the animation goes first). */
export function resultFiles(result: ImageResult): { attachment: Buffer; name: string }[] {
  const files = [{ attachment: result.grid, name: `unclip-${result.seed}.png` }];
  if (result.animation) files.push({ attachment: result.animation, name: `unclip-${result.seed}-walk.webp` });
  while (files.length > 1 && files.reduce((n, f) => n + f.attachment.length, 0) > DISCORD_UPLOAD_LIMIT) files.pop();
  if (files[0]!.attachment.length > DISCORD_UPLOAD_LIMIT) throw new Error(`result image of ${files[0]!.attachment.length} bytes is over Discord's upload limit`);
  return files;
}

export function renderResult(headline: string, result: ImageResult): ReplyPayload {
  const cells = result.images.length;
  return {
    content: `${headline}\nseed ${result.seed} · V1–V${cells} or react ${cells > 1 ? `1️⃣–${CELL_EMOJIS[cells - 1]}` : '🔁'} for variations, 🔁 button for a new seed`,
    files: resultFiles(result),
    components: [resultButtons(cells)],
  };
}

/**
 * Starts a generation job whose result gets buttons, reactions and a place in the store. The job is
 * journalled first (`journalId`: the row of a job run again after a restart).
 */
export function startGeneration(ctx: BotContext, reply: Reply, job: GenerationJob, accepted: () => void, journalId?: number): boolean {
  let fetched: Prefetched = new Map();
  const hooks = journal(ctx, reply, job.userId, { type: 'generation', job }, journalId);
  return startJob<ImageResult>(
    ctx,
    reply,
    {
      userId: job.userId,
      label: job.label,
      headline: job.headline,
      run: ({ signal, onProgress }) => runRequest(ctx, job.request, { signal, onProgress }, fetched),
      render: (result) => renderResult(job.headline, result),
      save: async (messageId, result) => {
        const stored: StoredGeneration = {
          messageId,
          channelId: reply.channelId,
          guildId: reply.guildId,
          ownerId: job.userId,
          kind: job.request.kind,
          prompt: job.request.kind === 'imagine' ? job.request.prompt : null,
          seed: result.seed,
          embeddings: result.embeddings,
          source: result.source ?? null,
          grid: result.grid,
          createdAt: Date.now(),
        };
        await ctx.store.save(stored);
      },
      after: async (message: Message, result) => {
        for (const emoji of reactionsFor(result.images.length)) await message.react(emoji);
      },
      journal: hooks,
    },
    () => {
      fetched = prefetch(ctx, job.request); // downloads start once the queue took the job, while it waits
      accepted();
    },
  );
}

/** Variations of one cell of a stored result, for whoever asked (button or reaction). */
export function startVariations(ctx: BotContext, reply: Reply, stored: StoredGeneration, cell: number, userId: string, accepted: () => void): boolean {
  return startGeneration(
    ctx,
    reply,
    {
      userId,
      request: { kind: 'vary', image: { embedding: stored.embeddings[cell]! }, n: 4 },
      label: `variations of image ${cell + 1}`,
      headline: `Variations of image ${cell + 1}${stored.prompt ? ` of ${quote(stored.prompt)}` : ''}`,
    },
    accepted,
  );
}

/** The same request again with a new seed: the prompt for imagine, the decoded source otherwise. */
export function startAgain(ctx: BotContext, reply: Reply, stored: StoredGeneration, userId: string, accepted: () => void): boolean {
  const n = stored.embeddings.length;
  if (stored.kind === 'imagine' && stored.prompt) {
    const prompt = stored.prompt;
    return startGeneration(ctx, reply, { userId, request: { kind: 'imagine', prompt, n }, label: `imagine: ${prompt.slice(0, 40)}`, headline: quote(prompt) }, accepted);
  }
  const source = stored.source ?? stored.embeddings[0]!;
  return startGeneration(
    ctx,
    reply,
    {
      userId,
      // A blend decoded again is a variation of its blended embedding.
      request: { kind: 'vary', image: { embedding: source }, n },
      label: `${stored.kind} again`,
      headline: `${stored.kind === 'blend' ? 'Blend' : 'Variations'}, new seed`,
    },
    accepted,
  );
}
