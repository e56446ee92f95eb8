/**
 * The modal of the "Classify image" context menu: the labels (and an optional template) for the
 * image of the message it was opened on, which waits in `ctx.pendingClassify` under the modal's key.
 */
import { ActionRowBuilder, ModalBuilder, TextInputBuilder, TextInputStyle } from 'discord.js';
import { parseLabels, UserInputError, validateTemplate } from '../../engine/index.ts';
import type { ModalHandler } from '../handler.ts';
import { en, interactionMessages, type Messages } from '../i18n/index.ts';
import { MAX_LABELS } from '../processor.ts';
import { classifyRequest, requesterOf } from '../request.ts';

export const customId = (key: string) => `classify:labels:${key}`;

export function labelsModal(key: string, m: Messages = en): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(customId(key))
    .setTitle(m.classifyModal.title)
    .addComponents(
      new ActionRowBuilder<TextInputBuilder>().addComponents(
        new TextInputBuilder().setCustomId('labels').setLabel(m.classifyModal.labels).setPlaceholder('cat, dog, a red star').setStyle(TextInputStyle.Paragraph).setRequired(true).setMaxLength(2000),
      ),
      new ActionRowBuilder<TextInputBuilder>().addComponents(
        new TextInputBuilder().setCustomId('template').setLabel(m.classifyModal.template).setPlaceholder('a photo of {}').setStyle(TextInputStyle.Short).setRequired(false).setMaxLength(200),
      ),
    );
}

export const classifyLabels: ModalHandler<string> = {
  type: 'modal',
  parse: ({ customId }) => /^classify:labels:(.+)$/.exec(customId)?.[1] ?? null,
  async run(interaction, key, ctx) {
    const pending = ctx.pendingClassify.get(key);
    if (!pending) throw new UserInputError(interactionMessages(interaction).classifyModal.expired);
    const labels = parseLabels(interaction.fields.getTextInputValue('labels'), MAX_LABELS);
    const template = validateTemplate(interaction.fields.getTextInputValue('template').trim() || null);
    ctx.pendingClassify.delete(key);
    const { cells, ...image } = pending;
    return classifyRequest(requesterOf(interaction), image, labels, template, cells);
  },
};
