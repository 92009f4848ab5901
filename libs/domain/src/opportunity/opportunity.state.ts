import { assertNever } from '../shared/domain-error';
import { type OpportunityEvent } from './opportunity.events';

export interface OpportunityDetails {
  readonly opportunityId: string;
  readonly leadId: string;
  readonly tenantId: string;
  readonly name?: string;
  readonly amount: number;
  readonly currency: string;
  readonly expectedCloseDate?: string;
  readonly stage: string;
  readonly pipeline: readonly string[];
  readonly openedAt: string;
  /** When it entered its current stage: the start of its idle spell (aging). */
  readonly stageEnteredAt: string;
  /** Set by OpportunityStalled for the current idle spell; a stage change clears it. */
  readonly stalledAt?: string;
}

export interface NoOpportunity {
  readonly status: 'none';
}
export interface OpenOpportunity extends OpportunityDetails {
  readonly status: 'open';
}
export interface WonOpportunity extends OpportunityDetails {
  readonly status: 'won';
  readonly closedAt: string;
  readonly wonAmount: number;
}
export interface LostOpportunity extends OpportunityDetails {
  readonly status: 'lost';
  readonly closedAt: string;
  readonly lossReason: string;
  readonly lossNote?: string;
}

export type OpportunityState = NoOpportunity | OpenOpportunity | WonOpportunity | LostOpportunity;

export const initialOpportunityState: OpportunityState = Object.freeze({ status: 'none' });

export function evolveOpportunity(state: OpportunityState, event: OpportunityEvent): OpportunityState {
  switch (event.type) {
    case 'OpportunityOpened': {
      const { occurredAt, ...details } = event.data;
      return { status: 'open', ...details, openedAt: occurredAt, stageEnteredAt: occurredAt };
    }
    case 'OpportunityStageChanged':
      if (state.status !== 'open') return state;
      {
        // A stage change starts a new idle spell, not stalled yet.
        const { stalledAt: _previousSpell, ...moving } = state;
        return { ...moving, stage: event.data.to, stageEnteredAt: event.data.occurredAt };
      }
    case 'OpportunityStalled':
      return state.status === 'open' && state.stage === event.data.stage ? { ...state, stalledAt: event.data.occurredAt } : state;
    case 'OpportunityWon':
      return state.status === 'open'
        ? { ...state, status: 'won', closedAt: event.data.occurredAt, wonAmount: event.data.amount }
        : state;
    case 'OpportunityLost':
      return state.status === 'open'
        ? { ...state, status: 'lost', closedAt: event.data.occurredAt, lossReason: event.data.reason, lossNote: event.data.note }
        : state;
    default:
      return assertNever(event, 'opportunity event');
  }
}

export function foldOpportunity(events: Iterable<OpportunityEvent>, from: OpportunityState = initialOpportunityState): OpportunityState {
  let state = from;
  for (const event of events) state = evolveOpportunity(state, event);
  return state;
}
