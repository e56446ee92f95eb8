/**
 * 👍 on a battle entry: counted as a click on its 👍 button (one vote each; a 👍 on the entry one
 * already voted for keeps the vote), then taken off, so the button's number is the only count shown.
 */
import { castVote, VOTE_EMOJI } from '../battles.ts';
import type { ReactionHandler } from '../handler.ts';

export const voteReaction: ReactionHandler<true> = {
  type: 'reaction-add',
  parse: ({ emoji }) => (emoji === VOTE_EMOJI ? true : null),
  async run(reaction, _parsed, ctx) {
    const entry = ctx.store.battles.entryByMessage(reaction.messageId);
    if (!entry) return;
    const outcome = await castVote(reaction.client, ctx, entry.id, reaction.userId, 'reaction');
    ctx.log.info('vote by reaction', { entry: entry.id, voter: reaction.userId, ok: outcome.ok });
  },
};
