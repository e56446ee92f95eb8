/**
 * Every button and modal custom id is made and parsed here. An id carries only what routes it; the
 * rest (prompt, seed, embeddings) is looked up by the message id in the generation store.
 */
export type ParsedId =
  | { kind: 'variations'; cell: number } // V1–V4: variations of that cell (0-based here)
  | { kind: 'again' } // 🔁: same prompt or source, new seed
  | { kind: 'cancel'; jobId: string }
  | { kind: 'classify-labels'; key: string } // the modal of the "Classify image" context menu
  | { kind: 'vote'; entryId: number }; // a battle entry's Vote button

export const customIds = {
  variations: (cell: number) => `gen:v:${cell + 1}`,
  again: () => 'gen:again',
  cancel: (jobId: string) => `job:cancel:${jobId}`,
  classifyLabels: (key: string) => `classify:labels:${key}`,
  vote: (entryId: number) => `battle:vote:${entryId}`,
};

export function parseCustomId(id: string): ParsedId | null {
  const parts = id.split(':');
  if (parts[0] === 'gen' && parts[1] === 'v' && /^[1-4]$/.test(parts[2] ?? '')) return { kind: 'variations', cell: Number(parts[2]) - 1 };
  if (id === 'gen:again') return { kind: 'again' };
  if (parts[0] === 'job' && parts[1] === 'cancel' && parts[2]) return { kind: 'cancel', jobId: parts[2] };
  if (parts[0] === 'classify' && parts[1] === 'labels' && parts[2]) return { kind: 'classify-labels', key: parts[2] };
  if (parts[0] === 'battle' && parts[1] === 'vote' && /^\d+$/.test(parts[2] ?? '')) return { kind: 'vote', entryId: Number(parts[2]) };
  return null;
}

/** The reactions that ask for variations of a cell: 1️⃣–4️⃣, and 🔁 on a single image. */
export const CELL_EMOJIS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣'];
export const AGAIN_EMOJI = '🔁';
/** The reaction that votes for a battle entry. */
export const VOTE_EMOJI = '👍';

export function cellForReaction(emoji: string, cells: number): number | null {
  if (emoji === AGAIN_EMOJI && cells === 1) return 0;
  const i = CELL_EMOJIS.indexOf(emoji);
  return i >= 0 && i < cells ? i : null;
}

export function reactionsFor(cells: number): string[] {
  return cells === 1 ? [AGAIN_EMOJI] : CELL_EMOJIS.slice(0, cells);
}
