/**
 * Variations keep the source's colour: each variation of a held-out fixture image (64×64 renders of
 * (colour, shape, background) triples never seen in training) is classified by the pack's CLIP
 * (55-way 'a <colour> <shape>', through the engine's classify) and its colour compared with the
 * source's label. The rate is at least what the model card claims (pack.json
 * `metrics.variations_heldout.colour`, from training/eval.py), less two binomial standard errors of
 * this sample (see accuracy.test.ts). Before the evaluation has written its numbers, the bar is that
 * three variations in four keep the colour.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { colourShapeClasses, PACK_DIR, packJson, WORLD_FIXTURES as FIXTURES, worldLabels, type WorldLabels } from './pack-fixture.ts';


let engine: Engine;
let labels: WorldLabels;
let claim: { colour: number; n: number } | undefined;
const CLASSES: { label: string; colour: string; shape: string }[] = [];

beforeAll(async () => {
  engine = await Engine.load({ packDir: PACK_DIR });
  labels = worldLabels();
  claim = packJson().metrics?.['variations_heldout'] as typeof claim;
  CLASSES.push(...colourShapeClasses(labels));
});
afterAll(() => engine?.close());

async function predictColour(image: Buffer): Promise<string> {
  const [top] = await engine.classify(
    image,
    CLASSES.map((c) => c.label),
    { maxLabels: CLASSES.length },
  );
  return CLASSES.find((c) => c.label === top!.label)!.colour;
}

function floor(claimed: number, n: number, nClaim: number): number {
  const p = Math.min(Math.max(claimed, 3 / nClaim), 1 - 3 / nClaim);
  return claimed - 2 * Math.sqrt((p * (1 - p)) / n);
}

describe('variations', () => {
  it("keep the source's colour (read by CLIP classify of each output) as often as the card claims", async () => {
    // Big held-out objects (as the card's evaluation uses), 10 sources × 4 variations, fixed seeds.
    const sources = labels.images.filter((f) => f.split === 'heldout' && f.file.includes('-big-')).filter((_, i) => i % 6 === 0).slice(0, 10);
    expect(sources.length).toBeGreaterThanOrEqual(8);
    let kept = 0;
    let n = 0;
    for (const [i, src] of sources.entries()) {
      const gen = await engine.vary(await readFile(`${FIXTURES}${src.file}`), { n: 4, seed: 1000 + i });
      for (const png of gen.images) {
        n++;
        if ((await predictColour(png)) === src.colour) kept++;
      }
    }
    const bar = claim ? floor(claim.colour, n, claim.n) : 0.75;
    const report = `colour kept in ${kept}/${n} variations; ${claim ? `card claims ${claim.colour} (n ${claim.n})` : 'no card claim yet'}; bar ${bar.toFixed(3)}`;
    console.log(report);
    expect(kept / n, report).toBeGreaterThanOrEqual(bar);
  }, 180_000);
});
