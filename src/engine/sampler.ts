/**
 * The denoising loop shared by the prior and the decoder (diffusers style: the pipeline composes a
 * model and a scheduler): start from noise, and at each timestep run the model on one batch —
 * [uncond…, cond…] when guided — combine with classifier-free guidance, and step the scheduler.
 */
import { throwIfAborted } from './errors.ts';
import type { Rng } from './rng.ts';
import { applyGuidance } from './schedulers/ddim.ts';
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
  scheduler: Scheduler;
  guidance: number;
  /** One RNG per row: the initial noise and the η noise of row i come from rngs[i] only. */
  rngs: readonly Rng[];
  /** Multiplies the initial noise (1 for the variance-preserving schedules of PACK.md). */
  initScale?: number;
  signal?: AbortSignal;
  /** Called after each step with the current x0 estimate ([B, …row] flat). */
  onStep?: (step: number, steps: number, x0: Float32Array) => void;
}

export async function sample(req: SampleRequest): Promise<Float32Array> {
  const B = req.rngs.length;
  const rowSize = req.rowShape.reduce((a, b) => a * b, 1);
  const D = req.condDim;
  if (req.cond.length !== B * D) throw new RangeError(`conditioning has ${req.cond.length} values, expected ${B}×${D}`);
  const guided = req.guidance !== 1;
  const rows = guided ? 2 * B : B;

  let x: Float32Array = new Float32Array(B * rowSize);
  req.rngs.forEach((rng, i) => rng.fillNormal(x.subarray(i * rowSize, (i + 1) * rowSize)));
  if (req.initScale !== undefined && req.initScale !== 1) for (let i = 0; i < x.length; i++) x[i]! *= req.initScale;

  // The conditioning batch is the same at every step: zeros (the null embedding) then the embeddings.
  const cond = new Float32Array(rows * D);
  cond.set(req.cond, guided ? B * D : 0);
  const condTensor = floatTensor(cond, [rows, D]);
  const input = new Float32Array(rows * rowSize);
  const timestep = new Float32Array(rows);
  const steps = req.scheduler.timesteps.length;

  for (let s = 0; s < steps; s++) {
    throwIfAborted(req.signal);
    const t = req.scheduler.timesteps[s]!;
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
    if (req.scheduler.needsNoise && s < steps - 1) {
      noise = new Float32Array(B * rowSize);
      req.rngs.forEach((rng, i) => rng.fillNormal(noise!.subarray(i * rowSize, (i + 1) * rowSize)));
    }
    const { prevSample, predOriginal } = req.scheduler.step(modelOutput, s, x, noise);
    x = prevSample;
    req.onStep?.(s + 1, steps, predOriginal);
  }
  throwIfAborted(req.signal);
  return x;
}
