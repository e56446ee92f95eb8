/**
 * Counts the multiply-add FLOPs of one run of an ONNX model (Conv, ConvTranspose, Gemm, MatMul — the
 * ops that dominate), with shapes taken from an actual run: the heavy nodes' inputs and outputs are
 * added as graph outputs, the model is run once on the given feeds, and the shapes read back.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { readOnnx, withExtraOutputs } from './onnx-proto.ts';

const HEAVY = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

export async function countFlops(path: string, feeds: Record<string, ort.Tensor>): Promise<{ flops: number; byOp: Record<string, number> }> {
  const bytes = readFileSync(path);
  const graph = readOnnx(bytes);
  const heavy = graph.nodes.filter((n) => HEAVY.has(n.opType));
  const graphOutputs = new Set<string>();
  const wanted = [...new Set(heavy.flatMap((n) => [n.inputs[0]!, n.inputs[1]!, n.outputs[0]!]))].filter((t) => !graph.initializers.has(t) && !(t in feeds));
  const session = await ort.InferenceSession.create(withExtraOutputs(bytes, wanted), { graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
  for (const o of session.outputNames) graphOutputs.add(o);
  const result = await session.run(feeds);
  const shape = (name: string): readonly number[] => {
    const t = result[name] ?? feeds[name];
    if (t) return t.dims;
    const s = graph.shapes.get(name);
    if (s) return s;
    throw new Error(`no shape for ${name}`);
  };
  const byOp: Record<string, number> = {};
  let flops = 0;
  for (const n of heavy) {
    const out = shape(n.outputs[0]!);
    const w = shape(n.inputs[1]!);
    const prod = (a: readonly number[]) => a.reduce((x, y) => x * y, 1);
    let f = 0;
    if (n.opType === 'Conv') f = 2 * prod(out) * prod(w.slice(1)); // per output: Cin/g · kh · kw MACs
    else if (n.opType === 'ConvTranspose') f = 2 * prod(shape(n.inputs[0]!)) * prod(w.slice(1));
    else {
      const a = shape(n.inputs[0]!);
      const transA = n.opType === 'Gemm' && n.attrs['transA'] === 1;
      const k = transA ? a[a.length - 2]! : a[a.length - 1]!;
      f = 2 * prod(out) * k;
    }
    byOp[n.opType] = (byOp[n.opType] ?? 0) + f;
    flops += f;
  }
  await session.release();
  return { flops, byOp };
}
