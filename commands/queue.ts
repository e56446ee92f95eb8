import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/discord/context.ts';
import { fitList } from '../src/discord/limits.ts';
import { NO_PINGS } from '../src/discord/replies.ts';
import { interactionMessages } from '../src/discord/i18n/index.ts';
import { holdText, plain } from '../src/discord/texts.ts';

export const data = new SlashCommandBuilder().setName('queue').setDescription('Your jobs and how long the queue is');

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const m = interactionMessages(interaction);
  const mine = ctx.queue.jobsOf(interaction.user.id);
  const lines = mine.map((j) =>
    m.queue.job(plain(j.label), j.state === 'running' ? null : (j.position ?? 0), j.state !== 'running' && j.hold ? holdText(j.hold, m) : null),
  );
  const running = ctx.queue.running ? 1 : 0;
  const summary = m.queue.summary(ctx.queue.waiting, running, ctx.queue.limits.perUser);
  await interaction.reply({
    content: mine.length ? fitList(lines, { head: [m.queue.yours], tail: [summary], more: m.andMore }) : `${m.queue.none}\n${summary}`,
    flags: MessageFlags.Ephemeral,
    allowedMentions: NO_PINGS,
  });
}
