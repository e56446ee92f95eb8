/** ✖️ Cancel under a waiting or running job: only its owner may. */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import { UserInputError } from '../../engine/index.ts';
import type { ButtonHandler } from '../handler.ts';

export const customId = (jobId: string) => `job:cancel:${jobId}`;

export function cancelRow(jobId: string) {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(customId(jobId)).setLabel('Cancel').setStyle(ButtonStyle.Secondary).setEmoji('✖️'),
  );
}

export const cancel: ButtonHandler<string> = {
  type: 'button',
  parse: ({ customId }) => /^job:cancel:(.+)$/.exec(customId)?.[1] ?? null,
  async run(interaction, jobId, ctx) {
    const outcome = ctx.queue.cancel(jobId, interaction.user.id);
    if (outcome === 'cancelled') await interaction.deferUpdate();
    else if (outcome === 'not-owner') throw new UserInputError('Only the person who asked for this job can cancel it.');
    else throw new UserInputError('That job has already finished.');
  },
};
