import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { UserInputError, validatePrompt, type PackSummary } from '../src/engine/index.ts';
import { DEFAULT_DREAM_FRAMES, MAX_DREAM_FRAMES, MIN_DREAM_FRAMES } from '../src/engine/dream.ts';
import { attachmentMeta, checkAttachment } from '../src/discord/attachments.ts';
import type { BotContext } from '../src/discord/context.ts';
import { submit } from '../src/discord/jobs.ts';
import { interactionMessages } from '../src/discord/i18n/index.ts';
import { InteractionReply } from '../src/discord/replies.ts';
import { requesterOf } from '../src/discord/request.ts';
import { promptExample, promptHeadline, promptLimitHint } from '../src/discord/prompts.ts';
import { plain, shortText } from '../src/discord/texts.ts';

/**
 * /dream: the explainer's looping animation from a prompt or an image, as an animated WebP (and a
 * GIF). One queue job, capped at 48 frames (one decode each), so it waits its turn and holds the
 * model about as long as a dozen four-image jobs; progress shows each frame.
 */
export const data = (pack: PackSummary | null) =>
  new SlashCommandBuilder()
    .setName('dream')
    .setDescription('A looping animation: variations of variations, or a walk that comes back')
    .addStringOption((o) => o.setName('prompt').setDescription(`Start from a text, e.g. "${promptExample(pack, true)}" (${promptLimitHint(pack)})`).setMaxLength(300))
    .addAttachmentOption((o) => o.setName('image').setDescription('Start from an image (or give a prompt)'))
    .addStringOption((o) =>
      o
        .setName('mode')
        .setDescription('loop: each frame a variation of the last (default); walk: a closed walk through variations')
        .addChoices({ name: 'loop', value: 'loop' }, { name: 'walk', value: 'walk' }),
    )
    .addIntegerOption((o) => o.setName('frames').setDescription(`${MIN_DREAM_FRAMES} to ${MAX_DREAM_FRAMES} frames (default ${DEFAULT_DREAM_FRAMES})`).setMinValue(MIN_DREAM_FRAMES).setMaxValue(MAX_DREAM_FRAMES));

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const text = interaction.options.getString('prompt');
  const attachment = interaction.options.getAttachment('image');
  const m = interactionMessages(interaction);
  if ((text === null) === (attachment === null)) throw new UserInputError(m.dreamOneOf);
  const mode = (interaction.options.getString('mode') ?? 'loop') as 'loop' | 'walk';
  const frames = interaction.options.getInteger('frames') ?? DEFAULT_DREAM_FRAMES;
  const prompt = text === null ? null : validatePrompt(text);
  const image = attachment ? checkAttachment(attachmentMeta(attachment), ctx.attachments, undefined, m) : null;
  const what = prompt ? promptHeadline(ctx.engine, prompt, m) : plain(image!.name);
  submit(ctx, new InteractionReply(interaction, ctx.log), {
    kind: 'dream',
    ...requesterOf(interaction),
    start: prompt ? { prompt } : { image: { attachment: image! } },
    mode,
    frames,
    label: m.label.dream(frames, shortText(prompt ?? image!.name)),
    headline: m.headline.dream(what),
  });
}
