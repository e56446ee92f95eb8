/** The podium of a battle's top three, drawn with sharp: their pictures on gold, silver and bronze steps. */
import sharp, { type OverlayOptions } from 'sharp';

const CELL = 128;
const GAP = 16;
const STEPS = [
  { place: 2, height: 56, colour: '#c0c0c8' },
  { place: 1, height: 88, colour: '#e8c547' },
  { place: 3, height: 36, colour: '#c57f3e' },
];
const WIDTH = STEPS.length * CELL + (STEPS.length + 1) * GAP;
const HEIGHT = GAP + CELL + GAP + Math.max(...STEPS.map((s) => s.height));

/** `images[0]` is the winner's PNG, then second and third; a place nobody took has no step. */
export async function podiumPng(images: (Buffer | null)[]): Promise<Buffer> {
  const floor = HEIGHT;
  const steps = STEPS.map((s, i) => {
    if (!images[s.place - 1]) return '';
    const x = GAP + i * (CELL + GAP);
    return `<rect x="${x}" y="${floor - s.height}" width="${CELL}" height="${s.height}" fill="${s.colour}"/>` +
      // the place, as a number on its step
      `<text x="${x + CELL / 2}" y="${floor - s.height / 2 + 11}" text-anchor="middle" font-family="sans-serif" font-weight="bold" font-size="30" fill="#2b2d31">${s.place}</text>`;
  });
  const background = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}"><rect width="100%" height="100%" fill="#2b2d31"/>${steps.join('')}</svg>`);
  const layers: OverlayOptions[] = [];
  for (const [i, s] of STEPS.entries()) {
    const image = images[s.place - 1];
    if (!image) continue;
    const input = await sharp(image).resize(CELL, CELL, { fit: 'cover' }).png().toBuffer();
    layers.push({ input, left: GAP + i * (CELL + GAP), top: HEIGHT - s.height - CELL - 4 });
  }
  return sharp(background).composite(layers).png().toBuffer();
}
