/** 👍 on a battle entry: a vote, as with its Vote button (a refused 👍 is taken off again). */
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
