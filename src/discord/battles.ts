/**
 * Community image battles on top of the store: the battle card, votes, closing at the deadline
 * (timers rebuilt from the store at start) and the results with a podium. Entries are jobs like any
 * other (the `battle-entry` request: drawn by the processor, posted by delivery). The store decides
 * (one entry, one vote, no self-votes, close once); this module says it in Discord. The votes people
 * see are one number, on each entry's 👍 button, kept equal to the votes the store counts.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, Routes, type Client } from 'discord.js';
import type { Battle, Standing, VoteResult } from '../store/index.ts';
import type { BotContext } from './context.ts';
import { fitList, fitMessage } from './limits.ts';
import { podiumPng } from './podium.ts';
import { NO_PINGS, type ReplyPayload } from './replies.ts';
import { en, messagesFor, type Messages } from './i18n/index.ts';
import { discordTime, quote } from './texts.ts';

/** The emoji of an entry's vote button; a 👍 reaction on an entry is taken as a click on it. */
export const VOTE_EMOJI = '👍';

export const voteCustomId = (entryId: number) => `battle:vote:${entryId}`;

/**
 * An entry's 👍 button (handlers/vote.ts answers it), labelled with the votes it has: the one count
 * people see. Greyed out once the battle is closed.
 */
export function voteRow(entryId: number, votes = 0, disabled = false) {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(voteCustomId(entryId)).setLabel(String(votes)).setEmoji(VOTE_EMOJI).setStyle(ButtonStyle.Primary).setDisabled(disabled),
  );
}

/** A judge score with `decimals` decimals (3 unless two scores need more to tell them apart). */
export const judgeText = (judge: number | null, decimals = 3) => (judge === null ? '–' : judge.toFixed(decimals));

/**
 * The decimals that tell apart the judge scores of entries with as many votes (the ties the judge
 * breaks): 3, or more (at most 6) when two differ only further on. Good entries crowd into a narrow
 * band of scores (see README, Battles), so two different pictures often share the first three.
 */
export function judgeDecimals(standings: Pick<Standing, 'votes' | 'judge'>[]): number {
  const byVotes = new Map<number, Set<number>>();
  for (const s of standings) if (s.judge !== null) byVotes.set(s.votes, (byVotes.get(s.votes) ?? new Set()).add(s.judge));
  let decimals = 3;
  for (const judges of byVotes.values()) {
    while (decimals < 6 && new Set([...judges].map((j) => j.toFixed(decimals))).size < judges.size) decimals++;
  }
  return decimals;
}

export function battleCard(battle: Battle, m: Messages = en): ReplyPayload {
  return { content: m.battle.card(quote(battle.theme), discordTime(battle.endsAt, 'R'), discordTime(battle.endsAt, 'f'), battle.maxEntries) };
}

/** The texts of a battle's public messages: the language it was started in (English for one from before languages). */
export const battleMessages = (battle: Battle): Messages => messagesFor(battle.locale === 'fr' ? 'fr' : 'en');

export type VoteOutcome = VoteResult & { message: string };

/**
 * A vote for an entry, by its button or a 👍 reaction: one vote per person, counted by the store and
 * shown as the number on the entries' buttons. Clicking the button of the entry one voted for takes
 * the vote back. A 👍 reaction is taken off once it is counted (or refused), so the only count on the
 * message is the button's (Discord's reaction counter cannot include votes cast by button).
 */
export async function castVote(client: Client, ctx: BotContext, entryId: number, voterId: string, via: 'button' | 'reaction', m: Messages = en): Promise<VoteOutcome> {
  const result = ctx.store.battles.vote(entryId, voterId);
  const entry = ctx.store.battles.entry(entryId);
  const battle = entry ? ctx.store.battles.get(entry.battleId) : null;
  const who = entry ? `<@${entry.userId}>` : m.battle.thisEntry;
  if (via === 'reaction' && entry?.messageId && battle) await removeReaction(client, ctx, battle.channelId, entry.messageId, voterId);
  if (result.ok) {
    ctx.log.info('vote', { entry: entryId, voter: voterId, moved: result.previousEntry?.id ?? null, via });
    const previous = result.previousEntry;
    // Not awaited: a button's answer is due within 3 s, whatever Discord's rate limits do to the edits.
    void refreshVotes(client, ctx, entryId);
    if (previous) void refreshVotes(client, ctx, previous.id);
    return { ...result, message: previous ? m.battle.moved(`<@${previous.userId}>`, who) : m.battle.voted(who) };
  }
  if (result.reason === 'same' && via === 'button' && ctx.store.battles.unvote(entryId, voterId)) {
    ctx.log.info('vote taken back', { entry: entryId, voter: voterId });
    void refreshVotes(client, ctx, entryId);
    return { ...result, message: m.battle.takenBack(who) };
  }
  const message = result.reason === 'own-entry' ? m.battle.ownEntry : result.reason === 'same' ? m.battle.yourVote(who) : m.battle.votesClosed;
  return { ...result, message };
}

async function removeReaction(client: Client, ctx: BotContext, channelId: string, messageId: string, userId: string): Promise<void> {
  try {
    await client.rest.delete(Routes.channelMessageUserReaction(channelId, messageId, encodeURIComponent(VOTE_EMOJI), userId));
  } catch (error) {
    ctx.log.debug('could not remove a reaction', { error, message: messageId });
  }
}

/** Per entry: the button edit in flight, and whether another is due after it (votes are coalesced: the edit reads the count when it is sent). */
const refreshing = new WeakMap<BotContext, Map<number, { done: Promise<void>; again: boolean }>>();

/** Sets an entry's 👍 button to the votes it has now (and greyed out once closed). Edits of one entry never overtake each other. */
export function refreshVotes(client: Client, ctx: BotContext, entryId: number): Promise<void> {
  let pending = refreshing.get(ctx);
  if (!pending) refreshing.set(ctx, (pending = new Map()));
  const current = pending.get(entryId);
  if (current) {
    current.again = true;
    return current.done;
  }
  const state = { done: Promise.resolve(), again: true };
  state.done = (async () => {
    while (state.again) {
      state.again = false;
      const entry = ctx.store.battles.entry(entryId);
      const battle = entry ? ctx.store.battles.get(entry.battleId) : null;
      if (!entry?.messageId || !battle) break;
      const row = voteRow(entryId, ctx.store.battles.entryVotes(entryId), battle.state !== 'open');
      await client.rest
        .patch(Routes.channelMessage(battle.channelId, entry.messageId), { body: { components: [row.toJSON()] } })
        .catch((error: unknown) => ctx.log.warn('could not show the votes on an entry', { error, message: entry.messageId }));
    }
  })().finally(() => pending.delete(entryId));
  pending.set(entryId, state);
  return state.done;
}

/** The standings as lines: rank, author, votes, judge score (and points once closed). */
export function standingLines(standings: Standing[], final: boolean, m: Messages = en): string[] {
  const decimals = judgeDecimals(standings);
  return standings.map((s) =>
    m.battle.standing(['🥇', '🥈', '🥉'][s.rank - 1] ?? `${s.rank}.`, `<@${s.userId}>`, s.votes, judgeText(s.judge, decimals), final ? s.points : null, quote(s.prompt)),
  );
}

/** The results message: the ranking and a podium of the top three. */
export async function resultsPayload(ctx: BotContext, battle: Battle, standings: Standing[]): Promise<ReplyPayload> {
  const m = battleMessages(battle);
  const title = m.battle.results(quote(battle.theme));
  if (!standings.length) return { content: `${title}\n${m.battle.noEntriesResult}` };
  const content = fitList(standingLines(standings, true, m), { head: [title], tail: [m.battle.ranked], more: m.andMore });
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
  await disableVotes(client, ctx, standings);
  return true;
}

/** The 👍 buttons of a closed battle's entries, greyed out with their final counts (an entry Discord refuses to edit is logged, not fatal). */
async function disableVotes(client: Client, ctx: BotContext, standings: { id: number; messageId: string | null }[]): Promise<void> {
  for (const s of standings) if (s.messageId) await refreshVotes(client, ctx, s.id);
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
