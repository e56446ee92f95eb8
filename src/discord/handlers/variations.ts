/** V1–V4 under a result: variations of that cell, for whoever clicked. */
import { ButtonBuilder, ButtonStyle } from 'discord.js';
import { UserInputError } from '../../engine/index.ts';
import type { ButtonHandler } from '../handler.ts';
import { en, interactionMessages } from '../i18n/index.ts';
import { requesterOf, variationsOf } from '../request.ts';

/** The button of cell `cell` (0-based): `gen:v:1` … `gen:v:4`. */
export const customId = (cell: number) => `gen:v:${cell + 1}`;

export function button(cell: number): ButtonBuilder {
  return new ButtonBuilder().setCustomId(customId(cell)).setLabel(`V${cell + 1}`).setStyle(ButtonStyle.Secondary);
}

export const NO_DATA = en.noData;

export const variations: ButtonHandler<number> = {
  type: 'button',
  parse: ({ customId }) => {
    const match = /^gen:v:([1-4])$/.exec(customId);
    return match ? Number(match[1]) - 1 : null;
  },
  async run(interaction, cell, ctx) {
    const m = interactionMessages(interaction);
    const stored = ctx.store.generations.get(interaction.message.id);
    if (!stored) throw new UserInputError(m.noData);
    if (cell >= stored.embeddings.length) throw new UserInputError(m.onlyImages(stored.embeddings.length));
    return variationsOf(stored, cell, requesterOf(interaction));
  },
};
