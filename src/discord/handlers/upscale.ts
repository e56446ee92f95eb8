/**
 * U1–U4 under a grid: that cell posted on its own, at the resolution it was drawn at, with its own
 * V1 and 🎲 (and the 🔁 reaction). Cutting a cell out needs no model, so it is answered here, not queued.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type ButtonInteraction } from 'discord.js';
import { gridCellPng, UserInputError } from '../../engine/index.ts';
import type { StoredGeneration } from '../../store/index.ts';
import type { BotContext } from '../context.ts';
import type { ButtonHandler } from '../handler.ts';
import { interactionMessages, type Messages } from '../i18n/index.ts';
import { NO_PINGS } from '../replies.ts';
import { quote } from '../texts.ts';
import { imageUpload } from '../uploads.ts';
import * as again from './again.ts';
import { reactionsFor } from './cell-reaction.ts';
import * as variations from './variations.ts';

/** The button of cell `cell` (0-based): `gen:u:1` … `gen:u:4`. */
export const customId = (cell: number) => `gen:u:${cell + 1}`;

export function button(cell: number): ButtonBuilder {
  return new ButtonBuilder().setCustomId(customId(cell)).setLabel(`U${cell + 1}`).setStyle(ButtonStyle.Secondary);
}

/** U1…Un, for a grid of n > 1 images (a single image is already on its own). */
export function upscaleRow(cells: number): ActionRowBuilder<ButtonBuilder> | null {
  if (cells < 2) return null;
  return new ActionRowBuilder<ButtonBuilder>().addComponents(Array.from({ length: cells }, (_, i) => button(i)));
}

function headlineOf(stored: StoredGeneration, cell: number, m: Messages): string {
  const what = stored.prompt ? quote(stored.prompt) : stored.kind === 'blend' ? m.aBlend : m.variations;
  return `${what} · ${m.imageN(cell + 1)}`;
}

async function postCell(interaction: ButtonInteraction, stored: StoredGeneration, cell: number, ctx: BotContext, m: Messages): Promise<void> {
  const png = await gridCellPng(stored.grid!, stored.embeddings.length, cell);
  const deferred = await interaction.deferReply({ withResponse: true });
  // Its own generation: one cell, so V1 and 🔁 on it work like on any single image, after a restart too.
  const save = (messageId: string) =>
    ctx.store.generations.save({
      ...stored,
      messageId,
      channelId: interaction.channelId,
      guildId: interaction.guildId,
      ownerId: interaction.user.id,
      embeddings: [stored.embeddings[cell]!],
      source: stored.kind === 'imagine' ? null : (stored.source ?? stored.embeddings[cell]!),
      grid: png,
      createdAt: Date.now(),
    });
  const deferredId = deferred.resource?.message?.id;
  if (deferredId) save(deferredId);
  const message = await interaction.editReply({
    content: `${headlineOf(stored, cell, m)}\n${m.cellFooter(stored.seed)}`,
    files: [await imageUpload(png, `unclip-${stored.seed}-u${cell + 1}`)],
    components: [new ActionRowBuilder<ButtonBuilder>().addComponents(variations.button(0), again.button())],
    allowedMentions: NO_PINGS,
  });
  if (message.id !== deferredId) save(message.id);
  for (const emoji of reactionsFor(1)) await message.react(emoji);
}

export const upscale: ButtonHandler<number> = {
  type: 'button',
  parse: ({ customId }) => {
    const match = /^gen:u:([1-4])$/.exec(customId);
    return match ? Number(match[1]) - 1 : null;
  },
  async run(interaction, cell, ctx) {
    const m = interactionMessages(interaction);
    const stored = ctx.store.generations.get(interaction.message.id);
    if (!stored) throw new UserInputError(m.noDataToPost);
    if (cell >= stored.embeddings.length) throw new UserInputError(m.onlyImages(stored.embeddings.length));
    if (!stored.grid) throw new UserInputError(m.noPictureToPost);
    await postCell(interaction, stored, cell, ctx, m);
  },
};
