/**
 * `npm run worker`: a process that loads the model pack (UNCLIP_PACK, UNCLIP_DEVICE, UNCLIP_THREADS)
 * in a thread and takes jobs from the Redis queue (UNCLIP_REDIS_URL) of that pack, one at a time,
 * under its name (UNCLIP_WORKER_NAME). Start any number, on any hosts. SIGINT/SIGTERM: stop taking
 * jobs, finish the running one, exit.
 */
import { config as loadEnv } from 'dotenv';
import { ConfigError, loadConfig } from './discord/config.ts';
import { createLogger } from './discord/logger.ts';
import { onStopSignals } from './stop-signals.ts';
import { loadRedisConfig, packNameFor, queueNameFor } from './queue/redis-config.ts';
import { startRedisWorker } from './queue/redis-worker.ts';
import { ModelThread, RemoteJobError } from './worker/model-client.ts';

async function main(): Promise<void> {
  loadEnv({ quiet: true });
  let config;
  let redis;
  try {
    config = loadConfig();
    redis = loadRedisConfig();
  } catch (error) {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  if (!redis) {
    console.error('npm run worker needs UNCLIP_REDIS_URL (e.g. redis://127.0.0.1:6379), the Redis the bot queues its jobs in.');
    process.exit(1);
  }
  const log = createLogger({ level: config.logLevel, secrets: [] }).child({ worker: redis.workerName });
  const queueName = queueNameFor(config.packDir);
  const model = await ModelThread.start({
    packDir: config.packDir,
    device: config.device,
    threads: config.threads,
    steps: config.steps,
    priorSteps: config.priorSteps,
    cdnHosts: config.cdnHosts,
    maxInputBytes: config.maxInputBytes,
    progressIntervalMs: 1500,
  });
  log.info('model pack loaded', { pack: model.pack.name, version: model.pack.version, queue: queueName });
  const worker = await startRedisWorker({
    url: redis.url,
    queueName,
    workerName: redis.workerName,
    pack: packNameFor(config.packDir),
    device: config.device,
    lockMs: redis.lockMs,
    stalledMs: redis.stalledMs,
    run: (job, signal, onProgress) => model.run(job.id, job.request, signal, onProgress),
    classify: (error) => (error instanceof RemoteJobError ? error.failure.kind : 'error'),
    log: (msg, fields) => log.info(msg, fields),
  });
  log.info('worker ready', { queue: queueName });

  onStopSignals(log, () => worker.close().then(() => model.close()));
}

main().catch((error: unknown) => {
  console.error(`unclip worker could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
