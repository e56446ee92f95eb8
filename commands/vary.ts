import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { UserInputError, validatePrompt } from '../src/engine/index.ts';
import { DEFAULT_TEXT_DIFF_STRENGTH } from '../src/engine/text-diff.ts';
import { attachmentMeta, checkAttachment } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { submit } from '../src/discord/jobs.ts';
import { interactionMessages } from '../src/discord/i18n/index.ts';
import { InteractionReply } from '../src/discord/replies.ts';
import { requesterOf } from '../src/discord/request.ts';
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
  const m = interactionMessages(interaction);
  const by = requesterOf(interaction);
  const image = checkAttachment(attachmentMeta(options.getAttachment('image', true)), ctx.attachments, undefined, m);
  const n = options.getInteger('count') ?? 4;
  const towardText = options.getString('toward');
  const fromText = options.getString('from');
  const strength = options.getInteger('strength');
  const animate = options.getBoolean('animate');
  const reply = new InteractionReply(interaction, ctx.log);
  if (towardText === null) {
    const extra = ([fromText !== null && 'from', strength !== null && 'strength', animate !== null && 'animate'] as const).filter((o) => o !== false);
    if (extra.length > 0) throw new UserInputError(m.varyNeedsToward(extra));
    submit(ctx, reply, { kind: 'vary', ...by, image: { attachment: image }, n, label: m.label.vary(image.name), headline: m.headline.vary(plain(image.name)) });
    return;
  }
  const toward = validatePrompt(towardText, 'toward');
  const from = fromText === null ? null : validatePrompt(fromText, 'from');
  const s = strength ?? DEFAULT_TEXT_DIFF_STRENGTH;
  submit(ctx, reply, {
    kind: 'vary-toward',
    ...by,
    image: { attachment: image },
    n,
    toward,
    from,
    strength: s,
    animate: animate ?? false,
    label: m.label.varyToward(shortText(toward)),
    headline: m.headline.varyToward(plain(image.name), quote(toward), s),
  });
}
