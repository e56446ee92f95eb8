import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { UserInputError } from '../src/engine/index.ts';
import { checkAttachment, type AttachmentMeta } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { startGeneration } from '../src/discord/generation.ts';
import { InteractionReply } from '../src/discord/replies.ts';

export const data = new SlashCommandBuilder()
  .setName('blend')
  .setDescription('Blend two images: a picture between them')
  .addAttachmentOption((o) => o.setName('first').setDescription('The first image').setRequired(true))
  .addAttachmentOption((o) => o.setName('second').setDescription('The second image').setRequired(true))
  .addIntegerOption((o) => o.setName('ratio').setDescription('Percent of the first image (default 50)').setMinValue(0).setMaxValue(100))
  .addBooleanOption((o) => o.setName('animate').setDescription('Also an animation walking from the first to the second'));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const reply = new InteractionReply(interaction, ctx.log);
  const metas: AttachmentMeta[] = (['first', 'second'] as const).map((name) => {
    const a = interaction.options.getAttachment(name, true);
    return { name: a.name, url: a.url, size: a.size, contentType: a.contentType };
  });
  const what = ['The first image', 'The second image'];
  try {
    metas.forEach((m, i) => checkAttachment(m, ctx.attachments, what[i]));
  } catch (error) {
    if (error instanceof UserInputError) return reply.userError(error.message);
    throw error;
  }
  const ratio = interaction.options.getInteger('ratio') ?? 50;
  const animate = interaction.options.getBoolean('animate') ?? false;
  startGeneration(
    ctx,
    reply,
    {
      userId: interaction.user.id,
      request: { kind: 'blend', first: { attachment: metas[0]! }, second: { attachment: metas[1]! }, ratio, animate },
      label: `blend ${ratio}%`,
      headline: `Blend: ${ratio} % of the first image, ${100 - ratio} % of the second`,
    },
    () => reply.begin(),
  );
}
