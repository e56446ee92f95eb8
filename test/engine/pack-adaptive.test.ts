/**
 * What the bot reads from the pack it runs (issue 14 item 4), without models: describe's captions
 * (a world's, a pack's own list, the general labels), the prompt limit (pack.json, else the
 * tokenizer), the summary the commands state, and images fitted under an upload limit.
 */
import { readFileSync, rmSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { captionSource, GENERAL_LABELS } from '../../src/engine/captions.ts';
import { fitImageBytes } from '../../src/engine/fit-bytes.ts';
import { parseManifest } from '../../src/engine/manifest.ts';
import { readPackSummary } from '../../src/engine/pack-files.ts';
import { DEFAULT_WORLD } from '../../src/engine/world.ts';
import { PACK_DIR } from './pack-fixture.ts';
import { REAL_WEIGHTS } from './real-weights-parity.ts';
import { tinyClipOnlyPack } from './tiny-packs.ts';

const shapes = JSON.parse(readFileSync(`${PACK_DIR}/pack.json`, 'utf8')) as Record<string, unknown>;
const { world: _world, ...worldless } = shapes;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A CLIP-only pack folder (no pack.json), tokenizer_config.json patched. */
function clipOnlyPack(tokenizerConfig: Record<string, unknown>): string {
  const pack = tinyClipOnlyPack(tokenizerConfig);
  dirs.push(pack.dir);
  return pack.dir;
}

describe('describe: what it ranks for a pack', () => {
  it('a world\'s captions; the pack\'s own captions or labels (in their template); else the general labels', () => {
    expect(captionSource(parseManifest(shapes))).toMatchObject({ kind: 'world', captions: expect.arrayContaining(['a big red star on a blue background']) });
    expect(captionSource(parseManifest(shapes)).captions).toHaveLength(3 * 11 * 5 * 10);
    expect(captionSource(parseManifest({ ...worldless, describe: { captions: ['a harbour at dawn', 'a cat asleep'] } }))).toEqual({ kind: 'captions', captions: ['a harbour at dawn', 'a cat asleep'] });
    expect(captionSource(parseManifest({ ...worldless, describe: { labels: ['a cat', 'a dog'], template: 'a drawing of {}' } }))).toEqual({
      kind: 'labels',
      captions: ['a drawing of a cat', 'a drawing of a dog'],
      template: 'a drawing of {}',
    });
    const general = captionSource(parseManifest(worldless));
    expect(general.kind).toBe('general');
    expect(general.captions).toHaveLength(GENERAL_LABELS.length);
    expect(general.captions).toContain('a photo of a dog');
    expect(captionSource(null).kind).toBe('general');
    expect(new Set(GENERAL_LABELS).size).toBe(GENERAL_LABELS.length);
  });

  it.each([
    [{ captions: ['only one'] }, /describe\.captions must be an array of 2 to 10000 non-empty strings/],
    [{ labels: ['a cat', ' '] }, /describe\.labels must be an array/],
    [{ labels: ['a cat', 'a dog'], template: 'a photo' }, /describe\.template must be a string with \{\}/],
    [{ labels: ['a cat', 'a dog'], captions: ['x', 'y'] }, /describe must have "captions" or "labels" \(one of them\)/],
  ])('names the field of a malformed describe (%#)', (describe, message) => {
    expect(() => parseManifest({ ...worldless, describe })).toThrow(message);
  });
});

describe('the pack summary the commands state', () => {
  it('the bundled pack: 32 tokens, a world, its guidance', async () => {
    expect(await readPackSummary(PACK_DIR)).toEqual({ name: 'shapes-v1', contextLength: 32, canGenerate: true, hasWorld: true, defaultGuidance: (shapes['decoder'] as { default_guidance: number }).default_guidance });
  });

  it('a format-2 pack: its context, no world, the decoder\'s guidance', async () => {
    expect(await readPackSummary(`${REAL_WEIGHTS}kandinsky-2-2-tiny`)).toEqual({ name: 'kandinsky-2-2-tiny', contextLength: 77, canGenerate: true, hasWorld: false, defaultGuidance: 4 });
  });

  it('a CLIP-only pack: the tokenizer\'s model_max_length, within the text model\'s positions', async () => {
    expect(await readPackSummary(clipOnlyPack({ model_max_length: 64 }))).toMatchObject({ contextLength: 64, canGenerate: false, hasWorld: false, defaultGuidance: null });
    // transformers writes a huge number when a tokenizer sets no limit: then the positions (77).
    expect((await readPackSummary(clipOnlyPack({ model_max_length: 1e30 }))).contextLength).toBe(77);
    expect((await readPackSummary(clipOnlyPack({ model_max_length: undefined }))).contextLength).toBe(77);
  });
});

describe('images within an upload limit', () => {
  const noise = (side: number) => {
    const data = Buffer.alloc(side * side * 3);
    let s = 12345;
    for (let i = 0; i < data.length; i++) data[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
    return sharp(data, { raw: { width: side, height: side, channels: 3 } }).png().toBuffer();
  };

  it('a PNG that fits stays as it is', async () => {
    const png = await noise(64);
    const fitted = await fitImageBytes(png, png.length);
    expect(fitted.format).toBe('png');
    expect(fitted.data).toBe(png);
  });

  it('one over the limit becomes a JPEG at the highest quality that fits, same size; a very small limit halves it', async () => {
    const png = await noise(512); // ~790 KB of noise
    const fitted = await fitImageBytes(png, 400_000);
    expect(fitted).toMatchObject({ format: 'jpeg', width: 512, height: 512 });
    expect(fitted.data.length).toBeLessThanOrEqual(400_000);
    expect(await sharp(fitted.data).metadata()).toMatchObject({ format: 'jpeg', width: 512, height: 512 });
    const tiny = await fitImageBytes(png, 30_000);
    expect(tiny.data.length).toBeLessThanOrEqual(30_000);
    expect(tiny.width).toBeLessThan(512);
  });
});

it('the shapes world is what the bundled pack declares', () => {
  expect(parseManifest(shapes).world).toEqual(DEFAULT_WORLD);
});
