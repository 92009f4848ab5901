import { type DeadlineSweeper, SweepScheduler } from './deadline-sweeper';

const clockAt = (iso: string) => {
  let now = new Date(iso);
  return { now: () => now, set: (next: string) => (now = new Date(next)) };
};

describe('SweepScheduler', () => {
  it('sweeps every sweeper with the clock\'s now, and a failing one does not stop the others', async () => {
    const clock = clockAt('2026-03-01T09:00:00.000Z');
    const seen: string[] = [];
    const logs: string[] = [];
    const scheduler = new SweepScheduler(clock, { intervalMs: 60_000, log: (m) => logs.push(m) });
    scheduler.register({ name: 'a', sweep: (now) => Promise.resolve(seen.push(`a@${now.toISOString()}`)) });
    scheduler.register({ name: 'broken', sweep: () => Promise.reject(new Error('disk on fire')) });
    scheduler.register({ name: 'b', sweep: (now) => Promise.resolve(seen.push(`b@${now.toISOString()}`) * 0 + 2) });

    expect(await scheduler.sweepNow()).toEqual({ a: 1, broken: 0, b: 2 });
    clock.set('2026-03-01T10:00:00.000Z');
    await scheduler.sweepNow();
    expect(seen).toEqual(['a@2026-03-01T09:00:00.000Z', 'b@2026-03-01T09:00:00.000Z', 'a@2026-03-01T10:00:00.000Z', 'b@2026-03-01T10:00:00.000Z']);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toContain('broken');
  });

  it('never runs two rounds at once', async () => {
    let inFlight = 0;
    let most = 0;
    const slow: DeadlineSweeper = {
      name: 'slow',
      sweep: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return 0;
      },
    };
    const scheduler = new SweepScheduler(clockAt('2026-03-01T09:00:00.000Z'), { intervalMs: 1 });
    scheduler.register(slow);
    scheduler.start();
    await Promise.all([scheduler.sweepNow(), scheduler.sweepNow(), scheduler.sweepNow()]);
    await scheduler.stop();
    expect(most).toBe(1);
  });

  it('refuses two sweepers of one name', () => {
    const scheduler = new SweepScheduler(clockAt('2026-03-01T09:00:00.000Z'), { intervalMs: 10 });
    scheduler.register({ name: 'x', sweep: () => Promise.resolve(0) });
    expect(() => scheduler.register({ name: 'x', sweep: () => Promise.resolve(0) })).toThrow('two sweepers named x');
  });
});
