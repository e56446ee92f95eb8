/**
 * The guided denoising loop of format-2 models: the model's conditioning inputs are whole tensors for
 * the batch ([uncond…, cond…] when guided, as diffusers stacks them), a learned-variance output keeps
 * its first C channels as the prediction, and classifier-free guidance applies when guidance > 1
 * (diffusers' rule). Noise comes from one source per row: the initial sample, then each noisy step.
 */
import { throwIfAborted } from '../errors.ts';
import { floatTensor, runFloat, type ort, type Session } from '../sessions.ts';
import type { DenoiseScheduler } from './schedulers.ts';

/** Standard-normal numbers (the engine's seeded Rng; tests replay diffusers' draws). */
export interface NoiseSource {
  fillNormal(out: Float32Array): Float32Array;
}

export interface DenoiseRequest {
  session: Session;
  /** The model for the last step, if another (Karlo's super_res_last). */
  lastStepSession?: Session;
  /** Names of the noisy sample and timestep inputs, and of the output. */
  names: { sample: string; timestep: string; output: string };
  rowShape: number[];
  /** Channels of the model output per row (rowShape[0] or twice it, learned variance). */
  outputChannels?: number;
  /** Conditioning inputs for all model rows: 2B rows when guided, else B. */
  cond: Record<string, ort.Tensor>;
  guided: boolean;
  guidance: number;
  /** DDIM's η (0: deterministic). */
  eta?: number;
  scheduler: DenoiseScheduler;
  steps: number;
  noise: readonly NoiseSource[];
  signal?: AbortSignal;
  onStep?: (step: number, steps: number, x0: Float32Array) => void;
}

/** Values [from, from + keep) of every `row` values (prediction or variance channels of a learned-variance output). */
function channels(out: Float32Array, rows: number, row: number, keep: number, from = 0): Float32Array {
  if (row === keep) return out;
  const res = new Float32Array(rows * keep);
  for (let r = 0; r < rows; r++) res.set(out.subarray(r * row + from, r * row + from + keep), r * keep);
  return res;
}

export async function denoise(req: DenoiseRequest): Promise<Float32Array> {
  const B = req.noise.length;
  const rowSize = req.rowShape.reduce((a, b) => a * b, 1);
  const outRow = req.outputChannels ? (rowSize / req.rowShape[0]!) * req.outputChannels : rowSize;
  const rows = req.guided ? 2 * B : B;
  const scheduler = req.scheduler;
  scheduler.setTimesteps(req.steps);
  let x: Float32Array = new Float32Array(B * rowSize);
  req.noise.forEach((src, i) => src.fillNormal(x.subarray(i * rowSize, (i + 1) * rowSize)));
  if (scheduler.initNoiseSigma !== 1) for (let i = 0; i < x.length; i++) x[i]! *= scheduler.initNoiseSigma;
  const input = new Float32Array(rows * rowSize);
  const timestep = new Float32Array(rows);
  const timesteps = scheduler.timesteps;
  for (let s = 0; s < timesteps.length; s++) {
    throwIfAborted(req.signal);
    const t = timesteps[s]!;
    input.set(x, 0);
    if (req.guided) input.set(x, B * rowSize);
    timestep.fill(t);
    const session = s === timesteps.length - 1 && req.lastStepSession ? req.lastStepSession : req.session;
    const raw = await runFloat(
      session,
      { [req.names.sample]: floatTensor(input, [rows, ...req.rowShape]), [req.names.timestep]: floatTensor(timestep, [rows]), ...req.cond },
      req.names.output,
    );
    if (raw.length !== rows * outRow) throw new RangeError(`the model returned ${raw.length} values, expected ${rows}×${outRow}`);
    const out = channels(raw, rows, outRow, rowSize);
    // A learned variance goes to the scheduler from the conditional rows (diffusers keeps the text half's).
    const variance = scheduler.usesVariance && outRow === 2 * rowSize ? channels(raw, rows, outRow, rowSize, rowSize).subarray(req.guided ? B * rowSize : 0) : undefined;
    let pred = out;
    if (req.guided) {
      pred = new Float32Array(B * rowSize);
      const half = B * rowSize;
      for (let i = 0; i < half; i++) pred[i] = out[i]! + req.guidance * (out[half + i]! - out[i]!);
    }
    let noise: Float32Array | undefined;
    const eta = req.eta ?? 0;
    if (scheduler.needsNoise(s, eta)) {
      noise = new Float32Array(B * rowSize);
      req.noise.forEach((src, i) => src.fillNormal(noise!.subarray(i * rowSize, (i + 1) * rowSize)));
    }
    const { prevSample, predOriginal } = scheduler.step(pred, t, x, { eta, ...(noise ? { noise } : {}), ...(variance ? { predictedVariance: variance } : {}) });
    x = prevSample;
    req.onStep?.(s + 1, timesteps.length, predOriginal);
  }
  throwIfAborted(req.signal);
  return x;
}
