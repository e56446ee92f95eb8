/** 1️⃣–4️⃣ on a result (🔁 on a single image): variations of that cell, posted in the channel for whoever reacted. */
import type { ReactionHandler } from '../handler.ts';
import { variationsOf } from '../request.ts';

/** The reactions that ask for variations of a cell: 1️⃣–4️⃣, and 🔁 on a single image. */
export const CELL_EMOJIS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣'];
export const AGAIN_EMOJI = '🔁';

export function cellForReaction(emoji: string, cells: number): number | null {
  if (emoji === AGAIN_EMOJI && cells === 1) return 0;
  const i = CELL_EMOJIS.indexOf(emoji);
  return i >= 0 && i < cells ? i : null;
}

/** The reactions the bot adds under a result of `cells` images. */
export function reactionsFor(cells: number): string[] {
  return cells === 1 ? [AGAIN_EMOJI] : CELL_EMOJIS.slice(0, cells);
}

export const cellReaction: ReactionHandler<string> = {
  type: 'reaction-add',
  parse: ({ emoji }) => (emoji === AGAIN_EMOJI || CELL_EMOJIS.includes(emoji) ? emoji : null),
  async run(reaction, emoji, ctx) {
    const stored = ctx.store.generations.get(reaction.messageId);
    if (!stored) return;
    const cell = cellForReaction(emoji, stored.embeddings.length);
    if (cell === null) return;
    ctx.log.info('reaction', { emoji, user: reaction.userId, message: reaction.messageId });
    return variationsOf(stored, cell, { userId: reaction.userId, locale: reaction.locale ?? 'en' });
  },
};
