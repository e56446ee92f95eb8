import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { attachmentMeta, checkAttachment } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { submit } from '../src/discord/jobs.ts';
import { InteractionReply } from '../src/discord/replies.ts';
import { plain } from '../src/discord/texts.ts';

export const data = new SlashCommandBuilder()
  .setName('vary')
  .setDescription('Variations of an image: the same idea, drawn again')
  .addAttachmentOption((o) => o.setName('image').setDescription('A PNG, JPEG, WebP or GIF').setRequired(true))
  .addIntegerOption((o) => o.setName('count').setDescription('How many variations (default 4)').setMinValue(1).setMaxValue(4));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const image = checkAttachment(attachmentMeta(interaction.options.getAttachment('image', true)), ctx.attachments);
  submit(ctx, new InteractionReply(interaction, ctx.log), {
    kind: 'vary',
    userId: interaction.user.id,
    image: { attachment: image },
    n: interaction.options.getInteger('count') ?? 4,
    label: `vary: ${image.name}`,
    headline: `Variations of ${plain(image.name)}`,
  });
}
