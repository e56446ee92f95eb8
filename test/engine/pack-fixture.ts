/** Where the bundled pack is, for the tests that run the real ONNX models. */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));
export const PACK_NAME = 'shapes-v1';
export const PACK_DIR = `${MODELS_DIR}${PACK_NAME}`;

/** pack.json's `metrics` (the model card's evaluation numbers), {} when absent. */
export function packMetrics(): Record<string, unknown> {
  const pack = JSON.parse(readFileSync(`${PACK_DIR}/pack.json`, 'utf8')) as { metrics?: Record<string, unknown> };
  return pack.metrics ?? {};
}
