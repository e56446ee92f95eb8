/**
 * ONNX Runtime sessions: one per model, created once, with measured session options.
 *
 * Options, measured on the 2-core CPU (`npm run bench -- --sweep`, and imagine end to end) while
 * another process kept ~1.3 cores busy, as the bot's host will be when sharp and discord.js work:
 * - heavy models (decoder, latent decoder): intra-op threads = the number of cores, with thread
 *   *spinning off*: idle pool threads that spin fight whatever else runs. imagine (4 images) p50:
 *   2 threads spinning 1.31 s, 2 threads not spinning 0.79 s, 1 thread 0.76 s; not spinning keeps
 *   the second core's gain on an idle machine.
 * - light models (CLIP text and vision, prior): 1 thread. They take ~1 ms, so waking a second
 *   thread costs more than it brings: text, 10 labels, p50: 1 thread 1.2 ms, 2 threads spinning
 *   1.1 ms, 2 threads not spinning 4.9 ms. One thread also leaves a core to sharp, which decodes
 *   the image while the text model runs (classify runs both in parallel).
 * - Inter-op parallelism does not pay for these small graphs: interOpNumThreads = 1, sequential.
 * - graphOptimizationLevel 'all': decoder step at batch 8, 1 thread: basic 48 ms, extended 44 ms,
 *   all 37 ms (the NCHWc layout transforms of 'all' help the convolutions).
 * - the CPU memory arena and memory patterns on: the same shapes run again and again, so buffers
 *   are reused between denoising steps (arena off measured no faster and uses more allocations).
 */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { PackError } from './errors.ts';

export type Device = 'cpu' | 'cuda';
export type Session = ort.InferenceSession;
export { ort };

export interface SessionSettings {
  device: Device;
  /** Intra-op threads of the heavy models (decoder, latent decoder, upsampler). */
  threads: number;
  /** Intra-op threads of the small, latency-bound models (text, vision, prior). */
  lightThreads: number;
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  enableCpuMemArena: boolean;
  enableMemPattern: boolean;
  /** Let idle intra-op threads spin (lower latency on an idle machine, wasted CPU under contention). */
  allowSpinning: boolean;
}

export function defaultSessionSettings(over: Partial<SessionSettings> = {}): SessionSettings {
  return {
    device: 'cpu',
    threads: Math.max(1, availableParallelism()),
    lightThreads: 1,
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
    enableMemPattern: true,
    allowSpinning: false,
    ...over,
  };
}

export function sessionOptions(s: SessionSettings, provider: Device, light: boolean): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    intraOpNumThreads: light ? s.lightThreads : s.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: s.graphOptimizationLevel,
    enableCpuMemArena: s.enableCpuMemArena,
    enableMemPattern: s.enableMemPattern,
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: s.allowSpinning ? '1' : '0' } } },
  };
}

/**
 * Creates a session. With device 'cuda' a failure to start the CUDA provider falls back to the CPU and
 * calls `onFallback` once with the reason (the caller logs one line and remembers the fallback).
 */
export async function createSession(
  path: string,
  file: string,
  settings: SessionSettings,
  onFallback?: (reason: string) => void,
  light = false,
): Promise<{ session: Session; device: Device }> {
  if (settings.device === 'cuda') {
    try {
      // Severity fatal only, for the session and for onnxruntime's process-wide logger (set when the
      // first session is created): a failure to load the CUDA provider is reported once, by onFallback.
      ort.env.logLevel = 'fatal';
      return { session: await ort.InferenceSession.create(path, { ...sessionOptions(settings, 'cuda', light), logSeverityLevel: 4 }), device: 'cuda' };
    } catch (err) {
      onFallback?.(err instanceof Error ? err.message.split('\n')[0]! : String(err));
    }
  }
  try {
    return { session: await ort.InferenceSession.create(path, sessionOptions(settings, 'cpu', light)), device: 'cpu' };
  } catch (err) {
    throw new PackError(file, `not a loadable ONNX model (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
}

export interface IoSpec {
  name: string;
  type: ort.Tensor.Type;
  /** Expected rank and, where a number is given, the fixed size of that axis; null = any. */
  dims: (number | null)[];
}

/** Checks the session's inputs and outputs by name, type and rank; a mismatch names the file. */
export function checkIo(session: Session, file: string, inputs: IoSpec[], outputs: IoSpec[], optionalInputs: IoSpec[] = []): void {
  const check = (kind: 'input' | 'output', meta: readonly ort.InferenceSession.ValueMetadata[], specs: IoSpec[]) => {
    for (const spec of specs) {
      const m = meta.find((x) => x.name === spec.name);
      if (!m && optionalInputs.includes(spec)) continue;
      if (!m) {
        throw new PackError(file, `has no ${kind} named "${spec.name}" (its ${kind}s: ${meta.map((x) => x.name).join(', ') || 'none'})`);
      }
      if (!m.isTensor) throw new PackError(file, `${kind} "${spec.name}" must be a tensor`);
      if (m.type !== spec.type) throw new PackError(file, `${kind} "${spec.name}" must be ${spec.type} (is ${m.type})`);
      if (m.shape.length > 0 && m.shape.length !== spec.dims.length) {
        throw new PackError(file, `${kind} "${spec.name}" must have rank ${spec.dims.length} (has shape [${m.shape.join(', ')}])`);
      }
      spec.dims.forEach((want, axis) => {
        const got = m.shape[axis];
        if (want !== null && typeof got === 'number' && got > 0 && got !== want) {
          throw new PackError(file, `${kind} "${spec.name}" axis ${axis} must be ${want} (is ${got})`);
        }
      });
    }
    if (kind === 'input') {
      const extra = meta.filter((m) => !specs.some((s) => s.name === m.name));
      if (extra.length > 0) throw new PackError(file, `has unexpected inputs: ${extra.map((m) => m.name).join(', ')}`);
    }
  };
  check('input', session.inputMetadata, [...inputs, ...optionalInputs]);
  check('output', session.outputMetadata, outputs);
}

/** Runs a session and returns one named float32 output's data. */
export async function runFloat(session: Session, feeds: Record<string, ort.Tensor>, output: string): Promise<Float32Array> {
  const result = await session.run(feeds);
  const t = result[output];
  if (!t) throw new Error(`model output "${output}" missing`);
  const data = t.data;
  if (!(data instanceof Float32Array)) throw new Error(`model output "${output}" is not float32`);
  for (const v of Object.values(result)) if (v !== t) v.dispose();
  return data;
}

export function floatTensor(data: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}
