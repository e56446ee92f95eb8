import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { validatePrompt, type PackSummary } from '../src/engine/index.ts';
import type { BotContext } from '../src/discord/context.ts';
import { submit } from '../src/discord/jobs.ts';
import { interactionMessages } from '../src/discord/i18n/index.ts';
import { InteractionReply } from '../src/discord/replies.ts';
import { requesterOf } from '../src/discord/request.ts';
import { guidanceHint, promptExample, promptHeadline, promptLimitHint } from '../src/discord/prompts.ts';
import { shortText } from '../src/discord/texts.ts';

/** The schema for the pack the bot runs: its prompt limit, an example in its world (if any), its guidance. */
export const data = (pack: PackSummary | null) =>
  new SlashCommandBuilder()
    .setName('imagine')
    .setDescription('Draw pictures from a description: a 2×2 grid, with variations one click away')
    .addStringOption((o) =>
      o.setName('prompt').setDescription(`What to draw, e.g. "${promptExample(pack)}" (${promptLimitHint(pack)})`).setRequired(true).setMaxLength(300),
    )
    .addIntegerOption((o) => o.setName('count').setDescription('How many images (default 4)').setMinValue(1).setMaxValue(4))
    .addIntegerOption((o) => o.setName('seed').setDescription('Seed, to get the same pictures again').setMinValue(0).setMaxValue(4_294_967_295))
    .addNumberOption((o) => o.setName('guidance').setDescription(`How closely to follow the prompt (${guidanceHint(pack)})`).setMinValue(0).setMaxValue(30));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const m = interactionMessages(interaction);
  const prompt = validatePrompt(interaction.options.getString('prompt', true));
  const headline = promptHeadline(ctx.engine, prompt, m);
  const n = interaction.options.getInteger('count') ?? 4;
  const seed = interaction.options.getInteger('seed');
  const guidance = interaction.options.getNumber('guidance');
  submit(ctx, new InteractionReply(interaction, ctx.log), {
    kind: 'imagine',
    ...requesterOf(interaction),
    prompt,
    n,
    ...(seed !== null ? { seed } : {}),
    ...(guidance !== null ? { guidance } : {}),
    label: m.label.imagine(shortText(prompt)),
    headline,
  });
}
