/** A result's files within Discord's 10 MiB per message: the grid re-encoded when it is over it alone, the animation dropped first (and said so). */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderImages, resultFiles } from '../../src/discord/delivery.ts';
import { fr } from '../../src/discord/i18n/fr.ts';
import { LIMITS } from '../../src/discord/limits.ts';
import type { ImagesResult } from '../../src/discord/request.ts';
import { imageUpload } from '../../src/discord/uploads.ts';
import { emb } from './fakes.ts';

const png = (side: number, noisy: boolean) => {
  const data = Buffer.alloc(side * side * 3, 90);
  if (noisy) for (let i = 0, s = 7; i < data.length; i++) data[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  return sharp(data, { raw: { width: side, height: side, channels: 3 } }).png().toBuffer();
};
const result = (grid: Buffer, extra: Partial<ImagesResult> = {}): ImagesResult => ({ kind: 'images', images: [grid], grid, embeddings: [emb(1, 0)], seed: 9, timings: {}, ...extra });

describe('uploads within the limit', () => {
  it('a PNG that fits goes as it is; one over the budget as a JPEG of the same size', async () => {
    const small = await png(64, false);
    expect(await imageUpload(small, 'x')).toEqual({ attachment: small, name: 'x.png' });
    const noisy = await png(256, true);
    const fitted = await imageUpload(noisy, 'x', noisy.length - 1);
    expect(fitted.name).toBe('x.jpg');
    expect(fitted.attachment.length).toBeLessThan(noisy.length);
    expect(await sharp(fitted.attachment).metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 256 });
  });

  it('an animation that would take the message over 10 MiB is left out, and the message says so', async () => {
    const grid = await png(64, false);
    const big = Buffer.alloc(LIMITS.uploadBytes, 1);
    expect((await resultFiles(result(grid, { animation: big }))).map((f) => f.name)).toEqual(['unclip-9.png']);
    const payload = await renderImages('**a walk**', result(grid, { animation: big }));
    expect(payload.content).toContain("(the animation is over Discord's 10 MiB per message, so it is left out)");
    expect((await renderImages('**a walk**', result(grid, { animation: big }), fr)).content).toContain('(l’animation dépasse les 10 Mio par message de Discord : elle est laissée de côté)');
    const kept = await renderImages('**a walk**', result(grid, { animation: Buffer.from('webp') }));
    expect(kept.files!.map((f) => f.name)).toEqual(['unclip-9.png', 'unclip-9-walk.webp']);
    expect(kept.content).not.toContain('left out');
  });
});
