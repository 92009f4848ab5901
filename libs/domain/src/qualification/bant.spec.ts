import { type BantAssessment, type BantCriterion, type BantRule, DEFAULT_LIFECYCLE_CONFIG, evaluateBant, type LifecycleConfig } from '@lead-lifecycle/domain';

/** An assessment where exactly the listed criteria are met. */
const bant = (...met: BantCriterion[]): BantAssessment => ({
  budget: { met: met.includes('budget') },
  authority: { met: met.includes('authority') },
  need: { met: met.includes('need') },
  timeline: { met: met.includes('timeline') },
});

const withRules = (...rules: BantRule[]): LifecycleConfig => ({ ...DEFAULT_LIFECYCLE_CONFIG, bant: { rules } });

const DEFAULT_REASON = 'BANT policy needs 4 of 4 or 3 of 4 including need';

describe('evaluateBant', () => {
  describe('default policy: all four, or three including need', () => {
    const config = DEFAULT_LIFECYCLE_CONFIG;

    it('passes with all four met', () => {
      expect(evaluateBant(bant('budget', 'authority', 'need', 'timeline'), config)).toEqual({
        passed: true,
        met: ['budget', 'authority', 'need', 'timeline'],
      });
    });

    it.each<BantCriterion[]>([
      ['budget', 'authority', 'need'],
      ['budget', 'need', 'timeline'],
      ['authority', 'need', 'timeline'],
    ])('passes with three including need: %s, %s, %s', (...met) => {
      expect(evaluateBant(bant(...met), config)).toEqual({ passed: true, met });
    });

    it('refuses three without need, naming the policy and the missing criterion', () => {
      expect(evaluateBant(bant('budget', 'authority', 'timeline'), config)).toEqual({
        passed: false,
        met: ['budget', 'authority', 'timeline'],
        reason: `${DEFAULT_REASON}; not met: need`,
      });
    });

    it('refuses two, even with need', () => {
      expect(evaluateBant(bant('need', 'budget'), config)).toEqual({
        passed: false,
        met: ['budget', 'need'],
        reason: `${DEFAULT_REASON}; not met: authority, timeline`,
      });
    });

    it('refuses none', () => {
      expect(evaluateBant(bant(), config)).toEqual({
        passed: false,
        met: [],
        reason: `${DEFAULT_REASON}; not met: budget, authority, need, timeline`,
      });
    });

    it('lists met criteria in BANT order, whatever the order of the assessment keys', () => {
      const assessment: BantAssessment = {
        timeline: { met: true },
        need: { met: true, note: 'replacing a legacy tool' },
        authority: { met: false },
        budget: { met: true, note: '50k approved' },
      };
      expect(evaluateBant(assessment, config).met).toEqual(['budget', 'need', 'timeline']);
    });
  });

  describe('custom rules', () => {
    it('a single lenient rule: any two', () => {
      const config = withRules({ minMet: 2 });
      expect(evaluateBant(bant('budget', 'timeline'), config).passed).toBe(true);
      expect(evaluateBant(bant('timeline'), config)).toEqual({
        passed: false,
        met: ['timeline'],
        reason: 'BANT policy needs 2 of 4; not met: budget, authority, need',
      });
    });

    it('mustMeet is required on top of minMet', () => {
      const config = withRules({ minMet: 2, mustMeet: ['budget', 'authority'] });
      expect(evaluateBant(bant('budget', 'authority'), config).passed).toBe(true);
      expect(evaluateBant(bant('budget', 'need', 'timeline'), config)).toEqual({
        passed: false,
        met: ['budget', 'need', 'timeline'],
        reason: 'BANT policy needs 2 of 4 including budget, authority; not met: authority',
      });
    });

    it('mustMeet alone (minMet 0)', () => {
      const config = withRules({ minMet: 0, mustMeet: ['need'] });
      expect(evaluateBant(bant('need'), config).passed).toBe(true);
      expect(evaluateBant(bant('budget', 'authority', 'timeline'), config).passed).toBe(false);
    });

    it('any one of several rules is enough', () => {
      const config = withRules({ minMet: 4 }, { minMet: 1, mustMeet: ['budget'] }, { minMet: 2, mustMeet: ['authority', 'timeline'] });
      expect(evaluateBant(bant('budget'), config).passed).toBe(true);
      expect(evaluateBant(bant('authority', 'timeline'), config).passed).toBe(true);
      expect(evaluateBant(bant('authority', 'need', 'timeline'), config).passed).toBe(true);
      expect(evaluateBant(bant('authority', 'need'), config)).toEqual({
        passed: false,
        met: ['authority', 'need'],
        reason: 'BANT policy needs 4 of 4 or 1 of 4 including budget or 2 of 4 including authority, timeline; not met: budget, timeline',
      });
    });

    it('minMet 0 without mustMeet always passes', () => {
      expect(evaluateBant(bant(), withRules({ minMet: 0 }))).toEqual({ passed: true, met: [] });
    });

    it('an empty mustMeet list is the same as none', () => {
      const config = withRules({ minMet: 3, mustMeet: [] });
      expect(evaluateBant(bant('budget', 'authority', 'timeline'), config).passed).toBe(true);
      expect(evaluateBant(bant('budget', 'authority'), config).reason).toBe('BANT policy needs 3 of 4; not met: need, timeline');
    });

    it('no rules at all: nothing passes', () => {
      expect(evaluateBant(bant('budget', 'authority', 'need', 'timeline'), withRules()).passed).toBe(false);
    });
  });
});
