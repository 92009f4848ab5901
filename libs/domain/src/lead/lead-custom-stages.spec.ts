import fc from 'fast-check';
import {
  canMove,
  checkLifecycleConfig,
  customStagesOf,
  decideLead,
  DEFAULT_LIFECYCLE_CONFIG,
  DomainErrorCode,
  evolveLead,
  type ExistingLead,
  foldLead,
  funnelPathOf,
  InvalidCommandError,
  LEAD_LIFECYCLE_MOVES,
  type LeadCommand,
  type LeadEvent,
  type LeadState,
  type LifecycleConfig,
  LifecycleError,
  nextStageAfter,
  RESERVED_STAGE_NAMES,
  stageEnteredBy,
  stageNameOf,
  type StageMovingEventType,
} from '@lead-lifecycle/domain';

const config: LifecycleConfig = { ...DEFAULT_LIFECYCLE_CONFIG, stages: { beforeLead: ['subscriber', 'trial'], afterCustomer: ['advocate', 'evangelist'] } };
const stages = customStagesOf(config);
const PATH = funnelPathOf(stages);
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const BANT = { budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } };

/** Decides and folds each command in turn, as the command handlers do; returns the state and every event. */
function run(commands: readonly LeadCommand[], from: LeadState = foldLead([])): { state: LeadState; events: LeadEvent[] } {
  let state = from;
  const events: LeadEvent[] = [];
  for (const command of commands) {
    const decided = decideLead(command, state, config);
    events.push(...decided);
    for (const event of decided) state = evolveLead(state, event);
  }
  return { state, events };
}
const capture = (stage?: string): LeadCommand => ({
  type: 'CaptureLead',
  leadId: 'lead-1',
  tenantId: 'tenant-a',
  contact: { email: 'jane@acme.io' },
  source: { channel: 'web_form' },
  ...(stage === undefined ? {} : { stage }),
  occurredAt: at(0),
});
const advance = (to: string, minute = 1): LeadCommand => ({ type: 'AdvanceLeadStage', to, occurredAt: at(minute) });
const existing = (state: LeadState): ExistingLead => {
  if (state.stage === 'none') throw new Error('no lead');
  return state;
};

/** The commands that bring a lead captured into `lead` to `customer`, by the built-in moves. */
const TO_CUSTOMER: readonly LeadCommand[] = [
  { type: 'RecordEngagement', activityType: 'demo_request', occurredAt: at(10) },
  { type: 'RecordEngagement', activityType: 'meeting_booked', occurredAt: at(11) },
  { type: 'PromoteToSQL', bant: BANT, qualifiedBy: 'rep-1', occurredAt: at(12) },
  { type: 'OpenOpportunityForLead', opportunityId: 'opp-1', amount: 1000, currency: 'EUR', occurredAt: at(13) },
  { type: 'ConvertToCustomer', opportunityId: 'opp-1', amount: 1000, currency: 'EUR', occurredAt: at(14) },
];

/** A lead standing at PATH[index], reached by the lifecycle's own moves. */
function leadAt(index: number): ExistingLead {
  const name = PATH[index];
  if (stages.beforeLead.includes(name)) return existing(run([capture('subscriber'), ...(name === 'trial' ? [advance('trial')] : [])]).state);
  const built = run([capture(), ...TO_CUSTOMER]).state;
  const upTo = ['lead', 'mql', 'sql', 'opportunity', 'customer'].indexOf(name);
  if (upTo >= 0) return existing(run([capture(), ...TO_CUSTOMER.slice(0, [0, 2, 3, 4, 5][upTo])]).state);
  const after = stages.afterCustomer.slice(0, stages.afterCustomer.indexOf(name) + 1).map((to, i) => advance(to, 20 + i));
  return existing(run(after, built).state);
}

describe('lifecycleConfig.stages', () => {
  const valid = (names: readonly unknown[]) =>
    names.every((n) => typeof n === 'string' && /^[a-z][a-z0-9_]{0,39}$/.test(n) && !(RESERVED_STAGE_NAMES as readonly string[]).includes(n)) &&
    new Set(names).size === names.length;
  const name = fc.oneof(fc.constantFrom(...RESERVED_STAGE_NAMES, 'subscriber', 'trial', 'Evangelist', 'a-b', '1st', ''), fc.string({ maxLength: 42 }), fc.stringMatching(/^[a-z][a-z0-9_]{0,44}$/));

  it('accepts exactly the lists of unique lower-case slugs that name no built-in stage, with one message otherwise', () => {
    fc.assert(
      fc.property(fc.array(name, { maxLength: 4 }), fc.array(name, { maxLength: 4 }), (beforeLead, afterCustomer) => {
        const checked = checkLifecycleConfig({ ...DEFAULT_LIFECYCLE_CONFIG, stages: { beforeLead, afterCustomer } });
        expect(checked.ok).toBe(valid([...beforeLead, ...afterCustomer]));
        if (!checked.ok) expect(checked.problems.every((p) => p.startsWith('stages'))).toBe(true);
      }),
    );
  });

  it('refuses values of the wrong shape and misspelt keys, and takes an absent section as no stages', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.integer(), { minLength: 1 }), fc.dictionary(fc.string(), fc.anything())), (hostile) => {
        const shaped = checkLifecycleConfig({ ...DEFAULT_LIFECYCLE_CONFIG, stages: { beforeLead: hostile } });
        expect(shaped.ok).toBe(false);
      }),
    );
    expect(checkLifecycleConfig({ ...DEFAULT_LIFECYCLE_CONFIG, stages: { beforeLeads: ['subscriber'] } })).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('stages.beforeLeads: is not a setting here')],
    });
    const { stages: _none, ...withoutStages } = DEFAULT_LIFECYCLE_CONFIG;
    expect(checkLifecycleConfig(withoutStages).ok).toBe(true);
    expect(customStagesOf(withoutStages as LifecycleConfig)).toEqual({ beforeLead: [], afterCustomer: [] });
  });
});

describe('the moves through the host’s stages', () => {
  it('go one stage forward only: subscriber → trial → lead, customer → advocate → evangelist', () => {
    expect(PATH).toEqual(['subscriber', 'trial', 'lead', 'mql', 'sql', 'opportunity', 'customer', 'advocate', 'evangelist']);
    expect(Object.fromEntries(PATH.map((s) => [s, nextStageAfter(stages, s)]))).toEqual({
      subscriber: 'trial',
      trial: 'lead',
      lead: undefined,
      mql: undefined,
      sql: undefined,
      opportunity: undefined,
      customer: 'advocate',
      advocate: 'evangelist',
      evangelist: undefined,
    });
  });

  it('leave the built-in table alone: no built-in move starts from a host’s stage or its place in the state', () => {
    for (const type of Object.keys(LEAD_LIFECYCLE_MOVES) as StageMovingEventType[]) {
      for (const stage of [...stages.beforeLead, ...stages.afterCustomer, 'before_lead', 'after_customer']) expect(canMove(type, stage)).toBe(false);
    }
  });

  it('are counted by the stage the event names', () => {
    const captured = run([capture('subscriber')]).events[0];
    expect(stageEnteredBy(captured, undefined)).toBe('subscriber');
    expect(stageEnteredBy({ type: 'LeadStageAdvanced', data: { leadId: 'l', from: 'trial', to: 'lead', occurredAt: at(1) } }, 'trial')).toBe('lead');
    expect(stageEnteredBy(run([capture()]).events[0], undefined)).toBe('lead');
  });
});

describe('capturing into a stage before lead', () => {
  it('records the stage and starts the lead there', () => {
    const { state, events } = run([capture('subscriber')]);
    expect(events[0]).toMatchObject({ type: 'LeadCaptured', data: { stage: 'subscriber' } });
    expect(state).toMatchObject({ stage: 'before_lead', customStage: 'subscriber' });
    expect(stageNameOf(existing(state))).toBe('subscriber');
  });

  it('takes `lead` asked for as the default, writing the capture as before the host’s stages existed', () => {
    expect(run([capture('lead')]).events).toEqual(run([capture()]).events);
    expect(run([capture('lead')]).events[0].data).not.toHaveProperty('stage');
  });

  it('refuses any other stage as a bad input on the field, whatever it is', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom(...PATH.filter((s) => !stages.beforeLead.includes(s) && s !== 'lead'), 'before_lead', 'Subscriber', ' subscriber')), (stage) => {
        fc.pre(!stages.beforeLead.includes(stage) && stage !== 'lead');
        const refused = (() => {
          try {
            run([capture(stage)]);
          } catch (error) {
            return error;
          }
        })();
        expect(refused).toBeInstanceOf(InvalidCommandError);
        expect((refused as InvalidCommandError).details).toEqual({ problems: [expect.objectContaining({ field: 'stage' })] });
      }),
    );
  });

  it('does not qualify a high-fit lead until it enters lead, and then qualifies it at once', () => {
    const high = { ...capture('trial'), jobTitle: 'CTO', company: { size: 5000, industry: 'software', country: 'US' } } as LeadCommand;
    const captured = run([high]);
    expect(captured.events.map((e) => e.type)).toEqual(['LeadCaptured', 'ScoreChanged']);
    const entered = run([advance('lead')], captured.state);
    expect(entered.events.map((e) => e.type)).toEqual(['LeadStageAdvanced', 'QualifiedAsMQL']);
    expect(entered.state.stage).toBe('mql');
  });

  it('scores engagement before lead without qualifying', () => {
    const { state, events } = run([capture('subscriber'), ...TO_CUSTOMER.slice(0, 2)]);
    expect(events.map((e) => e.type)).not.toContain('QualifiedAsMQL');
    expect(state).toMatchObject({ stage: 'before_lead', customStage: 'subscriber', score: { total: 55 } });
  });
});

describe('AdvanceLeadStage', () => {
  it('takes a lead from its pre-lead capture through to an after-customer stage', () => {
    let { state } = run([capture('subscriber'), advance('trial'), advance('lead', 2), ...TO_CUSTOMER]);
    expect(state.stage).toBe('customer');
    ({ state } = run([advance('advocate', 30), advance('evangelist', 31)], state));
    expect(state).toMatchObject({ stage: 'after_customer', customStage: 'evangelist', convertedAt: at(14), wonOpportunityId: 'opp-1', stageEnteredAt: at(31) });
    expect(run([TO_CUSTOMER[4]], state).events).toEqual([]);
  });

  it('from every stage of the path, accepts only the next stage, changes nothing for the current one and refuses the rest', () => {
    const target = fc.oneof(fc.constantFrom(...PATH, 'nurturing', 'disqualified', 'before_lead', 'after_customer'), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: PATH.length - 1 }), target, (index, to) => {
        const state = leadAt(index);
        const from = PATH[index];
        expect(stageNameOf(state)).toBe(from);
        let outcome: LeadEvent[] | unknown;
        try {
          outcome = decideLead(advance(to, 40), state, config);
        } catch (error) {
          outcome = error;
        }
        if (!to.trim()) {
          expect(outcome).toBeInstanceOf(InvalidCommandError);
        } else if (to === from) {
          expect(outcome).toEqual([]);
        } else if (to === nextStageAfter(stages, from)) {
          expect((outcome as LeadEvent[])[0]).toEqual({ type: 'LeadStageAdvanced', data: { leadId: 'lead-1', from, to, occurredAt: at(40) } });
          expect(stageNameOf(existing(evolveLead(state, (outcome as LeadEvent[])[0])))).toBe(to);
        } else {
          expect(outcome).toBeInstanceOf(LifecycleError);
          expect(outcome).toMatchObject({ code: DomainErrorCode.LifecycleViolation, details: { currentStage: from, attemptedMove: `advance stage to ${to}` } });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a backward move with the lifecycle error and the one way forward', () => {
    const { state } = run([capture(), ...TO_CUSTOMER, advance('advocate', 30)]);
    expect(() => decideLead(advance('customer', 31), state, config)).toThrow(
      expect.objectContaining({ details: { currentStage: 'advocate', attemptedMove: 'advance stage to customer', reason: 'the only stage forward is evangelist' } }),
    );
  });

  it('refuses a non-string stage as bad input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.constant(null), fc.constant(undefined), fc.object(), fc.constant('  ')), (to) => {
        expect(() => decideLead({ type: 'AdvanceLeadStage', to: to as string, occurredAt: at(1) }, leadAt(0), config)).toThrow(InvalidCommandError);
      }),
    );
  });

  it('leaves the built-in moves closed to a lead in a host’s stage: a subscriber cannot be disqualified or recycled', () => {
    const subscriber = leadAt(0);
    expect(() => decideLead({ type: 'DisqualifyLead', reason: 'other', occurredAt: at(1) }, subscriber, config)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ currentStage: 'subscriber', attemptedMove: 'disqualify' }) }),
    );
    expect(() => decideLead({ type: 'RecycleLead', occurredAt: at(1) }, subscriber, config)).toThrow(LifecycleError);
  });
});
