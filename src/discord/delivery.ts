/**
 * Delivery, the step after the model: a job's result as its message (the grid with V1–V4 and 🔁, the
 * scores with their chart, a battle entry with its 👍 button), remembered under that message's id
 * before its buttons can be clicked (the generations table, or the battle entry), then the
 * reactions the bot adds under it. One attempt at showing it; outbox.ts stores the result first and
 * retries.
 */
import { ActionRowBuilder, ButtonBuilder, EmbedBuilder, type Message } from 'discord.js';
import { scoreChartPng } from '../engine/index.ts';
import type { StoredGeneration } from '../store/index.ts';
import { judgeText } from './battles.ts';
import { renderCaptions } from './captions.ts';
import { renderCellScores } from './cell-scores.ts';
import type { BotContext } from './context.ts';
import * as again from './handlers/again.ts';
import { CELL_EMOJIS, reactionsFor } from './handlers/cell-reaction.ts';
import { upscaleRow } from './handlers/upscale.ts';
import * as variations from './handlers/variations.ts';
import { voteRow } from './handlers/vote.ts';
import type { Reply, ReplyPayload } from './replies.ts';
import { en, type Messages } from './i18n/index.ts';
import { messagesOf, type EntryResult, type ImagesResult, type JobRequest, type JobResult, type RequestOf, type ScoresResult } from './request.ts';
import { plain } from './texts.ts';
import { LIMITS } from './limits.ts';
import { imageUpload } from './uploads.ts';

/** The buttons under an image result: V1…Vn, then 🎲 (a new seed). */
export function resultButtons(cells: number) {
  const row = new ActionRowBuilder<ButtonBuilder>();
  for (let i = 0; i < cells; i++) row.addComponents(variations.button(i));
  row.addComponents(again.button());
  return row;
}

/** The rows under an image result: V1…Vn and 🎲, then U1…Un for a grid. */
export function resultRows(cells: number): ActionRowBuilder<ButtonBuilder>[] {
  const u = upscaleRow(cells);
  return u ? [resultButtons(cells), u] : [resultButtons(cells)];
}

/**
 * The files of a result, within Discord's 10 MiB per message: the grid (re-encoded as JPEG if it is
 * over the limit alone), then the animation and the GIF while they fit (they are dropped first).
 */
export async function resultFiles(result: Pick<ImagesResult, 'grid' | 'seed' | 'animation' | 'gif'>): Promise<{ attachment: Buffer; name: string }[]> {
  const files = [await imageUpload(result.grid, `unclip-${result.seed}`)];
  if (result.animation) files.push({ attachment: result.animation, name: `unclip-${result.seed}-walk.webp` });
  if (result.gif) files.push({ attachment: result.gif, name: `unclip-${result.seed}-walk.gif` });
  while (files.length > 1 && files.reduce((n, f) => n + f.attachment.length, 0) > LIMITS.uploadBytes) files.pop();
  return files;
}

export async function renderImages(headline: string, result: ImagesResult, m: Messages = en): Promise<ReplyPayload> {
  const cells = result.images.length;
  const files = await resultFiles(result);
  const wanted = 1 + (result.animation ? 1 : 0) + (result.gif ? 1 : 0);
  const left = files.length < wanted ? `\n${m.animationLeftOut(LIMITS.uploadBytes / 1024 / 1024)}` : '';
  return {
    content: `${headline}\n${m.imagesFooter(result.seed, cells, CELL_EMOJIS[cells - 1]!)}${left}`,
    files,
    components: resultRows(cells),
  };
}

export async function renderScores(request: RequestOf<'classify'>, { scores }: ScoresResult): Promise<ReplyPayload> {
  const m = messagesOf(request);
  const chart = await scoreChartPng(scores);
  const lines = scores.map((s, i) => `${i === 0 ? '**' : ''}${plain(s.label)}${i === 0 ? '**' : ''} — ${(s.score * 100).toFixed(1)} %`);
  const embed = new EmbedBuilder()
    .setTitle(m.mostLikely(scores[0]!.label).slice(0, 256))
    .setDescription(lines.join('\n').slice(0, 4096))
    .setImage('attachment://scores.png')
    .setFooter({ text: `${request.image.name}${request.template ? m.template(request.template) : ''}`.slice(0, 2048) });
  return { content: request.headline, embeds: [embed], files: [{ attachment: chart, name: 'scores.png' }] };
}

export async function renderEntry(request: RequestOf<'battle-entry'>, result: EntryResult): Promise<ReplyPayload> {
  return {
    content: `${request.headline}\n${messagesOf(request).battle.entryLine(judgeText(result.judge))}`,
    files: [await imageUpload(result.images[0]!, `entry-${request.entryId}`)],
    components: [voteRow(request.entryId)],
  };
}

/** How one kind of result is shown, remembered under its message's id, and followed up. */
export interface Presentation {
  payload: ReplyPayload;
  save?: (messageId: string) => void;
  followUp?: (message: Message) => Promise<void>;
}

/** The message a result is shown as (rendered once; the outbox may send it several times). */
export async function present(ctx: BotContext, reply: Reply, request: JobRequest, result: JobResult): Promise<Presentation> {
  if (request.kind === 'classify' && result.kind === 'scores') return { payload: result.cells ? await renderCellScores(request, result.cells) : await renderScores(request, result) };
  if (request.kind === 'describe' && result.kind === 'captions') return { payload: await renderCaptions(request, result) };
  if (request.kind === 'battle-entry' && result.kind === 'entry') {
    return {
      payload: await renderEntry(request, result),
      // No 👍 of the bot's under it: the votes are the number on its 👍 button.
      save: (messageId) => ctx.store.battles.completeEntry(request.entryId, { messageId, image: result.images[0]!, embedding: result.embeddings[0]!, judge: result.judge }),
    };
  }
  if ((request.kind === 'imagine' || request.kind === 'vary' || request.kind === 'vary-toward' || request.kind === 'blend' || request.kind === 'dream') && result.kind === 'images') {
    const prompt = request.kind === 'imagine' ? request.prompt : request.kind === 'dream' && 'prompt' in request.start ? request.start.prompt : null;
    const stored = (messageId: string): StoredGeneration => ({
      messageId,
      channelId: reply.channelId,
      guildId: reply.guildId,
      ownerId: request.userId,
      // A text diff is stored as the variations it is; a dream as its frames (🔁: its start drawn again).
      kind: request.kind === 'vary-toward' || (request.kind === 'dream' && !prompt) ? 'vary' : request.kind === 'dream' ? 'imagine' : request.kind,
      prompt,
      seed: result.seed,
      embeddings: result.embeddings,
      source: result.source ?? null,
      grid: result.grid,
      createdAt: Date.now(),
    });
    return {
      payload: await renderImages(result.note ? `${request.headline}\n${result.note}` : request.headline, result, messagesOf(request)),
      save: (messageId) => ctx.store.generations.save(stored(messageId)),
      followUp: async (message) => {
        for (const emoji of reactionsFor(result.images.length)) await message.react(emoji);
      },
    };
  }
  throw new Error(`a ${request.kind} job returned a ${result.kind} result`);
}

/**
 * Shows a presented result (one attempt; outbox.ts retries): remembered under the id of the message
 * it goes to before it is shown when that id is known (so its buttons work at once), else right after.
 */
export async function show(reply: Reply, { payload, save }: Presentation): Promise<Message | null> {
  const target = save ? await reply.targetMessageId() : null;
  if (target) save!(target);
  const message = await reply.final(payload);
  if (message && save && message.id !== target) save(message.id);
  return message;
}
