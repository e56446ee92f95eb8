/**
 * The unCLIP prior: a normalized CLIP text embedding → normalized CLIP image embeddings.
 * It diffuses x = normalize(image_embed) · embed_scale (PACK.md), guided by the text embedding.
 */
import type { PriorConfig } from './manifest.ts';
import type { Rng } from './rng.ts';
import { sample } from './sampler.ts';
import type { Schedulers, SchedulerName } from './schedulers/index.ts';
import type { Session } from './sessions.ts';
import { l2normalize, splitRows, stackRows } from './vectors.ts';

export interface PriorRequest {
  /** One normalized text embedding per output row. */
  textEmbeds: readonly Float32Array[];
  rngs: readonly Rng[];
  scheduler: SchedulerName;
  steps: number;
  guidance: number;
  signal?: AbortSignal;
  onStep?: (step: number, steps: number) => void;
}

export class Prior {
  constructor(
    private readonly session: Session,
    readonly config: PriorConfig,
    readonly dim: number,
    /** Built once from the prior's schedule in pack.json. */
    private readonly schedulers: Schedulers,
  ) {}

  async sample(req: PriorRequest): Promise<Float32Array[]> {
    const x = await sample({
      session: this.session,
      names: { sample: 'x_t', timestep: 'timestep', cond: 'text_embeds', output: 'model_output' },
      rowShape: [this.dim],
      cond: stackRows(req.textEmbeds),
      condDim: this.dim,
      scheduler: this.schedulers.get(req.scheduler),
      steps: req.steps,
      guidance: req.guidance,
      rngs: req.rngs,
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.onStep ? { onStep: (s: number, n: number) => req.onStep!(s, n) } : {}),
    });
    // Dividing by embed_scale before normalizing changes nothing but documents the space.
    return splitRows(x, req.rngs.length).map((row) => l2normalize(row.map((v) => v / this.config.embedScale)));
  }
}
