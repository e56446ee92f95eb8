/**
 * Discord's limits on an outgoing message, in one place: every message the bot sends is fitted
 * here, so none is refused with 50035. Text is cut with "…", long lists end with a visible
 * "…and N more", extra embeds, fields, rows, buttons and files are dropped (the files from the
 * end, as the replies already put the optional ones last). Nothing is ever refused.
 */
import type { APIEmbed } from 'discord.js';

/** https://discord.com/developers/docs/resources/message#create-message (and the embed limits). */
export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  embedFooter: 2048,
  embedAuthor: 256,
  /** Titles, descriptions, field names and values, footers and author names of all embeds together. */
  embedTotal: 6000,
  rows: 5,
  buttonsPerRow: 5,
  customId: 100,
  files: 10,
  uploadBytes: 10 * 1024 * 1024,
} as const;

const ELLIPSIS = '…';

/** The text, at most `max` characters: cut with "…" when longer. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  // Do not cut a surrogate pair in half.
  let cut = max - 1;
  if (cut > 0 && /[\uD800-\uDBFF]/.test(text[cut - 1]!)) cut -= 1;
  return text.slice(0, cut) + ELLIPSIS;
}

export interface ListOptions {
  /** Lines before the list (kept whole, unless they alone are too long). */
  head?: string[];
  /** Lines after the list. */
  tail?: string[];
  /** The most characters in all (the message content's 2000 by default). */
  max?: number;
  /** The line that replaces the items that do not fit. */
  more?: (left: number) => string;
}

export const andMore = (left: number) => `…and ${left} more`;

/**
 * Head, as many of `items` as fit, "…and N more" for the rest, then tail: one text of at most `max`
 * characters, joined by newlines. Each item is one line, itself cut to fit.
 */
export function fitList(items: string[], opts: ListOptions = {}): string {
  const max = opts.max ?? LIMITS.content;
  const more = opts.more ?? andMore;
  const head = opts.head ?? [];
  const tail = opts.tail ?? [];
  const fixed = [...head, ...tail];
  const fixedLength = fixed.reduce((n, line) => n + line.length, 0) + Math.max(0, fixed.length - 1);
  if (fixedLength > max) return truncate([...head, ...(items.length ? [more(items.length)] : []), ...tail].join('\n'), max);
  // Room for the items (each with its newline), keeping space for the "…and N more" line.
  let room = max - fixedLength - (fixed.length ? 1 : 0);
  const shown: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const left = items.length - i;
    const line = items[i]!;
    const needsMore = left > 1;
    const reserve = needsMore ? more(left - 1).length + 1 : 0;
    const cost = line.length + (shown.length ? 1 : 0);
    if (cost + reserve <= room) {
      shown.push(line);
      room -= cost;
      continue;
    }
    // This item does not fit whole: the last one may be cut; otherwise say how many are left.
    if (!needsMore && room - (shown.length ? 1 : 0) >= 20) {
      shown.push(truncate(line, room - (shown.length ? 1 : 0)));
    } else {
      shown.push(more(left));
    }
    break;
  }
  return truncate([...head, ...shown, ...tail].join('\n'), max);
}

/** The parts of a message this module fits (what discord.js's send / edit options carry). */
export interface OutgoingMessage {
  content?: string;
  embeds?: readonly unknown[];
  components?: readonly unknown[];
  files?: readonly { attachment: Buffer; name: string }[];
}

type JsonEmbed = APIEmbed;
interface JsonRow {
  type: number;
  components: { custom_id?: string }[];
}

const json = <T>(value: unknown): T => (value && typeof value === 'object' && 'toJSON' in value && typeof value.toJSON === 'function' ? value.toJSON() : value) as T;

/**
 * The message within Discord's limits: content, each embed's parts and their total, the number of
 * embeds, fields, rows, buttons and files, and the upload size. Builders become their JSON.
 * A custom id over 100 characters is a bug in the bot (ids carry only what routes them): it throws.
 */
export function fitMessage<T extends OutgoingMessage>(message: T): T {
  const out: T = { ...message };
  if (typeof message.content === 'string') out.content = truncate(message.content, LIMITS.content);
  if (message.embeds) out.embeds = fitEmbeds(message.embeds.map((e) => json<JsonEmbed>(e)));
  if (message.components) out.components = fitRows(message.components.map((r) => json<JsonRow>(r)));
  if (message.files) out.files = fitFiles(message.files);
  return out;
}

function fitEmbeds(embeds: JsonEmbed[]): JsonEmbed[] {
  let budget: number = LIMITS.embedTotal;
  const take = (text: string | undefined, max: number): string | undefined => {
    if (text === undefined) return undefined;
    const fitted = truncate(text, Math.min(max, budget));
    budget -= fitted.length;
    return fitted;
  };
  const out: JsonEmbed[] = [];
  for (const embed of embeds.slice(0, LIMITS.embeds)) {
    const e: JsonEmbed = { ...embed };
    if (embed.title !== undefined) e.title = take(embed.title, LIMITS.embedTitle)!;
    if (embed.author) e.author = { ...embed.author, name: take(embed.author.name, LIMITS.embedAuthor)! };
    if (embed.footer) e.footer = { ...embed.footer, text: take(embed.footer.text, LIMITS.embedFooter)! };
    if (embed.fields) {
      const fields = embed.fields.slice(0, LIMITS.embedFields);
      const left = embed.fields.length - fields.length;
      if (left > 0) fields[fields.length - 1] = { name: '…', value: andMore(left + 1) };
      e.fields = [];
      for (const f of fields) {
        if (budget < 2) break;
        const name = take(f.name, LIMITS.fieldName) || '…';
        const value = take(f.value, LIMITS.fieldValue) || '…';
        e.fields.push({ ...f, name, value });
      }
    }
    if (embed.description !== undefined) e.description = take(embed.description, LIMITS.embedDescription)!;
    out.push(e);
  }
  return out;
}

function fitRows(rows: JsonRow[]): JsonRow[] {
  return rows.slice(0, LIMITS.rows).map((row) => {
    for (const c of row.components) {
      if (c.custom_id !== undefined && c.custom_id.length > LIMITS.customId) throw new Error(`a custom id over ${LIMITS.customId} characters: "${c.custom_id.slice(0, 40)}…"`);
    }
    return { ...row, components: row.components.slice(0, LIMITS.buttonsPerRow) };
  });
}

function fitFiles(files: readonly { attachment: Buffer; name: string }[]): { attachment: Buffer; name: string }[] {
  const out = files.slice(0, LIMITS.files);
  while (out.length > 1 && out.reduce((n, f) => n + f.attachment.length, 0) > LIMITS.uploadBytes) out.pop();
  return out;
}
