/** Position edits on their own: only meaningful changes, at most one per interval, the latest shown when the interval ends; waits in coarse words. */
import { describe, expect, it, vi } from 'vitest';
import { JobDurations, meaningful, positionUpdates, waitText } from '../../src/discord/pacing.ts';

describe('position edits', () => {
  it('are meaningful when the place or the wait is down to 40 % or up to twice what is shown, or the job is next', () => {
    const at = (position: number, waitMs: number | null = null) => ({ position, waitMs });
    expect(meaningful(null, at(180))).toBe(true);
    expect(meaningful(at(180), at(100))).toBe(false);
    expect(meaningful(at(180), at(72))).toBe(true);
    expect(meaningful(at(4), at(2))).toBe(false);
    expect(meaningful(at(2), at(1))).toBe(true);
    expect(meaningful(at(1), at(1))).toBe(false);
    expect(meaningful(at(10), at(20))).toBe(true);
    // The wait: jobs turned out much quicker (or slower) than the estimate shown.
    expect(meaningful(at(50, 600_000), at(49, 200_000))).toBe(true);
    expect(meaningful(at(50, 600_000), at(49, 500_000))).toBe(false);
    expect(meaningful(at(50, null), at(49, 500_000))).toBe(true);
    expect(meaningful(at(50, 600_000), at(50, 100_000))).toBe(false);
  });

  it('say the wait coarsely', () => {
    expect(waitText(null)).toBeNull();
    expect(waitText(20_000)).toBe('under a minute');
    expect(waitText(150_000)).toBe('about 3 min');
    expect(waitText(23 * 60_000)).toBe('about 25 min');
    expect(waitText(3 * 3600_000)).toBe('about 3 h');
    const durations = new JobDurations();
    expect(durations.waitAt(5)).toBeNull();
    durations.record(1000);
    durations.record(2000);
    expect(durations.waitAt(10)).toBe(12_000);
  });

  it('a queue of 180 moving up one place per job (0.5 s each) gets four edits for the last waiting message, 10 s apart (the front moves faster than the interval)', () => {
    vi.useFakeTimers();
    try {
      const shown: { position: number; at: number }[] = [];
      const updates = positionUpdates({ durations: new JobDurations(), intervalMs: 10_000, show: (position) => shown.push({ position, at: Date.now() }) });
      for (let position = 180; position >= 1; position--) {
        updates.update(position);
        vi.advanceTimersByTime(500);
      }
      updates.stop();
      expect(shown.map((s) => s.position)).toEqual([180, 72, 28, 9]);
      for (let i = 1; i < shown.length; i++) expect(shown[i]!.at - shown[i - 1]!.at).toBeGreaterThanOrEqual(10_000);
    } finally {
      vi.useRealTimers();
    }
  });
});
