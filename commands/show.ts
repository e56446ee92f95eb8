import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/discord/context.ts';
import { resultRows } from '../src/discord/delivery.ts';
import { imageUpload } from '../src/discord/uploads.ts';
import { reactionsFor } from '../src/discord/handlers/cell-reaction.ts';
import { NO_PINGS, replyEphemeral } from '../src/discord/replies.ts';
import { interactionMessages } from '../src/discord/i18n/index.ts';
import { quote } from '../src/discord/texts.ts';

export const data = new SlashCommandBuilder()
  .setName('show')
  .setDescription('Post a past result again, with its buttons')
  .addStringOption((o) => o.setName('message').setDescription('The result’s message link (Copy Message Link) or id').setRequired(true).setMaxLength(200));

/** The message id in a message link (…/channels/<guild>/<channel>/<message>) or a bare id. */
export function messageIdOf(text: string): string | null {
  const match = /^(?:https?:\/\/\S+\/channels\/[\d@me]+\/\d+\/)?(\d{1,20})\/?$/.exec(text.trim());
  return match ? match[1]! : null;
}

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const m = interactionMessages(interaction);
  const ephemeral = (content: string) => replyEphemeral(interaction, content);
  const id = messageIdOf(interaction.options.getString('message', true));
  if (!id) return ephemeral(m.show.badLink);
  const stored = ctx.store.generations.get(id);
  if (!stored) return ephemeral(m.show.unknown);
  if (!stored.grid) return ephemeral(m.show.noPicture);
  const deferred = await interaction.deferReply({ withResponse: true });
  const cells = stored.embeddings.length;
  // Stored under the new message's id before its buttons can be clicked.
  const copy = (messageId: string) => ctx.store.generations.save({ ...stored, messageId, channelId: interaction.channelId, guildId: interaction.guildId, createdAt: Date.now() });
  const deferredId = deferred.resource?.message?.id;
  if (deferredId) copy(deferredId);
  const what = stored.prompt ? quote(stored.prompt) : stored.kind === 'blend' ? m.aBlend : m.variations;
  const message = await interaction.editReply({
    content: `${what}\n${m.shownAgain(stored.seed, `<@${stored.ownerId}>`, cells)}`,
    files: [await imageUpload(stored.grid, `unclip-${stored.seed}`)],
    components: resultRows(cells),
    allowedMentions: NO_PINGS,
  });
  if (message.id !== deferredId) copy(message.id);
  for (const emoji of reactionsFor(cells)) await message.react(emoji);
}
