/**
 * Text from users made safe to echo in a public message: NUL and other control characters
 * removed (tabs and newlines kept), bidirectional overrides, embeddings and isolates removed (a
 * right-to-left override in a prompt would otherwise reverse the rest of the bot's line), line and
 * paragraph separators turned into spaces. Markdown is escaped separately (texts.ts).
 */

// C0 controls but \t and \n, DEL, and C1 controls.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// LRE RLE PDF LRO RLO, LRI RLI FSI PDI, and the invisible direction marks LRM RLM ALM.
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
const SEPARATORS = /[\u2028\u2029]/g;

export function sanitizeText(text: string): string {
  return text.replace(CONTROL, '').replace(BIDI, '').replace(SEPARATORS, ' ');
}
