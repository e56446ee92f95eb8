/** Position edits on their own: only meaningful changes, at most one per interval, the latest shown when the interval ends; waits in coarse words. */
import { describe, expect, it, vi } from 'vitest';
import { JobDurations, meaningful, positionUpdates, waitText } from '../../src/discord/pacing.ts';

describe('position edits', () => {
  it('are meaningful near the front at every step, farther back only for a move of a third, or a new estimated wait', () => {
    expect(meaningful(null, { position: 180, wait: null })).toBe(true);
    expect(meaningful({ position: 180, wait: null }, { position: 179, wait: null })).toBe(false);
    expect(meaningful({ position: 180, wait: null }, { position: 120, wait: null })).toBe(true);
    expect(meaningful({ position: 12, wait: null }, { position: 10, wait: null })).toBe(true);
    expect(meaningful({ position: 3, wait: null }, { position: 3, wait: null })).toBe(false);
    expect(meaningful({ position: 100, wait: 'about 5 min' }, { position: 99, wait: 'about 4 min' })).toBe(true);
    expect(meaningful({ position: 100, wait: 'about 5 min' }, { position: 99, wait: 'about 5 min' })).toBe(false);
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

  it('a queue of 180 moving up one place per job (0.5 s each) gets a handful of edits per waiting message, 10 s apart, the last near the front', () => {
    vi.useFakeTimers();
    try {
      const shown: { position: number; at: number }[] = [];
      const updates = positionUpdates({ durations: new JobDurations(), intervalMs: 10_000, show: (position) => shown.push({ position, at: Date.now() }) });
      for (let position = 180; position >= 1; position--) {
        updates.update(position);
        vi.advanceTimersByTime(500);
      }
      updates.stop();
      expect(shown.map((s) => s.position)).toEqual([180, 120, 80, 53, 34, 14]);
      for (let i = 1; i < shown.length; i++) expect(shown[i]!.at - shown[i - 1]!.at).toBeGreaterThanOrEqual(10_000);
    } finally {
      vi.useRealTimers();
    }
  });
});
