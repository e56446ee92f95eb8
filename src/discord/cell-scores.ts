/**
 * "Classify image" on a result grid: one embed per cell (its top labels and a bar chart), each saying
 * which image it is, since CLIP on the whole grid would see four small objects at once.
 */
import { EmbedBuilder } from 'discord.js';
import { scoreChartPng } from '../engine/index.ts';
import type { ReplyPayload } from './replies.ts';
import { messagesOf, type RequestOf } from './request.ts';
import { plain } from './texts.ts';

/** Lines per cell: four embeds of 20 labels would pass Discord's 6000 characters. */
const TOP = 5;

export async function renderCellScores(request: RequestOf<'classify'>, cells: { label: string; score: number }[][]): Promise<ReplyPayload> {
  const m = messagesOf(request);
  const charts = await Promise.all(cells.map((scores) => scoreChartPng(scores.slice(0, TOP))));
  const embeds = cells.map((scores, i) => {
    const lines = scores.slice(0, TOP).map((s, j) => `${j === 0 ? '**' : ''}${plain(s.label)}${j === 0 ? '**' : ''} — ${(s.score * 100).toFixed(1)} %`);
    if (scores.length > TOP) lines.push(m.andMore(scores.length - TOP));
    return new EmbedBuilder()
      .setTitle(m.cellTitle(i + 1, scores[0]!.label).slice(0, 256))
      .setDescription(lines.join('\n').slice(0, 1000))
      .setImage(`attachment://scores-${i + 1}.png`)
      .setFooter({ text: `${m.cellScoresFooter(request.image.name, i + 1, cells.length)}${request.template ? m.template(request.template) : ''}`.slice(0, 200) });
  });
  return { content: request.headline, embeds, files: charts.map((chart, i) => ({ attachment: chart, name: `scores-${i + 1}.png` })) };
}
