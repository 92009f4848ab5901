import { DEFAULT_LIFECYCLE_CONFIG, InvalidCommandError } from '@lead-lifecycle/domain';
import { ManualClock } from '../../../../test/support/domain/manual-clock';
import { BusinessTimeGuard } from './business-time.guard';

describe('BusinessTimeGuard: the window around now from the injected clock', () => {
  const clock = new ManualClock('2026-06-01T12:00:00.000Z');
  const guard = new BusinessTimeGuard(clock, DEFAULT_LIFECYCLE_CONFIG);

  it('lets through times from the backdate limit up to now plus the skew', () => {
    for (const occurredAt of ['2026-06-01T12:05:00Z', '2026-06-01T12:00:00.000Z', '2016-06-04T12:00:00Z', '2026-06-01T14:04:59+02:00']) {
      expect(() => guard.check({ occurredAt })).not.toThrow();
    }
  });

  it.each([
    ['2026-06-01T12:05:00.001Z', 'future'],
    ['9999-12-31T23:59:59Z', 'future'],
    ['2016-06-03T11:59:59Z', '3650 days'],
  ])('refuses %s naming occurredAt (%s)', (occurredAt, reason) => {
    expect(() => guard.check({ occurredAt })).toThrow(InvalidCommandError);
    expect(() => guard.check({ occurredAt })).toThrow(expect.objectContaining({ problems: [{ field: 'occurredAt', reason: expect.stringContaining(reason) }] }));
  });

  it('leaves a malformed time to the decider, which refuses it with its own reason', () => {
    expect(() => guard.check({ occurredAt: '2026-W05-1' })).not.toThrow();
  });

  it('follows the clock and the configured window', () => {
    const moving = new ManualClock('2026-06-01T12:00:00.000Z');
    const strict = new BusinessTimeGuard(moving, { ...DEFAULT_LIFECYCLE_CONFIG, time: { maxFutureSkewSeconds: 0, maxBackdateDays: 1 } });
    expect(() => strict.check({ occurredAt: '2026-06-01T12:00:00.001Z' })).toThrow(InvalidCommandError);
    moving.advance(1);
    expect(() => strict.check({ occurredAt: '2026-06-01T12:00:00.001Z' })).not.toThrow();
    expect(() => strict.check({ occurredAt: '2026-05-31T11:59:59Z' })).toThrow(InvalidCommandError);
  });
});
