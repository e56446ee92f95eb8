/**
 * A format-2 pack's sampling defaults in the shape the façade resolves requests with (format 1's
 * DiffusionConfig fields): the decoder's scheduler is "ddim" (the pack's DDIM configuration, or
 * DPM-Solver++ or UniPC on request); the prior always runs the scheduler its pack configuration names.
 */
import type { BlendCurve } from '../blend-curve.ts';
import type { SchedulerName } from '../schedulers/types.ts';
import type { PackV2, PriorV2, DecoderV2 } from './pack-v2.ts';

export interface ModelDefaults {
  defaultScheduler: SchedulerName;
  defaultSteps: number;
  defaultGuidance: number;
  trainSteps: number;
  schedulerSteps: Partial<Record<SchedulerName, number>>;
  variationEta: number;
  /** Real unCLIPs' blends: weight = ratio / 100 (no measured curve). */
  blendCurve: BlendCurve | null;
}

function of(m: PriorV2 | DecoderV2): ModelDefaults {
  return {
    defaultScheduler: 'ddim',
    defaultSteps: m.defaultSteps,
    defaultGuidance: m.defaultGuidance,
    trainSteps: m.scheduler.trainSteps,
    schedulerSteps: {},
    variationEta: 0,
    blendCurve: null,
  };
}

export function unclipDefaults(v2: PackV2): { prior: ModelDefaults; decoder: ModelDefaults } {
  return { prior: of(v2.prior), decoder: of(v2.decoder) };
}
