/** 🎲 under a result: the same prompt (or the same source) again with a new seed (🔁 is the reaction for variations of a single image). */
import { ButtonBuilder, ButtonStyle } from 'discord.js';
import { UserInputError } from '../../engine/index.ts';
import type { ButtonHandler } from '../handler.ts';
import { interactionMessages } from '../i18n/index.ts';
import { againOf, requesterOf } from '../request.ts';

export const customId = () => 'gen:again';

export function button(): ButtonBuilder {
  return new ButtonBuilder().setCustomId(customId()).setEmoji('🎲').setStyle(ButtonStyle.Secondary);
}

export const again: ButtonHandler<true> = {
  type: 'button',
  parse: (interaction) => (interaction.customId === customId() ? true : null),
  async run(interaction, _parsed, ctx) {
    const stored = ctx.store.generations.get(interaction.message.id);
    if (!stored) throw new UserInputError(interactionMessages(interaction).noData);
    return againOf(stored, requesterOf(interaction));
  },
};
