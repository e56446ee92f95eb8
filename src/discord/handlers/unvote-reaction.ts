/** A 👍 taken off a battle entry takes the vote back (if it was still there). */
import { VOTE_EMOJI } from '../battles.ts';
import type { ReactionHandler } from '../handler.ts';

export const unvoteReaction: ReactionHandler<true> = {
  type: 'reaction-remove',
  parse: ({ emoji }) => (emoji === VOTE_EMOJI ? true : null),
  async run(reaction, _parsed, ctx) {
    const entry = ctx.store.battles.entryByMessage(reaction.messageId);
    if (entry && ctx.store.battles.unvote(entry.id, reaction.userId)) ctx.log.info('vote taken back', { entry: entry.id, voter: reaction.userId });
  },
};
