import { DEFAULT_LIFECYCLE_CONFIG } from '../config/lifecycle-config';
import { type CaptureLead, decideLead } from '../lead/lead.decider';
import { foldLead, initialLeadState } from '../lead/lead.state';
import { DomainErrorCode } from '../shared/domain-error';
import { illTyped } from '../../../../test/support/domain/ill-typed';
import { ExtensionError, type FitScorer } from './fit-scorer';

const config = DEFAULT_LIFECYCLE_CONFIG;
const capture: CaptureLead = {
  type: 'CaptureLead',
  leadId: 'lead-1',
  tenantId: 'tenant-a',
  contact: { email: 'dana@example.org' },
  jobTitle: 'Platform Engineer',
  company: { size: 300, industry: 'software' },
  source: { channel: 'web_form' },
  occurredAt: '2026-01-01T00:00:00.000Z',
};
// Built-in rules for this lead: company size 300 (+15), industry software (+15) = 30.
const BUILT_IN = 30;
const kubernetesShop: FitScorer = (profile) =>
  /platform engineer/i.test(profile.jobTitle ?? '') ? { points: 25, reasons: ['host: runs kubernetes (+25)'] } : { points: 0, reasons: [] };

describe('a host fit scorer (LeadDecisionExtensions.fitScorer)', () => {
  it('changes nothing when absent: the engine’s defaults', () => {
    const events = decideLead(capture, initialLeadState, config);
    expect(events.find((e) => e.type === 'ScoreChanged')?.data).toMatchObject({ current: { fit: BUILT_IN, total: BUILT_IN } });
  });

  it('adds its points and reasons at capture, recorded in ScoreChanged, and crosses the MQL threshold like the rules', () => {
    const events = decideLead(capture, initialLeadState, config, { fitScorer: kubernetesShop });
    const changed = events.find((e) => e.type === 'ScoreChanged');
    expect(changed?.data).toMatchObject({ current: { fit: BUILT_IN + 25, engagement: 0, total: BUILT_IN + 25 } });
    expect(changed?.type === 'ScoreChanged' && changed.data.reasons).toContain('host: runs kubernetes (+25)');
    expect(events.map((e) => e.type)).toEqual(['LeadCaptured', 'ScoreChanged', 'QualifiedAsMQL']);
  });

  it('is never called on replay: the state folds the recorded score', () => {
    const events = decideLead(capture, initialLeadState, config, { fitScorer: kubernetesShop });
    const state = foldLead(events);
    expect(state.stage === 'mql' && state.score.fit).toBe(BUILT_IN + 25);
    // Later commands decide without the scorer and keep the recorded fit.
    const scorer = jest.fn<ReturnType<FitScorer>, Parameters<FitScorer>>(() => ({ points: 1000, reasons: [] }));
    const later = decideLead({ type: 'RescoreLead', occurredAt: '2026-01-02T00:00:00.000Z', force: true }, state, config, { fitScorer: scorer });
    expect(scorer).not.toHaveBeenCalled();
    expect(later[0]?.type === 'ScoreChanged' && later[0].data.current.fit).toBe(BUILT_IN + 25);
  });

  it.each([
    ['points that are not finite', { points: Number.NaN, reasons: [] }],
    ['points that are not a number', { points: '5', reasons: [] }],
    ['reasons that are not strings', { points: 5, reasons: [5] }],
    ['nothing', undefined],
  ])('refuses the capture with a typed error on %s', (_what, result) => {
    const scorer = illTyped<FitScorer>(() => result);
    const refuse = () => decideLead(capture, initialLeadState, config, { fitScorer: scorer });
    expect(refuse).toThrow(ExtensionError);
    expect(refuse).toThrow(expect.objectContaining({ code: DomainErrorCode.InvalidConfiguration, details: expect.objectContaining({ extension: 'scoring.fit' }) }));
  });
});
