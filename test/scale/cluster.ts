/**
 * A cluster on one machine for the scale-out tests: a real redis-server, worker processes
 * (`npm run worker`'s src/worker.ts, one ONNX thread each, few steps), and bots on the Redis queue
 * (no model in them) connected to a local Discord.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Bot } from '../../src/discord/bot.ts';
import { loadConfig } from '../../src/discord/config.ts';
import { createLogger } from '../../src/discord/logger.ts';
import { packNameFor, queueNameFor } from '../../src/queue/redis-config.ts';
import type { RedisQueue } from '../../src/queue/redis-queue.ts';
import { connectJobQueue } from '../../src/queue/remote-jobs.ts';
import type { LocalDiscord } from '../../src/sandbox/index.ts';
import type { Store } from '../../src/store/index.ts';
import { PACK_DIR, sandboxEnv } from '../e2e/harness.ts';

export const WORKER_ENV = { UNCLIP_PACK: PACK_DIR, UNCLIP_STEPS: '8', UNCLIP_PRIOR_STEPS: '4', UNCLIP_THREADS: '1', UNCLIP_LOCK_MS: '1000', UNCLIP_STALLED_MS: '1000', UNCLIP_LOG_LEVEL: 'info' };

export class WorkerProcess {
  readonly logs: Record<string, unknown>[] = [];
  readonly exited: Promise<number | null>;
  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        try {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.logs.push({ msg: line });
        }
      });
    }
  }

  /** Starts `src/worker.ts` (node itself, with tsx as a loader: a signal reaches the worker, not a tsx parent) and resolves once it is taking jobs. */
  static async start(name: string, redisUrl: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      env: { ...process.env, ...WORKER_ENV, ...env, UNCLIP_REDIS_URL: redisUrl, UNCLIP_WORKER_NAME: name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(name, child);
    for (let i = 0; i < 1200; i++) {
      if (worker.logs.some((l) => l['msg'] === 'worker ready')) return worker;
      if (child.exitCode !== null) throw new Error(`worker ${name} exited: ${JSON.stringify(worker.logs.slice(-5))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`worker ${name} did not start`);
  }

  /** The jobs (BullMQ ids) this worker started, in order. */
  started(): string[] {
    return this.logs.filter((l) => l['msg'] === 'job started').map((l) => String(l['job']));
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

/** A bot on the Redis queue (it loads no model), on `store`. */
export async function startRedisBot(discord: LocalDiscord, redisUrl: string, store: Store, env: Record<string, string> = {}) {
  const config = loadConfig(sandboxEnv(discord, env));
  const logs: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'info', secrets: [discord.token], write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const queue = await connectJobQueue({ url: redisUrl, name: queueNameFor(config.packDir), pack: packNameFor(config.packDir), limits: config.queue, log: (msg, fields) => log.info(msg, fields) });
  const bot = await Bot.create({ config, log, store, queue });
  await bot.start();
  return { bot, logs, queue: queue as RedisQueue<never, never, never> };
}
