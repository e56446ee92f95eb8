import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { parseLabels, validateTemplate } from '../src/engine/index.ts';
import { attachmentMeta, checkAttachment } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { submit } from '../src/discord/jobs.ts';
import { MAX_LABELS } from '../src/discord/processor.ts';
import { interactionMessages } from '../src/discord/i18n/index.ts';
import { InteractionReply } from '../src/discord/replies.ts';
import { classifyRequest, requesterOf } from '../src/discord/request.ts';

export const data = new SlashCommandBuilder()
  .setName('classify')
  .setDescription('Which of your labels fits an image best (zero-shot CLIP)')
  .addAttachmentOption((o) => o.setName('image').setDescription('A PNG, JPEG, WebP or GIF').setRequired(true))
  .addStringOption((o) => o.setName('labels').setDescription(`2 to ${MAX_LABELS} labels, separated by commas: "cat, dog, a red star"`).setRequired(true).setMaxLength(2000))
  .addStringOption((o) => o.setName('template').setDescription('Sentence around each label, with {} for it: "a photo of {}"').setMaxLength(200));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const labels = parseLabels(interaction.options.getString('labels', true), MAX_LABELS);
  const template = validateTemplate(interaction.options.getString('template'));
  const image = checkAttachment(attachmentMeta(interaction.options.getAttachment('image', true)), ctx.attachments, undefined, interactionMessages(interaction));
  submit(ctx, new InteractionReply(interaction, ctx.log), classifyRequest(requesterOf(interaction), image, labels, template));
}
