/**
 * The model thread of a worker process: loads the engine and runs one request at a time with the
 * bot's own processor (src/discord/processor.ts), so the process's event loop (BullMQ's lock
 * renewal, cancels) never waits for the model. Progress goes out at most once per interval, with its
 * preview PNG computed here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Downloads } from '../discord/attachments.ts';
import type { Config } from '../discord/config.ts';
import { runRequest } from '../discord/processor.ts';
import type { JobRequest } from '../discord/request.ts';
import { Engine, UserInputError, type Progress } from '../engine/index.ts';
import { JobCancelledError, JobTimeoutError } from '../queue/errors.ts';
import { fromWire, toWire, type Failure } from '../queue/wire.ts';
import type { FromThread, ThreadConfig, ToThread } from './protocol.ts';

const port = parentPort!;
const config = (workerData as { config: ThreadConfig }).config;
const send = (message: FromThread) => port.postMessage(message);
const controllers = new Map<string, AbortController>();

function failureOf(error: unknown): Failure {
  if (error instanceof JobTimeoutError) return { kind: 'timeout', message: error.message, seconds: error.seconds };
  if (error instanceof JobCancelledError) return { kind: 'cancelled', message: error.message };
  if (error instanceof UserInputError) return { kind: 'user', message: error.message };
  return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
}

async function main(): Promise<void> {
  let engine: Engine;
  try {
    engine = await Engine.load({ packDir: config.packDir, device: config.device, ...(config.threads ? { threads: config.threads } : {}) });
  } catch (error) {
    send({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const ctx = {
    engine,
    store: null,
    config: { steps: config.steps, priorSteps: config.priorSteps } as Config,
    downloads: new Downloads({ hosts: config.cdnHosts, maxBytes: config.maxInputBytes }),
  };
  port.on('message', (message: ToThread) => {
    if (message.type === 'abort') {
      const reason = message.reason.kind === 'timeout' ? new JobTimeoutError(message.reason.seconds ?? 0) : new JobCancelledError();
      controllers.get(message.id)?.abort(reason);
      return;
    }
    const { id } = message;
    const controller = new AbortController();
    controllers.set(id, controller);
    let last = -Infinity;
    const onProgress = (p: Progress) => {
      if (p.stage !== 'decoder') return;
      const now = Date.now();
      if (now - last < config.progressIntervalMs) return;
      last = now;
      const base = { step: p.step, steps: p.steps, stage: p.stage };
      if (!p.preview) return send({ type: 'progress', id, progress: base });
      p.preview()
        .then((png) => send({ type: 'progress', id, progress: toWire({ ...base, preview: png }) }))
        .catch(() => send({ type: 'progress', id, progress: base }));
    };
    runRequest(ctx, fromWire<JobRequest>(message.request), { signal: controller.signal, onProgress })
      .then((result) => send({ type: 'done', id, result: toWire(result) }))
      .catch((error: unknown) => send({ type: 'failed', id, failure: failureOf(controller.signal.aborted ? controller.signal.reason : error) }))
      .finally(() => controllers.delete(id));
  });
  send({ type: 'ready', pack: engine.pack.name, version: engine.pack.version, canGenerate: engine.pack.canGenerate });
}

void main();
