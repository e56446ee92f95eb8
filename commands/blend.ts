import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { UserInputError, validatePrompt, type PackSummary } from '../src/engine/index.ts';
import { checkPromptTokens } from '../src/engine/vocabulary.ts';
import { attachmentMeta, checkAttachment } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { submit } from '../src/discord/jobs.ts';
import { interactionMessages, type Messages } from '../src/discord/i18n/index.ts';
import { InteractionReply } from '../src/discord/replies.ts';
import { promptExample, promptLimitHint } from '../src/discord/prompts.ts';
import { requesterOf, type ImageSource } from '../src/discord/request.ts';
import { quote } from '../src/discord/texts.ts';

/** /blend: two images, or texts in place of either (the prior's image embedding for the text), mixed by slerp. */
export const data = (pack: PackSummary | null) =>
  new SlashCommandBuilder()
    .setName('blend')
    .setDescription('Blend two images (or texts): a picture between them')
    .addAttachmentOption((o) => o.setName('first').setDescription('The first image (or give first_text)'))
    .addAttachmentOption((o) => o.setName('second').setDescription('The second image (or give second_text)'))
    .addStringOption((o) => o.setName('first_text').setDescription(`A text in place of the first image, e.g. "${promptExample(pack, true)}"`).setMaxLength(300))
    .addStringOption((o) => o.setName('second_text').setDescription(`A text in place of the second image (${promptLimitHint(pack)})`).setMaxLength(300))
    .addIntegerOption((o) => o.setName('ratio').setDescription('Percent of the first (default 50)').setMinValue(0).setMaxValue(100))
    .addBooleanOption((o) => o.setName('animate').setDescription('Also an animation walking from the first to the second'));

/** One side of the blend: its image or its text, exactly one of them. */
function sideOf(interaction: ChatInputCommandInteraction, ctx: BotContext, which: 'first' | 'second', m: Messages): { source: ImageSource; name: string } {
  const attachment = interaction.options.getAttachment(which);
  const text = interaction.options.getString(`${which}_text`);
  if (attachment && text !== null) throw new UserInputError(m.blend.both(which));
  if (text !== null) {
    const prompt = validatePrompt(text, `${which}_text`);
    // Over the model's token limit: refused now (a bot whose workers hold the model leaves it to them).
    if (ctx.engine) checkPromptTokens(ctx.engine, prompt, `${which}_text`);
    return { source: { text: prompt }, name: quote(prompt) };
  }
  if (!attachment) throw new UserInputError(m.blend.missing(which));
  const image = checkAttachment(attachmentMeta(attachment), ctx.attachments, which === 'first' ? m.image.first : m.image.second, m);
  return { source: { attachment: image }, name: m.headline.blendSide(which) };
}

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const m = interactionMessages(interaction);
  const first = sideOf(interaction, ctx, 'first', m);
  const second = sideOf(interaction, ctx, 'second', m);
  const ratio = interaction.options.getInteger('ratio') ?? 50;
  const animate = interaction.options.getBoolean('animate') ?? false;
  submit(ctx, new InteractionReply(interaction, ctx.log), {
    kind: 'blend',
    ...requesterOf(interaction),
    first: first.source,
    second: second.source,
    ratio,
    animate,
    label: m.label.blend(ratio),
    headline: m.headline.blend(ratio, first.name, second.name),
  });
}
