/**
 * A fast path for the simplest tokenizer.json, the kind the shapes packs ship: a WordLevel vocabulary,
 * a Lowercase normalizer (optionally followed by Replace), the Whitespace pre-tokenizer and a
 * TemplateProcessing post-processor `[BOS] $A [EOS]`. For such a tokenizer and printable-ASCII text
 * without special-token strings, `encode` gives the ids @huggingface/tokenizers gives (tested on the
 * pack's captions and odd inputs), in a few microseconds instead of its full pipeline; anything else
 * returns undefined and the caller uses the full tokenizer. Real CLIP (BPE) tokenizers never take it.
 */
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export type FastEncode = (text: string) => number[] | undefined;

/** Printable ASCII only: where JS and Rust agree on lowercasing, \w and \s. */
const ASCII = /^[\x20-\x7e]*$/;
/** The Whitespace pre-tokenizer's pattern. */
const WORDS = /\w+|[^\w\s]+/g;

function normalizer(n: unknown): ((s: string) => string) | undefined {
  const steps = isObj(n) && n['type'] === 'Sequence' && Array.isArray(n['normalizers']) ? (n['normalizers'] as unknown[]) : [n];
  if (!isObj(steps[0]) || steps[0]['type'] !== 'Lowercase') return undefined;
  const replaces: [RegExp, string][] = [];
  for (const step of steps.slice(1)) {
    if (!isObj(step) || step['type'] !== 'Replace' || typeof step['content'] !== 'string' || !isObj(step['pattern'])) return undefined;
    const p = step['pattern'];
    if (typeof p['Regex'] === 'string') {
      // Only a plain character class: its meaning is the same in Rust's regex and JS's on ASCII text.
      if (!/^\[\^?[a-z0-9A-Z\\s\-]+\]\+?$/.test(p['Regex'])) return undefined;
      replaces.push([new RegExp(p['Regex'], 'g'), step['content']]);
    } else if (typeof p['String'] === 'string') {
      replaces.push([new RegExp(p['String'].replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'), step['content']]);
    } else return undefined;
  }
  return (s) => replaces.reduce((acc, [re, content]) => acc.replace(re, content), s.toLowerCase());
}

/** The fast encoder of a tokenizer.json, or undefined when it is not of the simple kind. */
export function simpleWordLevel(tokenizerJson: unknown): FastEncode | undefined {
  if (!isObj(tokenizerJson)) return undefined;
  const { model, pre_tokenizer: pre, post_processor: post, added_tokens: added } = tokenizerJson;
  if (!isObj(model) || model['type'] !== 'WordLevel' || !isObj(model['vocab']) || typeof model['unk_token'] !== 'string') return undefined;
  if (!isObj(pre) || pre['type'] !== 'Whitespace') return undefined;
  const normalize = normalizer(tokenizerJson['normalizer']);
  if (!normalize) return undefined;
  const vocab = new Map(Object.entries(model['vocab']).filter((e): e is [string, number] => typeof e[1] === 'number'));
  const unk = vocab.get(model['unk_token']);
  if (unk === undefined) return undefined;
  // [BOS] $A [EOS]: the ids of the special tokens around the sequence.
  if (!isObj(post) || post['type'] !== 'TemplateProcessing' || !Array.isArray(post['single']) || !isObj(post['special_tokens'])) return undefined;
  const specials = post['special_tokens'];
  const template: (number | 'A')[] = [];
  for (const piece of post['single'] as unknown[]) {
    if (isObj(piece) && isObj(piece['Sequence']) && piece['Sequence']['id'] === 'A') template.push('A');
    else if (isObj(piece) && isObj(piece['SpecialToken'])) {
      const sp = specials[String(piece['SpecialToken']['id'])];
      if (!isObj(sp) || !Array.isArray(sp['ids']) || sp['ids'].length !== 1 || typeof sp['ids'][0] !== 'number') return undefined;
      template.push(sp['ids'][0]);
    } else return undefined;
  }
  if (template.filter((p) => p === 'A').length !== 1) return undefined;
  // Text holding an added token's string is split by it first: leave that to the full tokenizer.
  const addedStrings = Array.isArray(added) ? added.flatMap((a) => (isObj(a) && typeof a['content'] === 'string' ? [a['content']] : [])) : [];
  return (text) => {
    if (!ASCII.test(text) || addedStrings.some((a) => text.includes(a))) return undefined;
    const words = normalize(text).match(WORDS) ?? [];
    const ids = words.map((w) => vocab.get(w) ?? unk);
    return template.flatMap((p) => (p === 'A' ? ids : [p]));
  };
}
