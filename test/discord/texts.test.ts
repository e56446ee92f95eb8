/** Short labels for /queue: cut between words, with an ellipsis when cut. */
import { describe, expect, it } from 'vitest';
import { shortText } from '../../src/discord/texts.ts';

describe('shortText', () => {
  it('keeps short texts, cuts long ones at a word boundary with …, and a long word where it must', () => {
    expect(shortText('a big red star')).toBe('a big red star');
    const cut = shortText('a big red star on a blue background next to a small green circle');
    expect(cut).toBe('a big red star on a blue background…');
    expect(cut.length).toBeLessThanOrEqual(40);
    expect(shortText('x'.repeat(60))).toBe(`${'x'.repeat(39)}…`);
    expect(shortText('a'.repeat(40))).toBe('a'.repeat(40));
  });
});
