import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { attachmentMeta, checkAttachment } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { submit } from '../src/discord/jobs.ts';
import { interactionMessages } from '../src/discord/i18n/index.ts';
import { InteractionReply } from '../src/discord/replies.ts';
import { describeRequest, requesterOf } from '../src/discord/request.ts';

/** /describe image [count]: the captions of the model's world that CLIP ranks highest for the image. */
export const data = new SlashCommandBuilder()
  .setName('describe')
  .setDescription('The captions CLIP finds best for an image, with their scores')
  .addAttachmentOption((o) => o.setName('image').setDescription('A PNG, JPEG, WebP or GIF').setRequired(true))
  .addIntegerOption((o) => o.setName('count').setDescription('How many captions (default 5)').setMinValue(1).setMaxValue(20));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const image = checkAttachment(attachmentMeta(interaction.options.getAttachment('image', true)), ctx.attachments, undefined, interactionMessages(interaction));
  submit(ctx, new InteractionReply(interaction, ctx.log), describeRequest(requesterOf(interaction), image, interaction.options.getInteger('count') ?? 5));
}
