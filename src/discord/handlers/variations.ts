/** V1–V4 under a result: variations of that cell, for whoever clicked. */
import { ButtonBuilder, ButtonStyle } from 'discord.js';
import { UserInputError } from '../../engine/index.ts';
import type { ButtonHandler } from '../handler.ts';
import { variationsOf } from '../request.ts';

/** The button of cell `cell` (0-based): `gen:v:1` … `gen:v:4`. */
export const customId = (cell: number) => `gen:v:${cell + 1}`;

export function button(cell: number): ButtonBuilder {
  return new ButtonBuilder().setCustomId(customId(cell)).setLabel(`V${cell + 1}`).setStyle(ButtonStyle.Secondary);
}

export const NO_DATA = 'I no longer have the data of this result, so I cannot make variations of it. Run the command again.';

export const variations: ButtonHandler<number> = {
  type: 'button',
  parse: ({ customId }) => {
    const match = /^gen:v:([1-4])$/.exec(customId);
    return match ? Number(match[1]) - 1 : null;
  },
  async run(interaction, cell, ctx) {
    const stored = ctx.store.generations.get(interaction.message.id);
    if (!stored) throw new UserInputError(NO_DATA);
    if (cell >= stored.embeddings.length) throw new UserInputError(`This result has only ${stored.embeddings.length} image(s).`);
    return variationsOf(stored, cell, interaction.user.id);
  },
};
