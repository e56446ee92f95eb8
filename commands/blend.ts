import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { attachmentMeta, checkAttachment } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { submit } from '../src/discord/jobs.ts';
import { InteractionReply } from '../src/discord/replies.ts';

export const data = new SlashCommandBuilder()
  .setName('blend')
  .setDescription('Blend two images: a picture between them')
  .addAttachmentOption((o) => o.setName('first').setDescription('The first image').setRequired(true))
  .addAttachmentOption((o) => o.setName('second').setDescription('The second image').setRequired(true))
  .addIntegerOption((o) => o.setName('ratio').setDescription('Percent of the first image (default 50)').setMinValue(0).setMaxValue(100))
  .addBooleanOption((o) => o.setName('animate').setDescription('Also an animation walking from the first to the second'));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const first = checkAttachment(attachmentMeta(interaction.options.getAttachment('first', true)), ctx.attachments, 'The first image');
  const second = checkAttachment(attachmentMeta(interaction.options.getAttachment('second', true)), ctx.attachments, 'The second image');
  const ratio = interaction.options.getInteger('ratio') ?? 50;
  const animate = interaction.options.getBoolean('animate') ?? false;
  submit(ctx, new InteractionReply(interaction, ctx.log), {
    kind: 'blend',
    userId: interaction.user.id,
    first: { attachment: first },
    second: { attachment: second },
    ratio,
    animate,
    label: `blend ${ratio}%`,
    headline: `Blend: ${ratio} % of the first image, ${100 - ratio} % of the second`,
  });
}
