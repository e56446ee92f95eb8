/**
 * `npm run bench:workers [-- --jobs N] [--json]` (also `npm run bench -- --workers`)
 *
 * The Redis queue on this machine: a redis-server of its own (Debian's, on a free port), worker
 * processes (`src/worker.ts`, one ONNX thread each), and the bot's RedisQueue in this process. It
 * measures jobs per minute for a burst from three people with one worker and then with two, and the
 * Redis path's extra latency for one job on an idle worker against the same job on the engine in
 * this process (one thread). Each job: /imagine, 4 images, the pack's default steps.
 * Numbers are for reading, never asserted in tests.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { JobRequest, JobResult } from '../src/discord/request.ts';
import { Engine, type Progress } from '../src/engine/index.ts';
import { queueNameFor } from '../src/queue/redis-config.ts';
import type { RedisQueue } from '../src/queue/redis-queue.ts';
import { connectJobQueue } from '../src/queue/remote-jobs.ts';
import { hasRedis, RedisServer } from '../test/scale/redis-server.ts';
import { WorkerProcess } from '../test/scale/cluster.ts';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '12' }, json: { type: 'boolean', default: false }, workers: { type: 'boolean', default: false } } });
const JOBS = Math.max(3, Number(values.jobs));
const PACK = process.env['UNCLIP_PACK'] || 'models/shapes-v1';
const say = (s: string) => {
  if (!values.json) process.stdout.write(`${s}\n`);
};
const WORKER_ENV = { UNCLIP_PACK: PACK, UNCLIP_THREADS: '1', UNCLIP_STEPS: '', UNCLIP_PRIOR_STEPS: '', UNCLIP_LOCK_MS: '30000', UNCLIP_STALLED_MS: '30000', UNCLIP_LOG_LEVEL: 'info' };

const request = (user: string, i: number): JobRequest => ({ kind: 'imagine', userId: user, prompt: `a big red star on a blue background ${i}`, n: 4, seed: i, label: `bench ${user} ${i}`, headline: 'bench' });

async function burst(queue: RedisQueue<JobRequest, JobResult, Progress>, jobs: number): Promise<{ ms: number; perMinute: number; order: string[] }> {
  const users = ['ann', 'ben', 'cat'];
  const handles = [];
  const start = performance.now();
  for (let i = 0; i < jobs; i++) {
    const added = queue.add(request(users[i % 3]!, i));
    if (!added.ok) throw new Error(`refused: ${added.reason}`);
    handles.push(added.job);
  }
  await Promise.all(handles.map((h) => h.result));
  const ms = performance.now() - start;
  return { ms, perMinute: (jobs / ms) * 60_000, order: [...queue.released] };
}

async function waitForWorkers(queue: RedisQueue<JobRequest, JobResult, Progress>, n: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    // The queue counts the connected workers every poll.
    await new Promise((r) => setTimeout(r, 50));
    if (queue.workers >= n) return;
  }
  throw new Error(`${n} workers did not connect`);
}

async function main(): Promise<void> {
  if (!hasRedis) throw new Error('bench:workers needs redis-server (apt-get install -y redis-server)');
  const redis = await RedisServer.start();
  const name = queueNameFor(PACK);
  const queue = await connectJobQueue({ url: redis.url, name, limits: { perUser: 1000, global: 10_000, jobTimeoutMs: 600_000 }, log: () => {} });
  const workers: WorkerProcess[] = [];
  try {
    say(`Redis queue bench: ${JOBS} jobs (imagine, 4 images, the pack's steps) from 3 people; workers with 1 ONNX thread each; ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`);
    workers.push(await WorkerProcess.start('bench-1', redis.url, WORKER_ENV));
    await waitForWorkers(queue, 1);
    // Warm-up (first session runs), then one job at a time on an idle worker: the Redis path's latency.
    await burst(queue, 3);
    const remote: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const added = queue.add(request('solo', 100 + i));
      if (!added.ok) throw new Error('refused');
      await added.job.result;
      remote.push(performance.now() - t);
    }
    const one = await burst(queue, JOBS);
    say(`1 worker:  ${one.perMinute.toFixed(1)} jobs/min (${(one.ms / 1000).toFixed(1)} s)`);
    workers.push(await WorkerProcess.start('bench-2', redis.url, WORKER_ENV));
    await waitForWorkers(queue, 2);
    await burst(queue, 2);
    const two = await burst(queue, JOBS);
    say(`2 workers: ${two.perMinute.toFixed(1)} jobs/min (${(two.ms / 1000).toFixed(1)} s) = ${(two.perMinute / one.perMinute).toFixed(2)}× one worker`);
    for (const w of workers.splice(0)) await w.kill('SIGTERM');

    // The same job on the engine in this process, one thread, as the in-process queue runs it.
    const engine = await Engine.load({ packDir: PACK, threads: 1 });
    const local: number[] = [];
    await engine.imagine('a small green circle', { n: 4, seed: 1 }); // warm-up
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await engine.imagine(`a big red star on a blue background ${100 + i}`, { n: 4, seed: 100 + i });
      local.push(performance.now() - t);
    }
    await engine.close();
    const p50 = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
    say(`one job, idle: ${p50(remote).toFixed(0)} ms through Redis and a worker vs ${p50(local).toFixed(0)} ms on the engine in process: ${(p50(remote) - p50(local)).toFixed(0)} ms extra (p50 of 5)`);
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ jobs: JOBS, oneWorker: one, twoWorkers: two, speedup: two.perMinute / one.perMinute, latency: { redisP50Ms: p50(remote), inProcessP50Ms: p50(local), extraMs: p50(remote) - p50(local) }, cpu: cpus()[0]?.model })}\n`,
      );
    }
  } finally {
    for (const w of workers) await w.kill('SIGTERM');
    await queue.close();
    await redis.destroy();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
