import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { UserInputError } from '../src/engine/index.ts';
import { checkAttachment, downloadAttachment, type AttachmentMeta } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { generateOptions, startGeneration } from '../src/discord/generation.ts';
import { InteractionReply } from '../src/discord/replies.ts';

export const data = new SlashCommandBuilder()
  .setName('blend')
  .setDescription('Blend two images: a picture between them')
  .addAttachmentOption((o) => o.setName('first').setDescription('The first image').setRequired(true))
  .addAttachmentOption((o) => o.setName('second').setDescription('The second image').setRequired(true))
  .addIntegerOption((o) => o.setName('ratio').setDescription('Percent of the first image (default 50)').setMinValue(0).setMaxValue(100))
  .addBooleanOption((o) => o.setName('animate').setDescription('Also an animation walking from the first to the second'));

export const ANIMATION_FRAMES = 12;

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
  const downloads = metas.map((m, i) => downloadAttachment(m, ctx.attachments, what[i]));
  downloads.forEach((d) => d.catch(() => {}));
  const ratio = interaction.options.getInteger('ratio') ?? 50;
  const animate = interaction.options.getBoolean('animate') ?? false;
  startGeneration(
    ctx,
    reply,
    {
      userId: interaction.user.id,
      kind: 'blend',
      prompt: null,
      label: `blend ${ratio}%`,
      headline: `Blend: ${ratio} % of the first image, ${100 - ratio} % of the second`,
      run: async (opts) => {
        const [first, second] = await Promise.all(downloads);
        const result = await ctx.engine.blend(first!, second!, { ...generateOptions(ctx, { ...opts, n: 1 }), ratio, frames: animate ? ANIMATION_FRAMES : 1 });
        return { ...result, source: result.blended };
      },
    },
    () => reply.begin(),
  );
}
