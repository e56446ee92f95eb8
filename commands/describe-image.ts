import { ApplicationCommandType, ContextMenuCommandBuilder, type MessageContextMenuCommandInteraction } from 'discord.js';
import { attachmentMeta, checkAttachment } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { submit } from '../src/discord/jobs.ts';
import { interactionMessages } from '../src/discord/i18n/index.ts';
import { InteractionReply } from '../src/discord/replies.ts';
import { describeRequest, requesterOf } from '../src/discord/request.ts';
import { imageOfMessage } from './classify-image.ts';

/** Right-click a message → Apps → "Describe image": /describe on the image of that message. */
export const data = new ContextMenuCommandBuilder().setName('Describe image').setType(ApplicationCommandType.Message);

export async function execute(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<void> {
  const m = interactionMessages(interaction);
  const image = checkAttachment(attachmentMeta(imageOfMessage(interaction.targetMessage, m)), ctx.attachments, undefined, m);
  submit(ctx, new InteractionReply(interaction, ctx.log), describeRequest(requesterOf(interaction), image, 5));
}
