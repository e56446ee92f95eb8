/**
 * Image results: the message (grid, prompt, seed, V1–V4 and 🔁 buttons), remembering it in the store
 * by message id, the 1️⃣–4️⃣ reactions, and the jobs that buttons and reactions start from a stored
 * result (variations of a cell, the same again with a new seed).
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, escapeMarkdown, type Message } from 'discord.js';
import type { GenerateOptions, Generation } from '../engine/index.ts';
import type { GenerationKind, StoredGeneration } from '../store/index.ts';
import { DISCORD_UPLOAD_LIMIT } from './config.ts';
import type { BotContext } from './context.ts';
import { CELL_EMOJIS, customIds, reactionsFor } from './custom-ids.ts';
import { startJob } from './jobs.ts';
import type { Reply, ReplyPayload } from './replies.ts';

export interface ImageResult extends Generation {
  animation?: Buffer;
  /** What was decoded (vary/blend): 🔁 decodes it again. */
  source?: Float32Array | null;
}

export interface GenerationJob {
  userId: string;
  kind: GenerationKind;
  prompt: string | null;
  label: string;
  headline: string;
  run: (opts: GenerateOptions) => Promise<ImageResult>;
}

/** Options every generation gets from the configuration (steps). */
export function generateOptions(ctx: BotContext, extra: GenerateOptions): GenerateOptions {
  return {
    ...(ctx.config.steps ? { steps: ctx.config.steps } : {}),
    ...(ctx.config.priorSteps ? { priorSteps: ctx.config.priorSteps } : {}),
    ...extra,
  };
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

/** Starts a generation job whose result gets buttons, reactions and a place in the store. */
export function startGeneration(ctx: BotContext, reply: Reply, job: GenerationJob, accepted: () => void): boolean {
  return startJob<ImageResult>(
    ctx,
    reply,
    {
      userId: job.userId,
      label: job.label,
      headline: job.headline,
      run: ({ signal, onProgress }) => job.run({ signal, onProgress }),
      render: (result) => renderResult(job.headline, result),
      save: async (messageId, result) => {
        const stored: StoredGeneration = {
          messageId,
          channelId: reply.channelId,
          guildId: reply.guildId,
          ownerId: job.userId,
          kind: job.kind,
          prompt: job.prompt,
          seed: result.seed,
          embeddings: result.embeddings,
          source: result.source ?? null,
          createdAt: Date.now(),
        };
        await ctx.store.save(stored);
      },
      after: async (message: Message, result) => {
        for (const emoji of reactionsFor(result.images.length)) await message.react(emoji);
      },
    },
    accepted,
  );
}

/** Variations of one cell of a stored result, for whoever asked (button or reaction). */
export function startVariations(ctx: BotContext, reply: Reply, stored: StoredGeneration, cell: number, userId: string, accepted: () => void): boolean {
  const embedding = stored.embeddings[cell]!;
  return startGeneration(
    ctx,
    reply,
    {
      userId,
      kind: 'vary',
      prompt: null,
      label: `variations of image ${cell + 1}`,
      headline: `Variations of image ${cell + 1}${stored.prompt ? ` of ${quote(stored.prompt)}` : ''}`,
      run: async (opts) => ({ ...(await ctx.engine.vary(embedding, generateOptions(ctx, opts))), source: embedding }),
    },
    accepted,
  );
}

/** The same request again with a new seed: the prompt for imagine, the decoded source otherwise. */
export function startAgain(ctx: BotContext, reply: Reply, stored: StoredGeneration, userId: string, accepted: () => void): boolean {
  const n = stored.embeddings.length;
  if (stored.kind === 'imagine' && stored.prompt) {
    const prompt = stored.prompt;
    return startGeneration(ctx, reply, { userId, kind: 'imagine', prompt, label: `imagine: ${prompt.slice(0, 40)}`, headline: quote(prompt), run: (opts) => ctx.engine.imagine(prompt, generateOptions(ctx, { ...opts, n })) }, accepted);
  }
  const source = stored.source ?? stored.embeddings[0]!;
  return startGeneration(
    ctx,
    reply,
    { userId, kind: stored.kind, prompt: null, label: `${stored.kind} again`, headline: `${stored.kind === 'blend' ? 'Blend' : 'Variations'}, new seed`, run: async (opts) => ({ ...(await ctx.engine.vary(source, generateOptions(ctx, { ...opts, n }))), source }) },
    accepted,
  );
}
