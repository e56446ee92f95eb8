/** How a description is shown: the captions CLIP ranks highest for the image, with their scores and a bar chart. */
import { EmbedBuilder } from 'discord.js';
import { scoreChartPng } from '../engine/index.ts';
import type { ReplyPayload } from './replies.ts';
import type { CaptionsResult, RequestOf } from './request.ts';
import { plain } from './texts.ts';

/** What the captions were chosen among, for the footer. */
function amongText(among: CaptionsResult['among']): string {
  if (!among || among.kind === 'world') return "every caption the model's world has";
  if (among.kind === 'general') return `${among.count} everyday labels`; // the model has no world or list of its own
  return `the model's ${among.count} ${among.kind}`;
}

export async function renderCaptions(request: RequestOf<'describe'>, { captions, among }: CaptionsResult): Promise<ReplyPayload> {
  const chart = await scoreChartPng(captions.map((c) => ({ label: c.caption, score: c.score })));
  const lines = captions.map((c, i) => `${i + 1}. ${i === 0 ? '**' : ''}${plain(c.caption)}${i === 0 ? '**' : ''} — ${(c.score * 100).toFixed(1)} %`);
  const embed = new EmbedBuilder()
    .setTitle(`Best caption: ${captions[0]!.caption}`.slice(0, 256))
    .setDescription(lines.join('\n').slice(0, 4096))
    .setImage('attachment://captions.png')
    .setFooter({ text: `${request.image.name} · the top ${captions.length} of ${amongText(among)} (CLIP scores)`.slice(0, 2048) });
  return { content: request.headline, embeds: [embed], files: [{ attachment: chart, name: 'captions.png' }] };
}
