import { describe, expect, it } from 'vitest';
import { InferenceQueue, JobCancelledError, JobPostponedError, JobTimeoutError, QueueClosedError, type JobContext } from '../../src/queue/index.ts';

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
    const queue = new InferenceQueue({ perUser: 3 });
    const order: string[] = [];
    const first = gate();
    const submit = (user: string, n: number, body?: () => Promise<string>) => {
      const r = queue.submit({ userId: user, label: `${user}${n}`, run: async () => (order.push(`${user}${n}`), body ? body() : 'ok') });
      if (!r.ok) throw new Error(r.message);
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
    const queue = new InferenceQueue({ perUser: 10 });
    let active = 0;
    let most = 0;
    const jobs = Array.from({ length: 5 }, (_, i) => {
      const r = queue.submit({ userId: `u${i % 2}`, label: 'x', run: async () => {
        active++;
        most = Math.max(most, active);
        await tick();
        active--;
        return i;
      } });
      if (!r.ok) throw new Error(r.message);
      return r.job.result;
    });
    expect((await Promise.all(jobs)).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(1);
  });

  it('refuses past the per-user and global caps with a reason, queuing nothing', async () => {
    const queue = new InferenceQueue({ perUser: 2, global: 3 });
    const hold = gate();
    const run = () => hold.promise;
    expect(queue.submit({ userId: 'a', label: 'x', run }).ok).toBe(true);
    expect(queue.submit({ userId: 'a', label: 'x', run }).ok).toBe(true);
    const third = queue.submit({ userId: 'a', label: 'x', run });
    expect(third).toMatchObject({ ok: false, reason: 'user-limit' });
    if (!third.ok) expect(third.message).toMatch(/already have 2 jobs/);
    expect(queue.submit({ userId: 'b', label: 'x', run }).ok).toBe(true);
    expect(queue.submit({ userId: 'c', label: 'x', run })).toMatchObject({ ok: false, reason: 'global-limit' });
    expect(queue.waiting).toBe(2);
    hold.open('x');
    await queue.close();
  });

  it('tells waiting jobs their position as it changes', async () => {
    const queue = new InferenceQueue();
    const hold = gate();
    const positions: number[] = [];
    queue.submit({ userId: 'a', label: 'x', run: () => hold.promise });
    queue.submit({ userId: 'b', label: 'x', run: async () => 'b' });
    const c = queue.submit({ userId: 'c', label: 'x', run: async () => 'c', onPosition: (p) => positions.push(p) });
    expect(positions).toEqual([2]);
    hold.open('a');
    if (!c.ok) throw new Error();
    await c.job.result;
    expect(positions).toEqual([2, 1]);
  });

  it('lets only the owner cancel, waiting or running', async () => {
    const queue = new InferenceQueue();
    const running = queue.submit({
      userId: 'a',
      label: 'x',
      run: ({ signal }: JobContext<unknown>) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    });
    const waiting = queue.submit({ userId: 'b', label: 'x', run: async () => 'b' });
    const after = queue.submit({ userId: 'c', label: 'x', run: async () => 'c' });
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
    const queue = new InferenceQueue({ jobTimeoutMs: 50, abortGraceMs: 50 });
    const broken = queue.submit({ userId: 'a', label: 'x', run: async () => { throw new Error('model exploded'); } });
    const hung = queue.submit({ userId: 'b', label: 'x', run: () => new Promise(() => {}) });
    const fine = queue.submit({ userId: 'c', label: 'x', run: async () => 'fine' });
    if (!broken.ok || !hung.ok || !fine.ok) throw new Error();
    await expect(broken.job.result).rejects.toThrow('model exploded');
    await expect(hung.job.result).rejects.toBeInstanceOf(JobTimeoutError);
    await expect(fine.job.result).resolves.toBe('fine');
  });

  it('after a cancel, keeps the slot until the model call has stopped: never two at once', async () => {
    const queue = new InferenceQueue();
    const events: string[] = [];
    const first = queue.submit({
      userId: 'a',
      label: 'x',
      run: ({ signal }: JobContext<unknown>) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => setTimeout(() => (events.push('first stopped'), reject(new Error('aborted'))), 30))),
    });
    const second = queue.submit({ userId: 'b', label: 'x', run: async () => void events.push('second started') });
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
    const queue = new InferenceQueue({ progressIntervalMs: 1500, now: () => now });
    const seen: number[] = [];
    const r = queue.submit<void, number>({
      userId: 'a',
      label: 'x',
      onProgress: (p) => seen.push(p),
      run: async ({ progress }) => {
        for (let step = 1; step <= 10; step++) {
          now += 500;
          progress(step);
        }
      },
    });
    if (!r.ok) throw new Error();
    await r.job.result;
    expect(seen).toEqual([1, 4, 7, 10]);
  });

  it('on close stops taking jobs, fails the waiting ones and finishes the running one', async () => {
    const queue = new InferenceQueue();
    const hold = gate();
    const running = queue.submit({ userId: 'a', label: 'x', run: () => hold.promise });
    const waiting = queue.submit({ userId: 'b', label: 'x', run: async () => 'never' });
    if (!running.ok || !waiting.ok) throw new Error();
    const closed = queue.close();
    await expect(waiting.job.result).rejects.toBeInstanceOf(QueueClosedError);
    expect(queue.submit({ userId: 'c', label: 'x', run: async () => 'x' })).toMatchObject({ ok: false, reason: 'closed' });
    hold.open('finished');
    await closed;
    await expect(running.job.result).resolves.toBe('finished');
  });

  it('on close with postpone (jobs journalled for after the restart) the waiting ones are postponed, not run', async () => {
    const queue = new InferenceQueue();
    const hold = gate();
    const running = queue.submit({ userId: 'a', label: 'x', run: () => hold.promise });
    let ran = false;
    const waiting = queue.submit({ userId: 'b', label: 'x', run: async () => (ran = true) });
    if (!running.ok || !waiting.ok) throw new Error();
    const closed = queue.close({ postpone: true });
    await expect(waiting.job.result).rejects.toBeInstanceOf(JobPostponedError);
    hold.open('finished');
    await closed;
    await expect(running.job.result).resolves.toBe('finished');
    expect(ran).toBe(false);
  });
});
