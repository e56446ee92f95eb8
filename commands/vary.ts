import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { UserInputError, validatePrompt } from '../src/engine/index.ts';
import { DEFAULT_TEXT_DIFF_STRENGTH } from '../src/engine/text-diff.ts';
import { attachmentMeta, checkAttachment } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { submit } from '../src/discord/jobs.ts';
import { InteractionReply } from '../src/discord/replies.ts';
import { plain, quote, shortText } from '../src/discord/texts.ts';

/** /vary image: variations; with `toward`, a text diff (DALL·E 2 §3.3) from what the image shows toward a new caption. */
export const data = new SlashCommandBuilder()
  .setName('vary')
  .setDescription('Variations of an image: the same idea, drawn again (or moved toward a text)')
  .addAttachmentOption((o) => o.setName('image').setDescription('A PNG, JPEG, WebP or GIF').setRequired(true))
  .addIntegerOption((o) => o.setName('count').setDescription('How many variations (default 4)').setMinValue(1).setMaxValue(4))
  .addStringOption((o) => o.setName('toward').setDescription('A text diff: the caption to move the image toward, e.g. "a blue heart"').setMaxLength(300))
  .addStringOption((o) => o.setName('from').setDescription('With toward: what the image shows now (default: its best caption)').setMaxLength(300))
  .addIntegerOption((o) => o.setName('strength').setDescription(`With toward: how far to move, 0–100 (default ${DEFAULT_TEXT_DIFF_STRENGTH})`).setMinValue(0).setMaxValue(100))
  .addBooleanOption((o) => o.setName('animate').setDescription('With toward: also an animation from the image to the result'));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const { options } = interaction;
  const image = checkAttachment(attachmentMeta(options.getAttachment('image', true)), ctx.attachments);
  const n = options.getInteger('count') ?? 4;
  const towardText = options.getString('toward');
  const fromText = options.getString('from');
  const strength = options.getInteger('strength');
  const animate = options.getBoolean('animate');
  const reply = new InteractionReply(interaction, ctx.log);
  if (towardText === null) {
    const extra = [fromText !== null && 'from', strength !== null && 'strength', animate !== null && 'animate'].filter(Boolean);
    if (extra.length > 0) throw new UserInputError(`${extra.join(', ')} ${extra.length > 1 ? 'go' : 'goes'} with toward: say which caption to move the image toward, e.g. toward:"a blue heart".`);
    submit(ctx, reply, { kind: 'vary', userId: interaction.user.id, image: { attachment: image }, n, label: `vary: ${image.name}`, headline: `Variations of ${plain(image.name)}` });
    return;
  }
  const toward = validatePrompt(towardText, 'toward');
  const from = fromText === null ? null : validatePrompt(fromText, 'from');
  const s = strength ?? DEFAULT_TEXT_DIFF_STRENGTH;
  submit(ctx, reply, {
    kind: 'vary-toward',
    userId: interaction.user.id,
    image: { attachment: image },
    n,
    toward,
    from,
    strength: s,
    animate: animate ?? false,
    label: `vary toward: ${shortText(toward)}`,
    headline: `${plain(image.name)} moved toward ${quote(toward)} (strength ${s})`,
  });
}
