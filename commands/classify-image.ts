import { ApplicationCommandType, ContextMenuCommandBuilder, type Attachment, type Message, type MessageContextMenuCommandInteraction } from 'discord.js';
import { UserInputError } from '../src/engine/index.ts';
import { attachmentMeta, checkAttachment } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { labelsModal } from '../src/discord/handlers/classify-labels.ts';
import { en, interactionMessages, type Messages } from '../src/discord/i18n/index.ts';

/** Right-click a message → Apps → "Classify image": asks for labels in a modal (handlers/classify-labels.ts answers it). */
export const data = new ContextMenuCommandBuilder().setName('Classify image').setType(ApplicationCommandType.Message);

/** The image a message menu works on: the message's first image attachment (or its first attachment). */
export function imageOfMessage(message: Message, m: Messages = en): Attachment {
  const attachments = [...message.attachments.values()];
  const found = attachments.find((a) => a.contentType?.startsWith('image/')) ?? attachments[0];
  if (!found) throw new UserInputError(m.noImageInMessage);
  return found;
}

export async function execute(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<void> {
  const m = interactionMessages(interaction);
  const image = checkAttachment(attachmentMeta(imageOfMessage(interaction.targetMessage, m)), ctx.attachments, undefined, m);
  // A result grid of the bot's (known by its message id) is classified cell by cell.
  const cells = ctx.store.generations.get(interaction.targetMessage.id)?.embeddings.length ?? 1;
  ctx.pendingClassify.set(interaction.id, cells > 1 ? { ...image, cells } : image);
  setTimeout(() => ctx.pendingClassify.delete(interaction.id), 15 * 60_000).unref();
  await interaction.showModal(labelsModal(interaction.id, m));
}
