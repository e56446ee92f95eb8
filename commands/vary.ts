import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { UserInputError } from '../src/engine/index.ts';
import { checkAttachment } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { startGeneration } from '../src/discord/generation.ts';
import { InteractionReply } from '../src/discord/replies.ts';

export const data = new SlashCommandBuilder()
  .setName('vary')
  .setDescription('Variations of an image: the same idea, drawn again')
  .addAttachmentOption((o) => o.setName('image').setDescription('A PNG, JPEG, WebP or GIF').setRequired(true))
  .addIntegerOption((o) => o.setName('count').setDescription('How many variations (default 4)').setMinValue(1).setMaxValue(4));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const reply = new InteractionReply(interaction, ctx.log);
  const attachment = interaction.options.getAttachment('image', true);
  const meta = { name: attachment.name, url: attachment.url, size: attachment.size, contentType: attachment.contentType };
  try {
    checkAttachment(meta, ctx.attachments);
  } catch (error) {
    if (error instanceof UserInputError) return reply.userError(error.message);
    throw error;
  }
  startGeneration(
    ctx,
    reply,
    {
      userId: interaction.user.id,
      request: { kind: 'vary', image: { attachment: meta }, n: interaction.options.getInteger('count') ?? 4 },
      label: `vary: ${attachment.name}`,
      headline: `Variations of ${attachment.name.replace(/[*_`~|]/g, '')}`,
    },
    () => reply.begin(),
  );
}
