/** How a description is shown: the captions CLIP ranks highest for the image, with their scores and a bar chart. */
import { EmbedBuilder } from 'discord.js';
import { scoreChartPng } from '../engine/index.ts';
import type { ReplyPayload } from './replies.ts';
import { messagesOf, type CaptionsResult, type RequestOf } from './request.ts';
import { plain } from './texts.ts';

export async function renderCaptions(request: RequestOf<'describe'>, { captions, among }: CaptionsResult): Promise<ReplyPayload> {
  const m = messagesOf(request);
  const chart = await scoreChartPng(captions.map((c) => ({ label: c.caption, score: c.score })));
  const lines = captions.map((c, i) => `${i + 1}. ${i === 0 ? '**' : ''}${plain(c.caption)}${i === 0 ? '**' : ''} — ${(c.score * 100).toFixed(1)} %`);
  const embed = new EmbedBuilder()
    .setTitle(m.bestCaption(captions[0]!.caption).slice(0, 256))
    .setDescription(lines.join('\n').slice(0, 4096))
    .setImage('attachment://captions.png')
    // What they were ranked among: the pack's world, its own captions or labels, or the general labels.
    .setFooter({ text: m.captionsFooter(request.image.name, captions.length, among).slice(0, 2048) });
  return { content: request.headline, embeds: [embed], files: [{ attachment: chart, name: 'captions.png' }] };
}
