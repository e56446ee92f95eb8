/** ✖️ Cancel under a waiting or running job: only its owner may. */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import { UserInputError } from '../../engine/index.ts';
import type { ButtonHandler } from '../handler.ts';
import { en, interactionMessages, type Messages } from '../i18n/index.ts';

export const customId = (jobId: string) => `job:cancel:${jobId}`;

export function cancelRow(jobId: string, m: Messages = en) {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(customId(jobId)).setLabel(m.cancel.button).setStyle(ButtonStyle.Secondary).setEmoji('✖️'),
  );
}

export const cancel: ButtonHandler<string> = {
  type: 'button',
  parse: ({ customId }) => /^job:cancel:(.+)$/.exec(customId)?.[1] ?? null,
  async run(interaction, jobId, ctx) {
    const outcome = ctx.queue.cancel(jobId, interaction.user.id);
    const m = interactionMessages(interaction);
    if (outcome === 'cancelled') await interaction.deferUpdate();
    else if (outcome === 'not-owner') throw new UserInputError(m.cancel.notOwner);
    else throw new UserInputError(m.cancel.finished);
  },
};
