import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/discord/context.ts';
import { resultRows } from '../src/discord/delivery.ts';
import { imageUpload } from '../src/discord/uploads.ts';
import { reactionsFor } from '../src/discord/handlers/cell-reaction.ts';
import { NO_PINGS, replyEphemeral } from '../src/discord/replies.ts';
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
  const ephemeral = (content: string) => replyEphemeral(interaction, content);
  const id = messageIdOf(interaction.options.getString('message', true));
  if (!id) return ephemeral('Give a message link (right-click the result → Copy Message Link) or a message id.');
  const stored = ctx.store.generations.get(id);
  if (!stored) return ephemeral('I have no result for that message. /show works on results of /imagine, /vary, /blend and their variations.');
  if (!stored.grid) return ephemeral('I have the data of that result but not its picture, so I cannot show it again. Its buttons still work on the original.');
  const deferred = await interaction.deferReply({ withResponse: true });
  const cells = stored.embeddings.length;
  // Stored under the new message's id before its buttons can be clicked.
  const copy = (messageId: string) => ctx.store.generations.save({ ...stored, messageId, channelId: interaction.channelId, guildId: interaction.guildId, createdAt: Date.now() });
  const deferredId = deferred.resource?.message?.id;
  if (deferredId) copy(deferredId);
  const what = stored.prompt ? quote(stored.prompt) : stored.kind === 'blend' ? 'A blend' : 'Variations';
  const message = await interaction.editReply({
    content: `${what}\nseed ${stored.seed} · shown again from a result of <@${stored.ownerId}> · ${cells > 1 ? `V1–V${cells}` : 'V1'} for variations, ${cells > 1 ? `U1–U${cells} for one image at full size, ` : ''}🎲 for a new seed`,
    files: [await imageUpload(stored.grid, `unclip-${stored.seed}`)],
    components: resultRows(cells),
    allowedMentions: NO_PINGS,
  });
  if (message.id !== deferredId) copy(message.id);
  for (const emoji of reactionsFor(cells)) await message.react(emoji);
}
