/** The messages between a worker process and its model thread (model-thread.ts). Everything on the wire (wire.ts). */
import type { Failure } from '../queue/wire.ts';

export type ToThread =
  | { type: 'run'; id: string; request: unknown }
  | { type: 'abort'; id: string; reason: Failure };

export type FromThread =
  | { type: 'ready'; pack: string; version: string; canGenerate: boolean }
  | { type: 'load-failed'; message: string }
  | { type: 'progress'; id: string; progress: unknown }
  | { type: 'done'; id: string; result: unknown }
  | { type: 'failed'; id: string; failure: Failure };

/** What the thread needs from the configuration (plain data). */
export interface ThreadConfig {
  packDir: string;
  device: 'cpu' | 'cuda';
  threads: number | null;
  steps: number | null;
  priorSteps: number | null;
  cdnHosts: string[];
  maxInputBytes: number;
  /** At most one progress report (with its preview PNG) per this interval. */
  progressIntervalMs: number;
}
