/**
 * "Two different entries both got CLIP judge 0.813" (issue 15 item 8): a true tie of the score at
 * three decimals, not a bug. The judge is cos(theme's text embedding, entry's image embedding); the
 * entries that show the theme crowd into a narrow band (for shapes-v1 and "a red star", ~0.78–0.85:
 * CLIP's text and image embeddings never meet, and its text side reads a bag of words), so two
 * different pictures often share three decimals. The ranking always used the whole score; the
 * results now show as many decimals as tell the tied entries apart.
 */
import { describe, expect, it } from 'vitest';
import { Engine, similarity } from '../../src/engine/index.ts';
import { judgeDecimals, standingLines } from '../../src/discord/battles.ts';
import { fr } from '../../src/discord/i18n/fr.ts';
import { rankEntries, type Entry } from '../../src/store/index.ts';

const entry = (id: number, judge: number | null, votes = 0): Entry & { votes: number } => ({ id, battleId: 1, userId: `u${id}`, prompt: `p${id}`, messageId: `m${id}`, judge, createdAt: id, votes });

describe('the CLIP judge in the standings', () => {
  it('shows the decimals that tell apart the scores it ranks by', () => {
    // Two entries measured on shapes-v1 (as below, with its earlier DDIM 25 default): 0.803 both, to three decimals.
    const standings = rankEntries([entry(1, 0.8031724, 1), entry(2, 0.8032282, 1), entry(3, 0.41, 0)]);
    expect(standings.map((s) => s.id)).toEqual([2, 1, 3]);
    expect(judgeDecimals(standings)).toBe(5);
    const lines = standingLines(standings, true);
    expect(lines[0]).toBe('🥇 <@u2> — 1 vote · judge 0.80323 · +3 points · **p2**');
    expect(lines[1]).toBe('🥈 <@u1> — 1 vote · judge 0.80317 · +2 points · **p1**');
    expect(lines[2]).toBe('🥉 <@u3> — 0 votes · judge 0.41000 · +1 point · **p3**');
    expect(standingLines(standings, true, fr)[0]).toBe('🥇 <@u2> — 1 vote · juge 0.80323 · +3 points · **p2**');
  });

  it('keeps three decimals when they suffice, or when only entries with different votes share them', () => {
    expect(judgeDecimals([entry(1, 0.813), entry(2, 0.761)])).toBe(3);
    expect(judgeDecimals([entry(1, 0.8131, 2), entry(2, 0.8132, 1)])).toBe(3);
    expect(judgeDecimals([entry(1, 0.5), entry(2, 0.5)])).toBe(3);
    expect(judgeDecimals([entry(1, 0.81300001), entry(2, 0.81300002)])).toBe(6);
  });

  it('two different pictures of the theme can share three decimals of the score (the real pack, as a battle judges it)', async () => {
    const engine = await Engine.load({ packDir: 'models/shapes-v1', threads: 2 });
    const [theme] = await engine.embedTexts(['a red star']);
    // With the pack's default sampler (UniPC 7 + 7): image 2 of seed 21 and image 4 of seed 23 both judge 0.794 (cosine 0.76 to each other).
    const drawn = [...(await engine.imagine('a big red star', { n: 4, seed: 21 })).embeddings, ...(await engine.imagine('a big red star', { n: 4, seed: 23 })).embeddings];
    const judged = drawn.map((embedding) => ({ embedding, judge: similarity(theme!, embedding) }));
    const ties = judged.flatMap((a, i) => judged.slice(i + 1).filter((b) => a.judge.toFixed(3) === b.judge.toFixed(3)).map((b) => [a, b] as const));
    expect(ties.length).toBeGreaterThan(0);
    for (const [a, b] of ties) {
      expect(a.judge).not.toBe(b.judge);
      // Different pictures, not the same one twice.
      expect(similarity(a.embedding, b.embedding)).toBeLessThan(0.95);
      const decimals = judgeDecimals([{ votes: 0, judge: a.judge }, { votes: 0, judge: b.judge }]);
      expect(a.judge.toFixed(decimals)).not.toBe(b.judge.toFixed(decimals));
    }
  });
});
