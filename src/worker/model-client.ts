/**
 * The worker process's handle on its model thread (model-thread.ts): start it, wait for the pack to
 * load, run a request (progress and result on the wire), abort one (cancel, timeout).
 */
import { Worker } from 'node:worker_threads';
import { JobCancelledError, JobTimeoutError } from '../queue/errors.ts';
import type { Failure } from '../queue/wire.ts';
import type { FromThread, ThreadConfig, ToThread } from './protocol.ts';

/** A job's failure as the thread reported it, kept as the kind of error it was. */
export class RemoteJobError extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
    this.name = 'RemoteJobError';
  }
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
  onProgress: (progress: unknown) => void;
}

export class ModelThread {
  readonly #thread: Worker;
  readonly #pending = new Map<string, Pending>();
  #exited: Error | null = null;

  private constructor(
    thread: Worker,
    readonly pack: { name: string; version: string; canGenerate: boolean },
  ) {
    this.#thread = thread;
    thread.on('message', (m: FromThread) => {
      if (m.type === 'ready' || m.type === 'load-failed') return;
      const pending = this.#pending.get(m.id);
      if (!pending) return;
      if (m.type === 'progress') return pending.onProgress(m.progress);
      this.#pending.delete(m.id);
      if (m.type === 'done') pending.resolve(m.result);
      else pending.reject(m.failure.kind === 'timeout' ? new JobTimeoutError(m.failure.seconds ?? 0) : m.failure.kind === 'cancelled' ? new JobCancelledError() : new RemoteJobError(m.failure));
    });
    const fail = (error: Error) => {
      this.#exited = error;
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`the model thread exited (code ${code})`)));
  }

  static start(config: ThreadConfig): Promise<ModelThread> {
    const thread = new Worker(new URL('./thread-boot.mjs', import.meta.url), {
      workerData: { entry: new URL('./model-thread.ts', import.meta.url).href, config },
    });
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromThread) => {
        if (m.type === 'ready') {
          thread.off('message', onMessage);
          resolve(new ModelThread(thread, { name: m.pack, version: m.version, canGenerate: m.canGenerate }));
        } else if (m.type === 'load-failed') {
          void thread.terminate();
          reject(new Error(m.message));
        }
      };
      thread.on('message', onMessage);
      thread.once('error', reject);
      thread.once('exit', (code) => reject(new Error(`the model thread exited while loading (code ${code})`)));
    });
  }

  run(id: string, request: unknown, signal: AbortSignal, onProgress: (progress: unknown) => void): Promise<unknown> {
    if (this.#exited) return Promise.reject(this.#exited);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onProgress });
      const abort = () => {
        const reason = signal.reason as unknown;
        const failure: Failure = reason instanceof JobTimeoutError ? { kind: 'timeout', message: reason.message, seconds: reason.seconds } : { kind: 'cancelled', message: 'cancelled' };
        this.#thread.postMessage({ type: 'abort', id, reason: failure } satisfies ToThread);
      };
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
      this.#thread.postMessage({ type: 'run', id, request } satisfies ToThread);
    });
  }

  async close(): Promise<void> {
    await this.#thread.terminate();
  }
}
