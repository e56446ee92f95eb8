/**
 * The modal of the "Classify image" context menu: the labels (and an optional template) for the
 * image of the message it was opened on, which waits in `ctx.pendingClassify` under the modal's key.
 */
import { ActionRowBuilder, ModalBuilder, TextInputBuilder, TextInputStyle } from 'discord.js';
import { parseLabels, UserInputError, validateTemplate } from '../../engine/index.ts';
import type { ModalHandler } from '../handler.ts';
import { MAX_LABELS } from '../processor.ts';
import { classifyRequest } from '../request.ts';

export const customId = (key: string) => `classify:labels:${key}`;

export function labelsModal(key: string): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(customId(key))
    .setTitle('Classify image')
    .addComponents(
      new ActionRowBuilder<TextInputBuilder>().addComponents(
        new TextInputBuilder().setCustomId('labels').setLabel('Labels, separated by commas').setPlaceholder('cat, dog, a red star').setStyle(TextInputStyle.Paragraph).setRequired(true).setMaxLength(2000),
      ),
      new ActionRowBuilder<TextInputBuilder>().addComponents(
        new TextInputBuilder().setCustomId('template').setLabel('Template (optional), {} is the label').setPlaceholder('a photo of {}').setStyle(TextInputStyle.Short).setRequired(false).setMaxLength(200),
      ),
    );
}

export const classifyLabels: ModalHandler<string> = {
  type: 'modal',
  parse: ({ customId }) => /^classify:labels:(.+)$/.exec(customId)?.[1] ?? null,
  async run(interaction, key, ctx) {
    const pending = ctx.pendingClassify.get(key);
    if (!pending) throw new UserInputError('This form has expired. Use "Classify image" on the message again.');
    const labels = parseLabels(interaction.fields.getTextInputValue('labels'), MAX_LABELS);
    const template = validateTemplate(interaction.fields.getTextInputValue('template').trim() || null);
    ctx.pendingClassify.delete(key);
    const { cells, ...image } = pending;
    return classifyRequest(interaction.user.id, image, labels, template, cells);
  },
};
