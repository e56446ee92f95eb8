import {
  ActionRowBuilder,
  ApplicationCommandType,
  ContextMenuCommandBuilder,
  MessageFlags,
  ModalBuilder,
  TextInputBuilder,
  TextInputStyle,
  type MessageContextMenuCommandInteraction,
} from 'discord.js';
import { UserInputError } from '../src/engine/index.ts';
import { checkAttachment } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { customIds } from '../src/discord/custom-ids.ts';
import { NO_PINGS } from '../src/discord/replies.ts';

/** Right-click a message → Apps → "Classify image": asks for labels in a modal (answered by the router). */
export const data = new ContextMenuCommandBuilder().setName('Classify image').setType(ApplicationCommandType.Message);

export async function execute(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<void> {
  const attachments = [...interaction.targetMessage.attachments.values()];
  const found = attachments.find((a) => a.contentType?.startsWith('image/')) ?? attachments[0];
  if (!found) {
    await interaction.reply({ content: 'That message has no image attached: use this on a message with an image.', flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
    return;
  }
  const image = { name: found.name, url: found.url, size: found.size, contentType: found.contentType };
  try {
    checkAttachment(image, ctx.attachments);
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error;
    await interaction.reply({ content: error.message, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
    return;
  }
  ctx.pendingClassify.set(interaction.id, image);
  setTimeout(() => ctx.pendingClassify.delete(interaction.id), 15 * 60_000).unref();
  await interaction.showModal(
    new ModalBuilder()
      .setCustomId(customIds.classifyLabels(interaction.id))
      .setTitle('Classify image')
      .addComponents(
        new ActionRowBuilder<TextInputBuilder>().addComponents(
          new TextInputBuilder().setCustomId('labels').setLabel('Labels, separated by commas').setPlaceholder('cat, dog, a red star').setStyle(TextInputStyle.Paragraph).setRequired(true).setMaxLength(2000),
        ),
        new ActionRowBuilder<TextInputBuilder>().addComponents(
          new TextInputBuilder().setCustomId('template').setLabel('Template (optional), {} is the label').setPlaceholder('a photo of {}').setStyle(TextInputStyle.Short).setRequired(false).setMaxLength(200),
        ),
      ),
  );
}
