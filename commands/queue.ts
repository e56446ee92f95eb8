import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/discord/context.ts';
import { fitList } from '../src/discord/limits.ts';
import { NO_PINGS } from '../src/discord/replies.ts';
import { holdText, plain } from '../src/discord/texts.ts';

export const data = new SlashCommandBuilder().setName('queue').setDescription('Your jobs and how long the queue is');

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const mine = ctx.queue.jobsOf(interaction.user.id);
  const lines = mine.map((j) => `• ${plain(j.label)}: ${j.state === 'running' ? 'running now' : `position ${j.position}${j.hold ? `. ${holdText(j.hold)}` : ''}`}`);
  const running = ctx.queue.running ? 1 : 0;
  const summary = `Queue: ${ctx.queue.waiting} waiting, ${running} running (at most ${ctx.queue.limits.perUser} per person).`;
  await interaction.reply({
    content: mine.length ? fitList(lines, { head: ['Your jobs:'], tail: [summary] }) : `You have no jobs in the queue.\n${summary}`,
    flags: MessageFlags.Ephemeral,
    allowedMentions: NO_PINGS,
  });
}
