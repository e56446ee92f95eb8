/** Where the bundled pack is, for the tests that run the real ONNX models. */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));
export const PACK_NAME = 'shapes-v1';
export const PACK_DIR = `${MODELS_DIR}${PACK_NAME}`;

export interface PackJson {
  metrics?: Record<string, unknown>;
  training?: { stages?: { clip?: { zero_shot?: unknown } } };
}

/** The bundled pack.json, for the claims it makes about itself (`metrics`, `training`). */
export function packJson(): PackJson {
  return JSON.parse(readFileSync(`${PACK_DIR}/pack.json`, 'utf8')) as PackJson;
}

/** The labelled evaluation images of the shapes world (training/fixtures.py). */
export const WORLD_FIXTURES = fileURLToPath(new URL('../fixtures/world/', import.meta.url));

export interface WorldFixture {
  file: string;
  split: 'seen' | 'heldout';
  colour: string;
  shape: string;
}
export interface WorldLabels {
  colours: string[];
  shapes: string[];
  images: WorldFixture[];
}

export function worldLabels(): WorldLabels {
  return JSON.parse(readFileSync(`${WORLD_FIXTURES}labels.json`, 'utf8')) as WorldLabels;
}

/** The 55 zero-shot classes 'a <colour> <shape>', as training/eval.py judges. */
export function colourShapeClasses(labels: WorldLabels): { label: string; colour: string; shape: string }[] {
  return labels.colours.flatMap((colour) => labels.shapes.map((shape) => ({ label: `a ${colour} ${shape}`, colour, shape })));
}
