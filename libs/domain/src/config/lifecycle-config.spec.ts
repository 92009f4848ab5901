import { checkLifecycleConfig, DEFAULT_LIFECYCLE_CONFIG, type LifecycleConfig } from './lifecycle-config';

const problemsOf = (value: unknown): string[] => {
  const checked = checkLifecycleConfig(value);
  return checked.ok ? [] : checked.problems;
};

const withScoring = (scoring: Partial<LifecycleConfig['scoring']>) => ({ ...DEFAULT_LIFECYCLE_CONFIG, scoring: { ...DEFAULT_LIFECYCLE_CONFIG.scoring, ...scoring } });

describe('LIFECYCLE_CONFIG_SCHEMA: the one declaration of the lifecycle rules', () => {
  it('accepts the built-in defaults and hands back the same value', () => {
    expect(checkLifecycleConfig(DEFAULT_LIFECYCLE_CONFIG)).toEqual({ ok: true, value: DEFAULT_LIFECYCLE_CONFIG });
  });

  it('names a missing section and a wrong type', () => {
    const { money: _money, ...withoutMoney } = DEFAULT_LIFECYCLE_CONFIG;
    expect(problemsOf(withoutMoney)).toEqual(['money: must be an object (got undefined)']);
    expect(problemsOf({ ...DEFAULT_LIFECYCLE_CONFIG, phone: { defaultCountryCode: 44 } })).toEqual(['phone.defaultCountryCode: must be a string (got 44)']);
  });

  it('allows optional properties to be absent but checks them when present', () => {
    const fit = { ...DEFAULT_LIFECYCLE_CONFIG.scoring.fit, jobTitle: [{ pattern: 'cto', points: 5 }], companySize: [{ points: 1 }] };
    expect(problemsOf(withScoring({ fit }))).toEqual([]);
    expect(problemsOf(withScoring({ fit: { ...fit, jobTitle: [{ pattern: 'cto', points: 5, label: 7 }] } as never }))).toEqual([
      'scoring.fit.jobTitle.0.label: must be a string (got 7)',
    ]);
  });

  it('requires at least one activity type and warm below hot', () => {
    const engagement = { ...DEFAULT_LIFECYCLE_CONFIG.scoring.engagement, activities: {} };
    expect(problemsOf(withScoring({ engagement }))).toEqual(['scoring.engagement.activities: at least one activity type is required (got {})']);
    expect(problemsOf(withScoring({ temperature: { warm: 60, hot: 60 } }))).toEqual(['scoring.temperature: warm must be below hot']);
  });

  it('refuses repeated or badly named pipeline stages and an empty BANT policy', () => {
    expect(problemsOf({ ...DEFAULT_LIFECYCLE_CONFIG, pipeline: { stages: ['won', 'won'] }, bant: { rules: [] } })).toEqual([
      'bant.rules: must have at least 1 item(s) (got [])',
      'pipeline.stages: must not repeat an item (got ["won","won"])',
    ]);
    expect(problemsOf({ ...DEFAULT_LIFECYCLE_CONFIG, pipeline: { stages: ['Closing'] } })).toEqual([
      'pipeline.stages.0: must be snake_case: a lower-case letter, then letters, digits or _ (got "Closing")',
    ]);
  });
});
