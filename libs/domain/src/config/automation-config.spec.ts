import { checkLifecycleConfig, DEFAULT_LIFECYCLE_CONFIG, type LifecycleConfig } from './lifecycle-config';
import { addDuration, durationMs } from '../shared/iso-duration';

const withRules = (patch: Partial<LifecycleConfig>) => checkLifecycleConfig({ ...DEFAULT_LIFECYCLE_CONFIG, ...patch });
const problemsOf = (patch: Partial<Record<keyof LifecycleConfig, unknown>>) => {
  const checked = checkLifecycleConfig({ ...DEFAULT_LIFECYCLE_CONFIG, ...patch });
  return checked.ok ? [] : checked.problems;
};

describe('routing, SLA and aging configuration', () => {
  it('accepts the defaults and a complete example', () => {
    expect(checkLifecycleConfig(DEFAULT_LIFECYCLE_CONFIG).ok).toBe(true);
    const checked = withRules({
      routing: {
        on: 'mql',
        rules: [
          { id: 'enterprise', when: { companySize: { min: 1000 }, country: 'US' }, assign: { teamId: 'enterprise', strategy: 'round_robin' } },
          { id: 'vip', when: { minScore: 90 }, assign: { ownerId: 'rep-1' } },
        ],
      },
      sla: {
        touchTypes: ['call_logged'],
        touchPoints: { call_logged: 2 },
        maxReassignments: 1,
        policies: [
          {
            id: 'hot',
            when: { temperature: 'hot' },
            firstTouchWithin: 'PT30S',
            calendar: { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], hours: { from: '09:00', to: '17:00' }, holidays: ['2026-12-25'] },
            onBreach: 'reassign',
          },
        ],
      },
      aging: {
        stalledAfter: { discovery: 'P14D' },
        recycleStaleMqlAfter: 'P30D',
        decay: { step: 5, every: 'PT1H' },
        reentryCoolOff: 'P7D',
        recycleClosed: { after: 'P90D', lostReasons: ['timing'], disqualificationReasons: ['bad_timing'] },
      },
    });
    expect(checked).toMatchObject({ ok: true });
  });

  it.each([
    [{ routing: { on: 'never', rules: [] } }, 'routing.on: must be one of capture, mql, sql'],
    [{ routing: { on: 'mql', rules: [{ id: 'a', when: {}, assign: { teamId: 'x', strategy: 'random' } }] } }, 'routing.rules.0.assign.strategy'],
    [{ routing: { on: 'mql', rules: [{ id: 'a', when: {}, assign: {} }] } }, 'routing.rules.0.assign.ownerId'],
    [{ routing: { on: 'mql', rules: [{ id: 'a', when: {}, assign: { ownerId: 'x' } }, { id: 'a', when: {}, assign: { ownerId: 'y' } }] } }, 'unique'],
    [{ sla: { ...DEFAULT_LIFECYCLE_CONFIG.sla, policies: [{ id: 'p', when: {}, firstTouchWithin: 'P1M', calendar: '24x7', onBreach: 'record' }] } }, 'years or months'],
    [{ sla: { ...DEFAULT_LIFECYCLE_CONFIG.sla, policies: [{ id: 'p', when: {}, firstTouchWithin: '4 hours', calendar: '24x7', onBreach: 'record' }] } }, 'ISO 8601'],
    [
      { sla: { ...DEFAULT_LIFECYCLE_CONFIG.sla, policies: [{ id: 'p', when: {}, firstTouchWithin: 'PT1H', calendar: { timeZone: 'Mars/Base', days: [1], hours: { from: '09:00', to: '17:00' } }, onBreach: 'record' }] } },
      'IANA time zone',
    ],
    [
      { sla: { ...DEFAULT_LIFECYCLE_CONFIG.sla, policies: [{ id: 'p', when: {}, firstTouchWithin: 'PT1H', calendar: { timeZone: 'UTC', days: [8], hours: { from: '17:00', to: '09:00' } }, onBreach: 'record' }] } },
      'at most 7',
    ],
    [{ sla: { ...DEFAULT_LIFECYCLE_CONFIG.sla, touchPoints: { page_view: 1 } } }, 'not one of touchTypes'],
    [{ aging: { ...DEFAULT_LIFECYCLE_CONFIG.aging, decay: { step: 0, every: 'P1D' } } }, 'aging.decay.step: must be greater than 0'],
    [{ aging: { ...DEFAULT_LIFECYCLE_CONFIG.aging, reentryCoolOff: 'PT0S' } }, 'longer than zero'],
    [{ sla: { ...DEFAULT_LIFECYCLE_CONFIG.sla, polices: [] } }, 'sla.polices: is not a setting here'],
    [{ routing: { on: 'mql', rules: [{ id: 'a', when: { chanel: 'seo' }, assign: { ownerId: 'x' } }] } }, 'routing.rules.0.when.chanel: is not a setting here'],
    [{ aging: { ...DEFAULT_LIFECYCLE_CONFIG.aging, decay: { step: 5, every: 'P1D', evry: 'P2D' } } }, 'aging.decay.evry: is not a setting here'],
  ])('refuses %j with a message naming the setting', (patch, message) => {
    const problems = problemsOf(patch);
    expect(problems.join('\n')).toContain(message);
  });

  it('refuses generated garbage in every duration and never throws', () => {
    const garbage: unknown[] = [null, 0, -1, '', 'P', 'PT', 'PTH', 'P-1D', 'PT-5S', 'P1Y', 'P1.5M', {}, [], 'PT1H;DROP', '\u0000', 'P'.repeat(1000)];
    for (const value of garbage) {
      expect(problemsOf({ aging: { ...DEFAULT_LIFECYCLE_CONFIG.aging, reentryCoolOff: value } }).length).toBeGreaterThan(0);
    }
  });

  it('reads durations in seconds as well as days', () => {
    expect(durationMs('PT30S')).toBe(30_000);
    expect(durationMs('P1DT1H')).toBe(25 * 3_600_000);
    expect(durationMs('P2W')).toBe(14 * 86_400_000);
    expect(addDuration('2026-01-01T00:00:00.000Z', 'PT4H')).toBe('2026-01-01T04:00:00.000Z');
  });
});
