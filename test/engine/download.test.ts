/** The download plan only (the tests never touch the network). */
import { describe, expect, it } from 'vitest';
import { downloadPlan } from '../../src/engine/download.ts';

describe('pack:download plan', () => {
  it('fetches the CLIP files of the transformers.js layout into models/<name>', () => {
    const plan = downloadPlan('Xenova/clip-vit-base-patch32');
    expect(plan.dir).toMatch(/models\/clip-vit-base-patch32$/);
    expect(plan.files.map((f) => f.path)).toEqual([
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'preprocessor_config.json',
      'onnx/text_model.onnx',
      'onnx/vision_model.onnx',
    ]);
    expect(plan.files[4]!.url).toBe('https://huggingface.co/Xenova/clip-vit-base-patch32/resolve/main/onnx/text_model.onnx');
  });
  it('saves quantized models under the names the engine opens, and honours revision and endpoint', () => {
    const plan = downloadPlan('Xenova/clip-vit-base-patch32', { quantized: true, revision: 'v1', endpoint: 'http://mirror.test/', out: '/tmp/x' });
    expect(plan.dir).toBe('/tmp/x');
    expect(plan.files.at(-1)).toEqual({ url: 'http://mirror.test/Xenova/clip-vit-base-patch32/resolve/v1/onnx/vision_model_quantized.onnx', path: 'onnx/vision_model.onnx' });
  });
  it('refuses something that is not owner/name', () => {
    for (const bad of ['../etc/passwd', '../x', 'clip', 'a/b/c']) expect(() => downloadPlan(bad)).toThrow(/not a Hugging Face repository name/);
  });
});
