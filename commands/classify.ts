import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { parseLabels, UserInputError } from '../src/engine/index.ts';
import { checkAttachment } from '../src/discord/attachments.ts';
import { MAX_LABELS, startClassify } from '../src/discord/classify.ts';
import type { BotContext } from '../src/discord/context.ts';
import { InteractionReply } from '../src/discord/replies.ts';

export const data = new SlashCommandBuilder()
  .setName('classify')
  .setDescription('Which of your labels fits an image best (zero-shot CLIP)')
  .addAttachmentOption((o) => o.setName('image').setDescription('A PNG, JPEG, WebP or GIF').setRequired(true))
  .addStringOption((o) => o.setName('labels').setDescription('2 to 20 labels, separated by commas: "cat, dog, a red star"').setRequired(true).setMaxLength(2000))
  .addStringOption((o) => o.setName('template').setDescription('Sentence around each label, with {} for it: "a photo of {}"').setMaxLength(200));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const reply = new InteractionReply(interaction, ctx.log);
  const a = interaction.options.getAttachment('image', true);
  const image = { name: a.name, url: a.url, size: a.size, contentType: a.contentType };
  const template = interaction.options.getString('template');
  let labels: string[];
  try {
    labels = parseLabels(interaction.options.getString('labels', true), MAX_LABELS);
    if (template !== null && !template.includes('{}')) throw new UserInputError('The template must contain {} where the label goes, e.g. "a photo of {}".');
    checkAttachment(image, ctx.attachments);
  } catch (error) {
    if (error instanceof UserInputError) return reply.userError(error.message);
    throw error;
  }
  startClassify(ctx, reply, { userId: interaction.user.id, image, labels, template }, () => reply.begin());
}
