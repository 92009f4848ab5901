import fc from 'fast-check';
import {
  type BantAssessment,
  canMove,
  DAY_MS,
  decideLead,
  DEFAULT_LIFECYCLE_CONFIG,
  evolveLead,
  type ExistingLead,
  foldLead,
  initialLeadState,
  LEAD_LIFECYCLE_MOVES,
  LEAD_STAGES,
  type LeadCommand,
  type LeadEvent,
  type LeadStage,
  type LeadState,
  LifecycleError,
  lifecycleMoveOf,
  openOpportunityIds,
  stageEnteredBy,
  type StageMovingEventType,
} from '@lead-lifecycle/domain';

const config = DEFAULT_LIFECYCLE_CONFIG;
const LEAD = 'lead-1';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (day: number) => new Date(T0 + day * DAY_MS).toISOString();
const ALL_FOUR: BantAssessment = { budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } };

const captured: LeadEvent = {
  type: 'LeadCaptured',
  data: { leadId: LEAD, tenantId: 't', contact: { email: 'jane@acme.io' }, source: { channel: 'web_form' }, occurredAt: at(0) },
};
/** A fit score just below the MQL threshold: one demo request crosses it. */
const nearThreshold: LeadEvent = {
  type: 'ScoreChanged',
  data: { leadId: LEAD, previous: { total: 0, fit: 0, engagement: 0 }, current: { total: 45, fit: 45, engagement: 0 }, temperature: 'warm', reasons: ['fit'], occurredAt: at(0) },
};
const qualified: LeadEvent = { type: 'QualifiedAsMQL', data: { leadId: LEAD, score: 45, threshold: 50, occurredAt: at(1) } };
const promoted: LeadEvent = { type: 'PromotedToSQL', data: { leadId: LEAD, bant: ALL_FOUR, qualifiedBy: 'sdr', occurredAt: at(2) } };
const opened = (opportunityId: string): LeadEvent => ({
  type: 'OpportunityOpenedForLead',
  data: { leadId: LEAD, opportunityId, amount: 1000, currency: 'EUR', occurredAt: at(3) },
});
const lost = (opportunityId: string): LeadEvent => ({ type: 'OpportunityLostForLead', data: { leadId: LEAD, opportunityId, reason: 'price', occurredAt: at(4) } });
const converted: LeadEvent = { type: 'ConvertedToCustomer', data: { leadId: LEAD, opportunityId: 'o0', amount: 1000, currency: 'EUR', occurredAt: at(4) } };

/**
 * A lead at each stage, reached by the moves themselves. `openOpportunity`: at the opportunity stage, with
 * opportunity o0 still open (a conversion needs it; a disqualification or recycle is refused while it is).
 */
function leadAt(stage: LeadStage, openOpportunity = false): ExistingLead {
  const toSql = [captured, nearThreshold, qualified, promoted];
  const history: Record<LeadStage, LeadEvent[]> = {
    lead: [captured, nearThreshold],
    mql: [captured, nearThreshold, qualified],
    sql: toSql,
    opportunity: openOpportunity ? [...toSql, opened('o0')] : [...toSql, opened('o0'), lost('o0')],
    customer: [...toSql, opened('o0'), converted],
    nurturing: [captured, nearThreshold, { type: 'LeadRecycled', data: { leadId: LEAD, fromStage: 'lead', occurredAt: at(1) } }],
    disqualified: [captured, nearThreshold, { type: 'LeadDisqualified', data: { leadId: LEAD, reason: 'no_budget', fromStage: 'lead', occurredAt: at(1) } }],
  };
  const state = foldLead(history[stage]);
  if (state.stage !== stage) throw new Error(`fixture for ${stage} reached ${state.stage}`);
  return state;
}

/** The command that asks for each move (a qualification is asked for by the engagement that crosses the threshold). */
function commandFor(move: Exclude<StageMovingEventType, 'LeadCaptured'>, day: number, opportunityId = 'o9'): LeadCommand {
  const occurredAt = at(day);
  switch (move) {
    case 'QualifiedAsMQL':
      return { type: 'RecordEngagement', activityType: 'demo_request', occurredAt };
    case 'PromotedToSQL':
      return { type: 'PromoteToSQL', bant: ALL_FOUR, qualifiedBy: 'sdr', occurredAt };
    case 'OpportunityOpenedForLead':
      return { type: 'OpenOpportunityForLead', opportunityId, amount: 1000, currency: 'EUR', occurredAt };
    case 'ConvertedToCustomer':
      return { type: 'ConvertToCustomer', opportunityId, amount: 1000, currency: 'EUR', occurredAt };
    case 'LeadDisqualified':
      return { type: 'DisqualifyLead', reason: 'no_budget', occurredAt };
    case 'LeadRecycled':
      return { type: 'RecycleLead', occurredAt };
  }
}

type Outcome = { events: LeadEvent[] } | { error: unknown };
const outcome = (command: LeadCommand, state: LeadState): Outcome => {
  try {
    return { events: decideLead(command, state, config) };
  } catch (error) {
    return { error };
  }
};

/** What the read models and the state make of each decided event: the table's stage, and nothing else. */
function expectCountedAsTheTableSays(events: readonly LeadEvent[], from: LeadState): LeadState {
  let state = from;
  for (const event of events) {
    const before = state.stage === 'none' ? undefined : state.stage;
    state = evolveLead(state, event);
    const move = lifecycleMoveOf(event.type);
    const entered = stageEnteredBy(event, before);
    if (!move) {
      expect(state.stage).toBe(before ?? 'none');
      expect(entered).toBeUndefined();
      continue;
    }
    if (before !== undefined) expect(canMove(event.type as StageMovingEventType, before)).toBe(true);
    if (before !== undefined && move.within?.includes(before as LeadStage)) {
      expect(entered).toBeUndefined();
      expect(state.stage).toBe(before);
    } else {
      expect(entered).toBe(move.to);
      expect(state.stage).toBe(move.to);
    }
  }
  return state;
}

const MOVES = (Object.keys(LEAD_LIFECYCLE_MOVES) as StageMovingEventType[]).filter((m): m is Exclude<StageMovingEventType, 'LeadCaptured'> => m !== 'LeadCaptured');

describe('the lifecycle moves table', () => {
  it('is the only way into a stage: a capture starts every lead, and every stage is some move’s target', () => {
    expect(LEAD_LIFECYCLE_MOVES.LeadCaptured).toMatchObject({ from: [], to: 'lead' });
    expect(new Set(Object.values(LEAD_LIFECYCLE_MOVES).map((m) => m.to))).toEqual(new Set(LEAD_STAGES));
  });

  it('allows exactly the documented moves (README.md of libs/domain/src)', () => {
    const allowed = Object.fromEntries(MOVES.map((m) => [m, LEAD_STAGES.filter((stage) => canMove(m, stage))]));
    expect(allowed).toEqual({
      QualifiedAsMQL: ['lead', 'nurturing'],
      PromotedToSQL: ['mql'],
      OpportunityOpenedForLead: ['sql', 'opportunity'],
      ConvertedToCustomer: ['opportunity'],
      LeadDisqualified: ['lead', 'mql', 'sql', 'opportunity', 'nurturing'],
      LeadRecycled: ['lead', 'mql', 'sql', 'opportunity', 'disqualified'],
    });
  });

  it('re-entry after the cool-off happens only from nurturing, and only where the move itself is allowed', () => {
    const reentries = Object.fromEntries(MOVES.flatMap((m) => (LEAD_LIFECYCLE_MOVES[m].reentryFrom ? [[m, LEAD_LIFECYCLE_MOVES[m].reentryFrom]] : [])));
    expect(reentries).toEqual({ QualifiedAsMQL: ['nurturing'] });
    for (const stage of LEAD_LIFECYCLE_MOVES.QualifiedAsMQL.reentryFrom!) expect(canMove('QualifiedAsMQL', stage)).toBe(true);
  });

  it('a capture creates the lead from nothing and is recorded as a recapture at every stage', () => {
    const capture: LeadCommand = { type: 'CaptureLead', leadId: LEAD, tenantId: 't', contact: { email: 'jane@acme.io' }, source: { channel: 'web_form' }, occurredAt: at(9) };
    const created = decideLead(capture, initialLeadState, config);
    expect(created[0].type).toBe('LeadCaptured');
    expectCountedAsTheTableSays(created, initialLeadState);
    for (const stage of LEAD_STAGES) {
      const events = decideLead(capture, leadAt(stage, true), config);
      expect(events.map((e) => e.type)).toEqual(['LeadRecaptured']);
    }
  });

  describe.each(MOVES)('%s', (move) => {
    it.each(LEAD_STAGES)('from %s: decided exactly when the table allows it, and counted as the table says', (stage) => {
      const state = leadAt(stage, move === 'ConvertedToCustomer');
      const result = outcome(commandFor(move, 10, move === 'ConvertedToCustomer' ? 'o0' : 'o9'), state);
      if (canMove(move, stage)) {
        expect(result).toHaveProperty('events');
        const events = (result as { events: LeadEvent[] }).events;
        expect(events.map((e) => e.type)).toContain(move);
        expectCountedAsTheTableSays(events, state);
      } else if ('error' in result) {
        expect(result.error).toBeInstanceOf(LifecycleError);
        expect(result.error).toMatchObject({ currentStage: stage, attemptedMove: LEAD_LIFECYCLE_MOVES[move].move });
      } else {
        // A conversion delivered again to a customer, or a score crossing the threshold outside the table: nothing moves.
        expect(result.events.map((e) => e.type)).not.toContain(move);
        expectCountedAsTheTableSays(result.events, state);
      }
    });
  });

  it('on any random walk, every move the decider makes is in the table and every refused one is not (or waits for open opportunities)', () => {
    const step = fc.record({
      move: fc.constantFrom(...MOVES, 'lose' as const, 'engage' as const),
      opportunityId: fc.constantFrom('o1', 'o2'),
      activity: fc.constantFrom('demo_request', 'meeting_booked', 'unsubscribe', 'email_open'),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
        let state: LeadState = foldLead([captured]);
        steps.forEach(({ move, opportunityId, activity }, i) => {
          if (state.stage === 'none') throw new Error('the lead vanished');
          const day = i + 1;
          const command: LeadCommand =
            move === 'lose'
              ? { type: 'RecordOpportunityLost', opportunityId, reason: 'price', occurredAt: at(day) }
              : move === 'engage'
                ? { type: 'RecordEngagement', activityType: activity, occurredAt: at(day) }
                : commandFor(move, day, opportunityId);
          const result = outcome(command, state);
          if ('events' in result) {
            if (move !== 'lose' && move !== 'engage' && move !== 'QualifiedAsMQL' && canMove(move, state.stage)) {
              // A conversion needs its opportunity open; an opportunity already recorded is not opened again.
              const preconditionMet =
                move === 'ConvertedToCustomer'
                  ? state.opportunities[opportunityId] === 'open'
                  : move !== 'OpportunityOpenedForLead' || state.opportunities[opportunityId] === undefined;
              if (preconditionMet) expect(result.events.map((e) => e.type)).toContain(move);
            }
            state = expectCountedAsTheTableSays(result.events, state);
            return;
          }
          expect(result.error).toBeInstanceOf(LifecycleError);
          if (move === 'lose' || move === 'engage') throw result.error;
          const allowed = canMove(move, state.stage);
          if (allowed) {
            // The table allows it; only an opportunity in the way (open, or not open for a conversion) refuses it.
            if (move === 'ConvertedToCustomer') expect(state.opportunities[opportunityId]).not.toBe('open');
            else expect(openOpportunityIds(state).length).toBeGreaterThan(0);
          }
          expect(result.error).toMatchObject({ currentStage: state.stage, attemptedMove: LEAD_LIFECYCLE_MOVES[move].move });
        });
      }),
      { numRuns: 300 },
    );
  });
});
