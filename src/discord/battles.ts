/**
 * Community image battles on top of the store: the battle card, votes, closing at the deadline
 * (timers rebuilt from the store at start) and the results with a podium. Entries are jobs like any
 * other (the `battle-entry` request: drawn by the processor, posted by delivery). The store decides
 * (one entry, one vote, no self-votes, close once); this module says it in Discord.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, Routes, type Client } from 'discord.js';
import type { Battle, Standing, VoteResult } from '../store/index.ts';
import type { BotContext } from './context.ts';
import { fitList, fitMessage } from './limits.ts';
import { podiumPng } from './podium.ts';
import { NO_PINGS, type ReplyPayload } from './replies.ts';
import { discordTime, quote } from './texts.ts';

/** The reaction that votes for a battle entry. */
export const VOTE_EMOJI = '👍';

export const voteCustomId = (entryId: number) => `battle:vote:${entryId}`;

/** An entry's Vote button (handlers/vote.ts answers it), greyed out once the battle is closed. */
export function voteRow(entryId: number, disabled = false) {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(voteCustomId(entryId)).setLabel('Vote').setEmoji(VOTE_EMOJI).setStyle(ButtonStyle.Primary).setDisabled(disabled),
  );
}

export const judgeText = (judge: number | null) => (judge === null ? '–' : judge.toFixed(3));

export function battleCard(battle: Battle): ReplyPayload {
  return {
    content: [
      `⚔️ **Image battle** — theme: ${quote(battle.theme)}`,
      `Ends ${discordTime(battle.endsAt, 'R')} (${discordTime(battle.endsAt, 'f')}).${battle.maxEntries ? ` At most ${battle.maxEntries} entries.` : ''}`,
      'Enter with `/battle enter prompt:…` (one entry each). Vote with 👍 or the Vote button on an entry: one vote each, not for your own; voting again moves your vote.',
      'Ties are broken by the CLIP judge: how close each picture is to the theme.',
    ].join('\n'),
  };
}

export type VoteOutcome = VoteResult & { message: string };

/**
 * A vote for an entry (button or 👍). A moved vote takes the voter's 👍 off the previous entry; a
 * refused 👍 is taken off again.
 */
export async function castVote(client: Client, ctx: BotContext, entryId: number, voterId: string, via: 'button' | 'reaction'): Promise<VoteOutcome> {
  const result = ctx.store.battles.vote(entryId, voterId);
  const entry = ctx.store.battles.entry(entryId);
  const battle = entry ? ctx.store.battles.get(entry.battleId) : null;
  const who = entry ? `<@${entry.userId}>` : 'this entry';
  if (result.ok) {
    ctx.log.info('vote', { entry: entryId, voter: voterId, moved: result.previousEntry?.id ?? null });
    const previous = result.previousEntry;
    if (previous?.messageId && battle) await removeReaction(client, ctx, battle.channelId, previous.messageId, voterId);
    return { ...result, message: previous ? `Your vote moved from <@${previous.userId}>'s entry to ${who}'s.` : `You voted for ${who}'s entry.` };
  }
  if (via === 'reaction' && result.reason !== 'same' && entry?.messageId && battle) await removeReaction(client, ctx, battle.channelId, entry.messageId, voterId);
  const message =
    result.reason === 'own-entry' ? 'You cannot vote for your own entry.' : result.reason === 'same' ? `Your vote is already on ${who}'s entry.` : 'This battle is over; votes are closed.';
  return { ...result, message };
}

async function removeReaction(client: Client, ctx: BotContext, channelId: string, messageId: string, userId: string): Promise<void> {
  try {
    await client.rest.delete(Routes.channelMessageUserReaction(channelId, messageId, encodeURIComponent(VOTE_EMOJI), userId));
  } catch (error) {
    ctx.log.debug('could not remove a reaction', { error, message: messageId });
  }
}

/** The standings as lines: rank, author, votes, judge score (and points once closed). */
export function standingLines(standings: Standing[], final: boolean): string[] {
  return standings.map(
    (s) =>
      `${['🥇', '🥈', '🥉'][s.rank - 1] ?? `${s.rank}.`} <@${s.userId}> — ${s.votes} vote${s.votes === 1 ? '' : 's'} · judge ${judgeText(s.judge)}${final && s.points ? ` · +${s.points} point${s.points === 1 ? '' : 's'}` : ''} · ${quote(s.prompt)}`,
  );
}

/** The results message: the ranking and a podium of the top three. */
export async function resultsPayload(ctx: BotContext, battle: Battle, standings: Standing[]): Promise<ReplyPayload> {
  const title = `🏆 **Results** of the battle ${quote(battle.theme)}`;
  if (!standings.length) return { content: `${title}\nNo entries: no winner this time.` };
  const content = fitList(standingLines(standings, true), { head: [title], tail: ['Ranked by votes; ties broken by the CLIP judge score.'] });
  const podium = await podiumPng(standings.slice(0, 3).map((s) => ctx.store.battles.entryImage(s.id).image));
  return { content, files: [{ attachment: podium, name: 'podium.png' }] };
}

/**
 * Closes a battle (once, whoever comes first: the deadline or /battle end) and posts its results.
 * Returns false when it was not open.
 */
export async function closeBattle(client: Client, ctx: BotContext, battleId: number): Promise<boolean> {
  clearTimeout(ctx.battleTimers.get(battleId));
  ctx.battleTimers.delete(battleId);
  const standings = ctx.store.battles.close(battleId);
  if (!standings) return false;
  ctx.log.info('battle closed', { battle: battleId, entries: standings.length });
  await announce(client, ctx, battleId);
  await disableVotes(client, ctx, battleId, standings);
  return true;
}

/** The Vote buttons of a closed battle's entries, greyed out (an entry Discord refuses to edit is logged, not fatal). */
async function disableVotes(client: Client, ctx: BotContext, battleId: number, standings: { id: number; messageId: string | null }[]): Promise<void> {
  const battle = ctx.store.battles.get(battleId);
  if (!battle) return;
  for (const s of standings) {
    if (!s.messageId) continue;
    await client.rest
      .patch(Routes.channelMessage(battle.channelId, s.messageId), { body: { components: [voteRow(s.id, true).toJSON()] } })
      .catch((error: unknown) => ctx.log.warn('could not disable a Vote button', { error, message: s.messageId }));
  }
}

/** Posts the results of a closed battle and marks it announced (again after a crash in between). */
async function announce(client: Client, ctx: BotContext, battleId: number): Promise<void> {
  const battle = ctx.store.battles.get(battleId);
  if (!battle || battle.state !== 'closed') return;
  const payload = await resultsPayload(ctx, battle, ctx.store.battles.results(battleId));
  const channel = await client.channels.fetch(battle.channelId);
  if (!channel?.isSendable()) throw new Error(`cannot post in channel ${battle.channelId}`);
  await channel.send({ ...fitMessage(payload), allowedMentions: NO_PINGS, ...(battle.messageId ? { reply: { messageReference: battle.messageId, failIfNotExists: false } } : {}) });
  ctx.store.battles.announced(battleId);
}

/** Closes the battle at its deadline (at once if it has passed). */
export function scheduleClose(client: Client, ctx: BotContext, battle: Battle): void {
  clearTimeout(ctx.battleTimers.get(battle.id));
  // setTimeout holds at most ~24.8 days; battles last at most a day.
  const delay = Math.max(0, battle.endsAt - ctx.now());
  const timer = setTimeout(() => {
    ctx.battleTimers.delete(battle.id);
    closeBattle(client, ctx, battle.id).catch((error: unknown) => ctx.log.error('could not close a battle', { error, battle: battle.id }));
  }, delay);
  timer.unref();
  ctx.battleTimers.set(battle.id, timer);
}

/** At start: deadline timers for the open battles, results for battles closed but not yet announced. */
export function restoreBattles(client: Client, ctx: BotContext): void {
  for (const battle of ctx.store.battles.inState('closed')) {
    announce(client, ctx, battle.id).catch((error: unknown) => ctx.log.error('could not announce a battle', { error, battle: battle.id }));
  }
  const open = ctx.store.battles.inState('open');
  for (const battle of open) scheduleClose(client, ctx, battle);
  if (open.length) ctx.log.info('battle timers rebuilt', { battles: open.length });
}

export function clearBattleTimers(ctx: BotContext): void {
  for (const timer of ctx.battleTimers.values()) clearTimeout(timer);
  ctx.battleTimers.clear();
}
