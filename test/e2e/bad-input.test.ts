/** Each bad input gets its own ephemeral message saying what to change, and the bot goes on serving. */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { hasResult, isEphemeral, shapePng, useHarness } from './harness.ts';

const h = useHarness();

async function bigPng(): Promise<Buffer> {
  // 7072 × 7072 ≈ 50 megapixels, a few hundred kB once compressed.
  return sharp({ create: { width: 7072, height: 7072, channels: 3, background: { r: 40, g: 90, b: 220 } } }).png({ compressionLevel: 9 }).toBuffer();
}

function corruptPng(good: Buffer): Buffer {
  const broken = Buffer.from(good.subarray(0, 60)); // the signature and header survive, the pixels do not
  return Buffer.concat([broken, Buffer.from('this is not deflate data at all')]);
}

describe('bad input', () => {
  const cases: [string, () => Promise<{ command: string; options: Record<string, unknown> }>, RegExp][] = [
    ['a text file', async () => ({ command: 'vary', options: { image: { filename: 'notes.txt', data: Buffer.from('hello') } } }), /not an image \(text\/plain\)/],
    ['a corrupt PNG', async () => ({ command: 'vary', options: { image: { filename: 'broken.png', data: corruptPng(await shapePng()) } } }), /corrupt|truncated|could not be read|not a valid/i],
    ['a 0-byte file', async () => ({ command: 'vary', options: { image: { filename: 'empty.png', data: Buffer.alloc(0) } } }), /empty \(0 bytes\)/],
    ['a 50-megapixel PNG', async () => ({ command: 'vary', options: { image: { filename: 'huge.png', data: await bigPng() } } }), /pixels|too large|megapixel/i],
    ['an SVG', async () => ({ command: 'vary', options: { image: { filename: 'drawing.svg', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') } } }), /SVG/],
    ['a link outside Discord’s CDN', async () => ({ command: 'vary', options: { image: { filename: 'x.png', data: await shapePng(), url: 'https://example.com/x.png' } } }), /not on Discord's CDN \(example\.com\)/],
    ['one label', async () => ({ command: 'classify', options: { image: { filename: 'a.png', data: await shapePng() }, labels: 'cat' } }), /at least 2 labels/],
    ['21 labels', async () => ({ command: 'classify', options: { image: { filename: 'a.png', data: await shapePng() }, labels: Array.from({ length: 21 }, (_, i) => `label ${i}`).join(', ') } }), /Too many labels: 21/],
    ['duplicate labels', async () => ({ command: 'classify', options: { image: { filename: 'a.png', data: await shapePng() }, labels: 'cat, dog, Cat' } }), /Duplicate label/],
    ['an empty prompt', async () => ({ command: 'imagine', options: { prompt: '   ' } }), /prompt is empty/],
    ['a blend with one bad image', async () => ({ command: 'blend', options: { first: { filename: 'a.png', data: await shapePng() }, second: { filename: 'b.txt', data: Buffer.from('x') } } }), /The second image \(b\.txt\) is not an image/],
  ];

  for (const [what, make, message] of cases) {
    it(`${what}: an ephemeral message saying what to change, and nothing public`, async () => {
      const user = h.discord.addUser(`u${Math.random().toString(36).slice(2, 8)}`);
      const { command, options } = await make();
      const run = h.discord.slash(user, command, options as never);
      const answer = await run.waitForEphemeral();
      expect(answer.content).toMatch(message);
      await h.discord.waitUntil(() => (run.messages().every(isEphemeral) ? true : null), 10_000, 'the public "thinking…" message to go');
    });
  }

  it('after all that, the bot still serves the next command', async () => {
    const user = h.discord.addUser('after');
    const result = await h.discord.slash(user, 'imagine', { prompt: 'a big red star', count: 1 }).waitForMessage(hasResult);
    expect(result.attachments).toHaveLength(1);
    expect(h.logs.filter((l) => l['level'] === 'error')).toEqual([]);
  });
});
