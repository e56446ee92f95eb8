/** The 👍 button of a battle entry: one vote per person per battle; clicked again, the vote is taken back (castVote says which way it went). */
import { castVote } from '../battles.ts';
import type { ButtonHandler } from '../handler.ts';
import { interactionMessages } from '../i18n/index.ts';
import { replyEphemeral } from '../replies.ts';

// Built in battles.ts, which keeps its count and greys it out when a battle closes (and which this handler calls).
export { voteCustomId as customId, voteRow } from '../battles.ts';

export const vote: ButtonHandler<number> = {
  type: 'button',
  parse: ({ customId }) => {
    const match = /^battle:vote:(\d+)$/.exec(customId);
    return match ? Number(match[1]) : null;
  },
  async run(interaction, entryId, ctx) {
    const outcome = await castVote(interaction.client, ctx, entryId, interaction.user.id, 'button', interactionMessages(interaction));
    await replyEphemeral(interaction, outcome.message);
  },
};
