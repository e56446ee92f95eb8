/**
 * The denoising loop shared by the prior and the decoder (diffusers style: the pipeline composes a
 * model and a scheduler it is handed): `scheduler.setTimesteps(steps)`, start from noise, and at each
 * timestep run the model on one batch — [uncond…, cond…] when guided — combine the halves with
 * classifier-free guidance, and `scheduler.step` to the next sample.
 */
import { throwIfAborted } from './errors.ts';
import type { Rng } from './rng.ts';
import type { Scheduler } from './schedulers/types.ts';
import { floatTensor, runFloat, type Session } from './sessions.ts';

export interface SampleRequest {
  session: Session;
  /** Input names: the noisy sample, the timestep and the conditioning embedding. */
  names: { sample: string; timestep: string; cond: string; output: string };
  /** Shape of one row of the sample (e.g. [D] or [C, h, w]). */
  rowShape: number[];
  /** Conditioning embeddings, one per row, L2-normalized, [B, D] flat. */
  cond: Float32Array;
  condDim: number;
  /** A scheduler for this run alone (its state is reset by setTimesteps). */
  scheduler: Scheduler;
  steps: number;
  guidance: number;
  /** DDIM's η (0 unless the scheduler is stochastic). */
  eta?: number;
  /** One RNG per row: the initial noise and the η noise of row i come from rngs[i] only. */
  rngs: readonly Rng[];
  signal?: AbortSignal;
  /** Called after each step with the current x0 estimate ([B, …row] flat). */
  onStep?: (step: number, steps: number, x0: Float32Array) => void;
}

/**
 * Classifier-free guidance on a [uncond…, cond…] batch output: out = u + g·(c − u).
 * Returns the B guided rows (the first half's size).
 */
export function applyGuidance(output: Float32Array, guidance: number): Float32Array {
  const half = output.length / 2;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const u = output[i]!;
    out[i] = u + guidance * (output[half + i]! - u);
  }
  return out;
}

export async function sample(req: SampleRequest): Promise<Float32Array> {
  const B = req.rngs.length;
  const rowSize = req.rowShape.reduce((a, b) => a * b, 1);
  const D = req.condDim;
  if (req.cond.length !== B * D) throw new RangeError(`conditioning has ${req.cond.length} values, expected ${B}×${D}`);
  const guided = req.guidance !== 1;
  const rows = guided ? 2 * B : B;
  const scheduler = req.scheduler;
  const eta = req.eta ?? 0;
  scheduler.setTimesteps(req.steps);

  let x: Float32Array = new Float32Array(B * rowSize);
  req.rngs.forEach((rng, i) => rng.fillNormal(x.subarray(i * rowSize, (i + 1) * rowSize)));
  if (scheduler.initNoiseSigma !== 1) for (let i = 0; i < x.length; i++) x[i]! *= scheduler.initNoiseSigma;

  // The conditioning batch is the same at every step: zeros (the null embedding) then the embeddings.
  const cond = new Float32Array(rows * D);
  cond.set(req.cond, guided ? B * D : 0);
  const condTensor = floatTensor(cond, [rows, D]);
  const input = new Float32Array(rows * rowSize);
  const timestep = new Float32Array(rows);
  const timesteps = scheduler.timesteps;
  const steps = timesteps.length;

  for (let s = 0; s < steps; s++) {
    throwIfAborted(req.signal);
    const t = timesteps[s]!;
    input.set(x, 0);
    if (guided) input.set(x, B * rowSize);
    timestep.fill(t);
    const out = await runFloat(
      req.session,
      {
        [req.names.sample]: floatTensor(input, [rows, ...req.rowShape]),
        [req.names.timestep]: floatTensor(timestep, [rows]),
        [req.names.cond]: condTensor,
      },
      req.names.output,
    );
    const modelOutput = guided ? applyGuidance(out, req.guidance) : out;
    let noise: Float32Array | undefined;
    if (scheduler.needsNoise(s, eta)) {
      noise = new Float32Array(B * rowSize);
      req.rngs.forEach((rng, i) => rng.fillNormal(noise!.subarray(i * rowSize, (i + 1) * rowSize)));
    }
    const { prevSample, predOriginal } = scheduler.step(modelOutput, t, x, { eta, ...(noise ? { noise } : {}) });
    x = prevSample;
    req.onStep?.(s + 1, steps, predOriginal);
  }
  throwIfAborted(req.signal);
  return x;
}
