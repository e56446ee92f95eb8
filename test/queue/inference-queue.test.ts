import { describe, expect, it } from 'vitest';
import { InferenceQueue, JobCancelledError, JobPostponedError, JobTimeoutError, QueueClosedError, type QueueOptions } from '../../src/queue/index.ts';

/** Job data for these tests: the queue is generic over its data; here the data says what the test's processor does. */
interface TestJob {
  userId: string;
  label: string;
  run: (ctx: { signal: AbortSignal; progress: (p: number) => void }) => Promise<unknown>;
}

/** A queue whose one processor runs the test job's body. */
function queueWith(opts: QueueOptions = {}) {
  const queue = new InferenceQueue<TestJob, unknown, number>(opts);
  queue.process((job, signal) => job.data.run({ signal, progress: (p) => job.updateProgress(p) }));
  return queue;
}

/** A job body the test finishes by hand. */
function gate<T = string>() {
  let open!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('InferenceQueue', () => {
  it('serves users round-robin whatever the order they submitted in', async () => {
    const queue = queueWith({ perUser: 3 });
    const order: string[] = [];
    const first = gate();
    const submit = (user: string, n: number, body?: () => Promise<string>) => {
      const r = queue.add({ userId: user, label: `${user}${n}`, run: async () => (order.push(`${user}${n}`), body ? body() : 'ok') });
      if (!r.ok) throw new Error(r.reason);
      return r.job;
    };
    const jobs = [submit('a', 1, () => first.promise)];
    for (const n of [2, 3]) jobs.push(submit('a', n));
    for (const u of ['b', 'c']) for (const n of [1, 2, 3]) jobs.push(submit(u, n));
    expect(queue.jobsOf('c').map((j) => j.position)).toEqual([2, 5, 8]);
    first.open('done');
    await Promise.all(jobs.map((j) => j.result));
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'c2', 'a3', 'b3', 'c3']);
  });

  it('runs one job at a time', async () => {
    const queue = queueWith({ perUser: 10 });
    let active = 0;
    let most = 0;
    const jobs = Array.from({ length: 5 }, (_, i) => {
      const r = queue.add({ userId: `u${i % 2}`, label: 'x', run: async () => {
        active++;
        most = Math.max(most, active);
        await tick();
        active--;
        return i;
      } });
      if (!r.ok) throw new Error(r.reason);
      return r.job.result;
    });
    expect((await Promise.all(jobs)).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(1);
  });

  it('refuses past the per-user and global caps with a reason, queuing nothing', async () => {
    const queue = queueWith({ perUser: 2, global: 3 });
    const hold = gate();
    const run = () => hold.promise;
    expect(queue.add({ userId: 'a', label: 'x', run }).ok).toBe(true);
    expect(queue.add({ userId: 'a', label: 'x', run }).ok).toBe(true);
    const third = queue.add({ userId: 'a', label: 'x', run });
    expect(third).toEqual({ ok: false, reason: 'user-limit' });
    expect(queue.jobsOf('a')).toHaveLength(2);
    expect(queue.add({ userId: 'b', label: 'x', run }).ok).toBe(true);
    expect(queue.add({ userId: 'c', label: 'x', run })).toMatchObject({ ok: false, reason: 'global-limit' });
    expect(queue.waiting).toBe(2);
    hold.open('x');
    await queue.close();
  });

  it('tells waiting jobs their position as it changes', async () => {
    const queue = queueWith();
    const hold = gate();
    const positions: number[] = [];
    queue.add({ userId: 'a', label: 'x', run: () => hold.promise });
    queue.add({ userId: 'b', label: 'x', run: async () => 'b' });
    const c = queue.add({ userId: 'c', label: 'x', run: async () => 'c' });
    if (!c.ok) throw new Error();
    expect(c.job.info().position).toBe(2);
    c.job.on('position', (p) => positions.push(p));
    hold.open('a');
    await c.job.result;
    expect(positions).toEqual([1]);
  });

  it('lets only the owner cancel, waiting or running', async () => {
    const queue = queueWith();
    const running = queue.add({
      userId: 'a',
      label: 'x',
      run: ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    });
    const waiting = queue.add({ userId: 'b', label: 'x', run: async () => 'b' });
    const after = queue.add({ userId: 'c', label: 'x', run: async () => 'c' });
    if (!running.ok || !waiting.ok || !after.ok) throw new Error();
    expect(queue.cancel(waiting.job.id, 'a')).toBe('not-owner');
    expect(queue.cancel(waiting.job.id, 'b')).toBe('cancelled');
    await expect(waiting.job.result).rejects.toBeInstanceOf(JobCancelledError);
    expect(after.job.info().position).toBe(1);
    expect(queue.cancel(running.job.id, 'a')).toBe('cancelled');
    await expect(running.job.result).rejects.toBeInstanceOf(JobCancelledError);
    await expect(after.job.result).resolves.toBe('c');
    expect(queue.cancel(running.job.id, 'a')).toBe('not-found');
  });

  it('fails only the job whose model throws, and times out a job that hangs', async () => {
    const queue = queueWith({ jobTimeoutMs: 50, abortGraceMs: 50 });
    const broken = queue.add({ userId: 'a', label: 'x', run: async () => { throw new Error('model exploded'); } });
    const hung = queue.add({ userId: 'b', label: 'x', run: () => new Promise(() => {}) });
    const fine = queue.add({ userId: 'c', label: 'x', run: async () => 'fine' });
    if (!broken.ok || !hung.ok || !fine.ok) throw new Error();
    await expect(broken.job.result).rejects.toThrow('model exploded');
    await expect(hung.job.result).rejects.toBeInstanceOf(JobTimeoutError);
    await expect(fine.job.result).resolves.toBe('fine');
  });

  it('after a cancel, keeps the slot until the model call has stopped: never two at once', async () => {
    const queue = queueWith();
    const events: string[] = [];
    const first = queue.add({
      userId: 'a',
      label: 'x',
      run: ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => setTimeout(() => (events.push('first stopped'), reject(new Error('aborted'))), 30))),
    });
    const second = queue.add({ userId: 'b', label: 'x', run: async () => void events.push('second started') });
    if (!first.ok || !second.ok) throw new Error();
    await tick();
    queue.cancel(first.job.id, 'a');
    await expect(first.job.result).rejects.toBeInstanceOf(JobCancelledError);
    events.push('first answered');
    await second.job.result;
    expect(events).toEqual(['first answered', 'first stopped', 'second started']);
  });

  it('throttles progress to one report per interval', async () => {
    let now = 0;
    const queue = queueWith({ progressIntervalMs: 1500, now: () => now });
    const seen: number[] = [];
    const hold = gate();
    const r = queue.add({
      userId: 'a',
      label: 'x',
      run: async ({ progress }) => {
        await hold.promise;
        for (let step = 1; step <= 10; step++) {
          now += 500;
          progress(step);
        }
      },
    });
    if (!r.ok) throw new Error();
    r.job.on('progress', (p) => seen.push(p));
    hold.open('go');
    await r.job.result;
    expect(seen).toEqual([1, 4, 7, 10]);
  });

  it('one processor, set once; jobs added before it wait for it; a handle cancels like the queue', async () => {
    const queue = new InferenceQueue<TestJob, unknown, number>();
    const first = queue.add({ userId: 'a', label: 'x', run: async () => 'ran' });
    const second = queue.add({ userId: 'b', label: 'x', run: async () => 'never' });
    if (!first.ok || !second.ok) throw new Error();
    expect(first.job.info()).toMatchObject({ state: 'queued', position: 1 });
    const started: string[] = [];
    first.job.on('active', () => started.push('first'));
    expect(second.job.cancel('a')).toBe('not-owner');
    expect(second.job.cancel('b')).toBe('cancelled');
    queue.process((job, signal) => job.data.run({ signal, progress: () => {} }));
    expect(() => queue.process(async () => 'another')).toThrow(/already has its processor/);
    await expect(first.job.result).resolves.toBe('ran');
    await expect(second.job.result).rejects.toBeInstanceOf(JobCancelledError);
    expect(started).toEqual(['first']);
  });

  it('on close stops taking jobs, fails the waiting ones and finishes the running one', async () => {
    const queue = queueWith();
    const hold = gate();
    const running = queue.add({ userId: 'a', label: 'x', run: () => hold.promise });
    const waiting = queue.add({ userId: 'b', label: 'x', run: async () => 'never' });
    if (!running.ok || !waiting.ok) throw new Error();
    const closed = queue.close();
    await expect(waiting.job.result).rejects.toBeInstanceOf(QueueClosedError);
    expect(queue.add({ userId: 'c', label: 'x', run: async () => 'x' })).toMatchObject({ ok: false, reason: 'closed' });
    hold.open('finished');
    await closed;
    await expect(running.job.result).resolves.toBe('finished');
  });

  it('on close with postpone (jobs journalled for after the restart) the waiting ones are postponed, not run', async () => {
    const queue = queueWith();
    const hold = gate();
    const running = queue.add({ userId: 'a', label: 'x', run: () => hold.promise });
    let ran = false;
    const waiting = queue.add({ userId: 'b', label: 'x', run: async () => (ran = true) });
    if (!running.ok || !waiting.ok) throw new Error();
    const closed = queue.close({ postpone: true });
    await expect(waiting.job.result).rejects.toBeInstanceOf(JobPostponedError);
    hold.open('finished');
    await closed;
    await expect(running.job.result).resolves.toBe('finished');
    expect(ran).toBe(false);
  });
});
