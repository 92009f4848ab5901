import fc from 'fast-check';
import { DomainErrorCode, ExtensionError, type HostRoutingStrategy, type RoutingFacts } from '@lead-lifecycle/domain';
import { illTyped } from '../../../../test/support/domain/ill-typed';
import { hostRoutingStrategyOf } from '../automation.module';
import { hostChoiceOf } from './host-routing-choice';
import type { MemberSnapshot } from './member-picker';

const member = (ownerId: string, ordinal: number): MemberSnapshot => ({ ownerId, ordinal, weight: 1, available: true, openLeads: ordinal, swrrCurrent: 0 });
const eligible = [member('ann', 0), member('bob', 1)];
const facts: RoutingFacts = {
  tenantId: 't',
  leadId: 'l',
  lead: { stage: 'mql', source: { channel: 'web_form' }, temperature: 'warm', score: { total: 30, fit: 20, engagement: 10 } },
  reason: 'rule',
  teamId: 'emea',
  strategy: 'round_robin',
  at: '2026-03-02T09:00:00.000Z',
};
const answering = (value: unknown): HostRoutingStrategy => illTyped<HostRoutingStrategy>(() => value);

describe('hostChoiceOf (the host routing strategy’s answer, checked)', () => {
  it('takes an eligible member’s id, and undefined as leaving the pick to the configured strategy', () => {
    expect(hostChoiceOf(() => 'bob', facts, eligible)).toEqual({ ownerId: 'bob' });
    expect(hostChoiceOf(() => undefined, facts, eligible)).toEqual({});
  });

  it('hands the strategy frozen copies: changing them throws, and is a problem, not an owner', () => {
    const mutating: HostRoutingStrategy = (_facts, candidates) => {
      (candidates[0] as { ownerId: string }).ownerId = 'mallory';
      return 'mallory';
    };
    expect(hostChoiceOf(mutating, facts, eligible)).toEqual({ problem: expect.stringMatching(/^threw TypeError/) });
    expect(eligible[0].ownerId).toBe('ann');
  });

  it('never takes any other answer as an owner (generated)', () => {
    const notEligible = fc.anything().filter((v) => v !== undefined && v !== 'ann' && v !== 'bob');
    fc.assert(
      fc.property(notEligible, (value) => {
        const choice = hostChoiceOf(answering(value), facts, eligible);
        expect(choice.ownerId).toBeUndefined();
        expect(choice.problem).toEqual(expect.any(String));
      }),
      { numRuns: 300 },
    );
  });

  it('turns any throw into a problem (generated)', () => {
    fc.assert(
      fc.property(fc.anything(), (thrown) => {
        const throwing: HostRoutingStrategy = () => {
          throw thrown;
        };
        expect(hostChoiceOf(throwing, facts, eligible)).toEqual({ problem: expect.stringMatching(/^threw /) });
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a promise, even of an eligible member, and swallows its rejection', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      expect(hostChoiceOf(answering(Promise.resolve('bob')), facts, eligible)).toEqual({ problem: 'returned a promise (it must be synchronous)' });
      expect(hostChoiceOf(answering(Promise.reject(new Error('later'))), facts, eligible).problem).toMatch(/promise/);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('hostRoutingStrategyOf (AutomationModule.forRoot routing.strategy)', () => {
  it('accepts a function or none, and refuses anything else with a typed error', () => {
    const strategy: HostRoutingStrategy = () => undefined;
    expect(hostRoutingStrategyOf({ routing: { strategy } })).toBe(strategy);
    expect(hostRoutingStrategyOf({})).toBeUndefined();
    const bad = { routing: { strategy: illTyped<HostRoutingStrategy>('round_robin') } };
    expect(() => hostRoutingStrategyOf(bad)).toThrow(ExtensionError);
    expect(() => hostRoutingStrategyOf(bad)).toThrow(expect.objectContaining({ code: DomainErrorCode.InvalidConfiguration }));
  });
});
