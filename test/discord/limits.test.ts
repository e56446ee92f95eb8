import { describe, expect, it } from 'vitest';
import { EmbedBuilder } from 'discord.js';
import { LIMITS, andMore, fitList, fitMessage, truncate } from '../../src/discord/limits.ts';

describe('truncate', () => {
  it('keeps text within the limit, cut with …, and never splits a surrogate pair', () => {
    expect(truncate('hello', 5)).toBe('hello');
    expect(truncate('hello!', 5)).toBe('hell…');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(truncate('ab😀cd', 4).length).toBeLessThanOrEqual(4);
    expect(truncate('x', 0)).toBe('');
  });
});

describe('fitList', () => {
  const items = Array.from({ length: 25 }, (_, i) => `${i + 1}. ${'p'.repeat(300)}`);

  it('keeps every item when they fit', () => {
    expect(fitList(['a', 'b'], { head: ['H'], tail: ['T'] })).toBe('H\na\nb\nT');
  });

  it('shows as many items as fit in 2000 characters, then "…and N more", with the head and tail whole', () => {
    const text = fitList(items, { head: ['⚔️ head'], tail: ['tail line'] });
    expect(text.length).toBeLessThanOrEqual(LIMITS.content);
    const lines = text.split('\n');
    expect(lines[0]).toBe('⚔️ head');
    expect(lines.at(-1)).toBe('tail line');
    const shown = lines.slice(1, -2);
    expect(shown).toEqual(items.slice(0, shown.length));
    expect(shown.length).toBeGreaterThanOrEqual(5);
    expect(lines.at(-2)).toBe(andMore(items.length - shown.length));
  });

  it('fits any max, counting the newlines', () => {
    for (const max of [40, 100, 333, 1000, 1999]) {
      const text = fitList(items, { head: ['h'], max });
      expect(text.length).toBeLessThanOrEqual(max);
      expect(text).toMatch(/…and \d+ more$/);
    }
  });

  it('cuts a last item that alone is too long instead of hiding it', () => {
    const text = fitList(['x'.repeat(3000)], { head: ['h'] });
    expect(text.length).toBe(2000);
    expect(text.startsWith('h\nxxx')).toBe(true);
    expect(text.endsWith('…')).toBe(true);
  });

  it('still fits when the head alone is over the limit', () => {
    expect(fitList(['a'], { head: ['h'.repeat(2500)] }).length).toBe(2000);
  });
});

describe('fitMessage', () => {
  it('cuts content, embed parts and the 6000 in all; drops embeds, fields, rows and buttons past their counts', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `n${i}`.repeat(100), value: 'v'.repeat(2000) }));
    const row = { type: 1, components: Array.from({ length: 7 }, (_, i) => ({ type: 2, style: 1, custom_id: `b${i}`, label: 'b' })) };
    const fitted = fitMessage({
      content: 'c'.repeat(2500),
      embeds: [new EmbedBuilder().setTitle('t'.repeat(200)).setDescription('d'.repeat(4096)), ...Array.from({ length: 12 }, () => ({ title: 't'.repeat(300), fields }))],
      components: Array.from({ length: 7 }, () => row),
    });
    expect(fitted.content!.length).toBe(2000);
    const embeds = fitted.embeds as { title?: string; description?: string; fields?: { name: string; value: string }[] }[];
    expect(embeds).toHaveLength(10);
    const total = embeds.reduce((n, e) => n + (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.fields ?? []).reduce((m, f) => m + f.name.length + f.value.length, 0), 0);
    expect(total).toBeLessThanOrEqual(6000);
    expect(embeds[0]!.title).toBe('t'.repeat(200));
    for (const e of embeds) {
      expect(e.title?.length ?? 0).toBeLessThanOrEqual(256);
      expect(e.fields?.length ?? 0).toBeLessThanOrEqual(25);
      for (const f of e.fields ?? []) {
        expect(f.name.length).toBeLessThanOrEqual(256);
        expect(f.value.length).toBeLessThanOrEqual(1024);
      }
    }
    const rows = fitted.components as { components: unknown[] }[];
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.components.length === 5)).toBe(true);
  });

  it('says how many fields were left out', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `n${i}`, value: 'v' }));
    const [embed] = fitMessage({ embeds: [{ fields }] }).embeds as { fields: { name: string; value: string }[] }[];
    expect(embed!.fields).toHaveLength(25);
    expect(embed!.fields[23]).toEqual({ name: 'n23', value: 'v' });
    expect(embed!.fields[24]).toEqual({ name: '…', value: andMore(6) });
  });

  it('keeps at most 10 files and 10 MiB, dropping from the end', () => {
    const file = (name: string, size: number) => ({ attachment: Buffer.alloc(size), name });
    expect(fitMessage({ files: Array.from({ length: 12 }, (_, i) => file(`${i}.png`, 10)) }).files!.map((f) => f.name)).toEqual(Array.from({ length: 10 }, (_, i) => `${i}.png`));
    expect(fitMessage({ files: [file('grid.png', 6 << 20), file('walk.webp', 6 << 20)] }).files!.map((f) => f.name)).toEqual(['grid.png']);
  });

  it('throws on a custom id over 100 characters (a bug, not user input)', () => {
    expect(() => fitMessage({ components: [{ type: 1, components: [{ type: 2, custom_id: 'x'.repeat(101) }] }] })).toThrow(/custom id over 100/);
  });

  it('leaves a message within the limits as it is', () => {
    const message = { content: 'hi', embeds: [{ title: 't', description: 'd' }], files: [{ attachment: Buffer.alloc(3), name: 'a.png' }] };
    expect(fitMessage(message)).toEqual(message);
  });
});
