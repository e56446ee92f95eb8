/** Zero-shot classification as a job: shared by /classify and the "Classify image" context menu. */
import { EmbedBuilder, escapeMarkdown } from 'discord.js';
import { scoreChartPng } from '../engine/index.ts';
import { downloadAttachment, type AttachmentMeta } from './attachments.ts';
import type { BotContext } from './context.ts';
import { startJob } from './jobs.ts';
import type { Reply } from './replies.ts';

export const MAX_LABELS = 20;

export function startClassify(
  ctx: BotContext,
  reply: Reply,
  req: { userId: string; image: AttachmentMeta; labels: string[]; template: string | null },
  accepted: () => void,
): boolean {
  const bytes = downloadAttachment(req.image, ctx.attachments);
  bytes.catch(() => {});
  const headline = `Classifying ${escapeMarkdown(req.image.name)} among ${req.labels.length} labels`;
  return startJob(
    ctx,
    reply,
    {
      userId: req.userId,
      label: `classify: ${req.labels.length} labels`,
      headline,
      run: async () => ctx.engine.classify(await bytes, req.labels, { maxLabels: MAX_LABELS, ...(req.template ? { template: req.template } : {}) }),
      render: async (scores) => {
        const chart = await scoreChartPng(scores);
        const lines = scores.map((s, i) => `${i === 0 ? '**' : ''}${escapeMarkdown(s.label)}${i === 0 ? '**' : ''} — ${(s.score * 100).toFixed(1)} %`);
        const embed = new EmbedBuilder()
          .setTitle(`Most likely: ${scores[0]!.label}`.slice(0, 256))
          .setDescription(lines.join('\n').slice(0, 4096))
          .setImage('attachment://scores.png')
          .setFooter({ text: `${req.image.name}${req.template ? ` · template "${req.template}"` : ''}`.slice(0, 2048) });
        return { content: headline, embeds: [embed], files: [{ attachment: chart, name: 'scores.png' }] };
      },
    },
    accepted,
  );
}
