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
