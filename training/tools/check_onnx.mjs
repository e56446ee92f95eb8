import * as ort from 'onnxruntime-node';
const dir = 'models/shapes-v1/onnx/';
for (const [f, feeds] of [
  ['text_model.onnx', { input_ids: new ort.Tensor('int64', BigInt64Array.from([2n, 4n, 10n, 3n, 0n, 0n]), [1, 6]) }],
  ['vision_model.onnx', { pixel_values: new ort.Tensor('float32', new Float32Array(2*3*64*64), [2, 3, 64, 64]) }],
  ['prior.onnx', { x_t: new ort.Tensor('float32', new Float32Array(3*128), [3, 128]), timestep: new ort.Tensor('float32', new Float32Array([1,2,3]), [3]), text_embeds: new ort.Tensor('float32', new Float32Array(3*128), [3, 128]) }],
  ['decoder.onnx', { sample: new ort.Tensor('float32', new Float32Array(8*4*16*16), [8, 4, 16, 16]), timestep: new ort.Tensor('float32', new Float32Array(8), [8]), image_embeds: new ort.Tensor('float32', new Float32Array(8*128), [8, 128]) }],
  ['latent_decoder.onnx', { latents: new ort.Tensor('float32', new Float32Array(4*4*16*16), [4, 4, 16, 16]) }],
]) {
  const s = await ort.InferenceSession.create(dir + f);
  const t = performance.now();
  const out = await s.run(feeds);
  console.log(f, s.inputNames, s.outputNames, Object.values(out).map(o => o.dims), (performance.now() - t).toFixed(1), 'ms');
}
