/**
 * The router on its own: commands by name, buttons and modals to the first handler that parses
 * them, a UserInputError answered once and ephemerally, anything else "something went wrong" and a
 * log line; reactions to their handlers, whose refusals are only logged (a reaction has no one to answer).
 */
import { describe, expect, it } from 'vitest';
import { Collection, MessageFlags, type Interaction } from 'discord.js';
import { UserInputError } from '../../src/engine/index.ts';
import type { Command } from '../../src/discord/commands.ts';
import type { Handler, ReactionEvent } from '../../src/discord/handler.ts';
import { onInteraction, onReaction, UNKNOWN_BUTTON, UNKNOWN_COMMAND } from '../../src/discord/router.ts';
import { SeenInteractions } from '../../src/discord/seen-interactions.ts';
import { SOMETHING_WENT_WRONG } from '../../src/discord/texts.ts';
import { testContext } from './fakes.ts';

type Sent = { how: 'reply' | 'followUp'; content: string; ephemeral: boolean };

let nextId = 1;

/** An interaction as discord.js hands it over (a new id each), recording what the bot answers. */
function interaction(kind: 'command' | 'button' | 'modal', fields: Record<string, unknown> = {}) {
  const sent: Sent[] = [];
  const record = (how: Sent['how']) => async (o: { content: string; flags?: number }) => {
    sent.push({ how, content: o.content, ephemeral: ((o.flags ?? 0) & MessageFlags.Ephemeral) !== 0 });
    if (how === 'reply') i.replied = true;
  };
  const i = {
    id: `i${nextId++}`,
    user: { id: 'alice' },
    channelId: 'c',
    guildId: 'g',
    deferred: false,
    replied: false,
    isChatInputCommand: () => kind === 'command',
    isMessageContextMenuCommand: () => false,
    isButton: () => kind === 'button',
    isModalSubmit: () => kind === 'modal',
    isRepliable: () => true,
    reply: record('reply'),
    followUp: record('followUp'),
    ...fields,
  };
  return { interaction: i as unknown as Interaction, sent };
}

const command = (execute: Command['execute']): Collection<string, Command> => new Collection([['imagine', { data: { name: 'imagine', toJSON: () => ({ name: 'imagine' }) as never }, execute }]]);
const idle = () => testContext(async () => { throw new Error('not run here'); });

describe('router: interactions', () => {
  it('a UserInputError from a command is answered once, ephemerally, with its message', async () => {
    const ctx = idle();
    const { interaction: i, sent } = interaction('command', { commandName: 'imagine' });
    await onInteraction(i, ctx, command(async () => { throw new UserInputError('The prompt is empty.'); }), []);
    expect(sent).toEqual([{ how: 'reply', content: 'The prompt is empty.', ephemeral: true }]);
    expect(ctx.lines.filter((l) => l['level'] === 'error')).toEqual([]);
  });

  it('an unexpected error is "something went wrong" for the user and an error in the log; unknown commands and buttons say so', async () => {
    const ctx = idle();
    const boom = interaction('command', { commandName: 'imagine' });
    await onInteraction(boom.interaction, ctx, command(async () => { throw new Error('database is locked'); }), []);
    expect(boom.sent).toEqual([{ how: 'reply', content: SOMETHING_WENT_WRONG, ephemeral: true }]);
    expect(ctx.lines.find((l) => l['level'] === 'error')).toMatchObject({ msg: 'interaction handler failed' });

    const unknown = interaction('command', { commandName: 'paint' });
    await onInteraction(unknown.interaction, ctx, command(async () => {}), []);
    expect(unknown.sent).toEqual([{ how: 'reply', content: UNKNOWN_COMMAND, ephemeral: true }]);

    const oldButton = interaction('button', { customId: 'gen:zoom:2' });
    await onInteraction(oldButton.interaction, ctx, new Collection(), []);
    expect(oldButton.sent).toEqual([{ how: 'reply', content: UNKNOWN_BUTTON, ephemeral: true }]);
    const oldModal = interaction('modal', { customId: 'old:form' });
    await onInteraction(oldModal.interaction, ctx, new Collection(), []);
    expect(oldModal.sent).toEqual([]);
  });

  it('asks the handlers of the interaction’s type in order and runs the first that parses it, with what it parsed', async () => {
    const ctx = idle();
    const ran: string[] = [];
    const handlers: Handler[] = [
      { type: 'modal', parse: () => 'modal', run: async () => void ran.push('modal') },
      { type: 'button', parse: ({ customId }) => (customId.startsWith('a:') ? customId.slice(2) : null), run: async (_i, p) => void ran.push(`a ${String(p)}`) },
      { type: 'button', parse: () => 'any', run: async (_i, p) => void ran.push(`b ${String(p)}`) },
    ];
    await onInteraction(interaction('button', { customId: 'a:7' }).interaction, ctx, new Collection(), handlers);
    await onInteraction(interaction('button', { customId: 'z' }).interaction, ctx, new Collection(), handlers);
    expect(ran).toEqual(['a 7', 'b any']);
  });

  it('a handler’s UserInputError after the interaction was acknowledged goes to a follow-up only the user sees', async () => {
    const ctx = idle();
    const { interaction: i, sent } = interaction('button', { customId: 'x', deferred: true, deleteReply: async () => {} });
    Object.defineProperty(i, 'createdTimestamp', { value: Date.now() });
    await onInteraction(i, ctx, new Collection(), [{ type: 'button', parse: () => true, run: async () => { throw new UserInputError('Only the person who asked for this job can cancel it.'); } }]);
    expect(sent).toEqual([{ how: 'followUp', content: 'Only the person who asked for this job can cancel it.', ephemeral: true }]);
  });
});

describe('router: the same interaction dispatched twice', () => {
  it('runs its command once; the repeat is logged and answered by nothing', async () => {
    const ctx = idle();
    let runs = 0;
    const { interaction: i, sent } = interaction('command', { commandName: 'imagine' });
    const commands = command(async (again) => {
      runs++;
      await (again as unknown as { reply(o: object): Promise<void> }).reply({ content: 'on it' });
    });
    await onInteraction(i, ctx, commands, []);
    await onInteraction(i, ctx, commands, []);
    expect(runs).toBe(1);
    expect(sent).toEqual([{ how: 'reply', content: 'on it', ephemeral: false }]);
    expect(ctx.lines.find((l) => l['msg'] === 'interaction dispatched again; already handled')).toMatchObject({ level: 'warn', interaction: (i as { id: string }).id });
  });

  it('forgets an id after the ttl (15 minutes, an interaction’s whole life)', () => {
    let now = 0;
    const seen = new SeenInteractions(15 * 60_000, () => now);
    expect(seen.first('a')).toBe(true);
    expect(seen.first('a')).toBe(false);
    now = 15 * 60_000;
    expect(seen.first('b')).toBe(true);
    expect(seen.first('a')).toBe(true);
  });
});

describe('router: reactions', () => {
  const event = (emoji: string): ReactionEvent => ({ client: null as never, emoji, userId: 'bob', messageId: 'm', channelId: 'c', guildId: 'g' });

  it('runs the handler for the emoji and of the right direction; a refusal or failure is logged, never thrown', async () => {
    const ctx = idle();
    const ran: string[] = [];
    const handlers: Handler[] = [
      { type: 'reaction-remove', parse: ({ emoji }) => (emoji === '👍' ? true : null), run: async () => void ran.push('removed') },
      { type: 'reaction-add', parse: ({ emoji }) => (emoji === '👍' ? true : null), run: async () => void ran.push('added') },
      { type: 'reaction-add', parse: ({ emoji }) => (emoji === '❌' ? true : null), run: async () => { throw new UserInputError('no'); } },
      { type: 'reaction-add', parse: ({ emoji }) => (emoji === '💥' ? true : null), run: async () => { throw new Error('boom'); } },
    ];
    await onReaction('reaction-add', event('👍'), ctx, handlers);
    await onReaction('reaction-remove', event('👍'), ctx, handlers);
    await onReaction('reaction-add', event('🙂'), ctx, handlers);
    await expect(onReaction('reaction-add', event('❌'), ctx, handlers)).resolves.toBeUndefined();
    await expect(onReaction('reaction-add', event('💥'), ctx, handlers)).resolves.toBeUndefined();
    expect(ran).toEqual(['added', 'removed']);
    expect(ctx.lines.map((l) => [l['level'], l['msg']])).toEqual([
      ['info', 'reaction refused'],
      ['error', 'reaction handler failed'],
    ]);
  });
});
