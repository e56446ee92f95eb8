/** The Vote button of a battle entry: one vote per person per battle (castVote says which way it went). */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import { castVote, VOTE_EMOJI } from '../battles.ts';
import type { ButtonHandler } from '../handler.ts';
import { replyEphemeral } from '../replies.ts';

export const customId = (entryId: number) => `battle:vote:${entryId}`;

export function voteRow(entryId: number) {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(customId(entryId)).setLabel('Vote').setEmoji(VOTE_EMOJI).setStyle(ButtonStyle.Primary),
  );
}

export const vote: ButtonHandler<number> = {
  type: 'button',
  parse: ({ customId }) => {
    const match = /^battle:vote:(\d+)$/.exec(customId);
    return match ? Number(match[1]) : null;
  },
  async run(interaction, entryId, ctx) {
    const outcome = await castVote(interaction.client, ctx, entryId, interaction.user.id, 'button');
    await replyEphemeral(interaction, outcome.message);
  },
};
