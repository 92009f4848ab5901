import { type Contact } from '../contact/contact';
import { type DisqualificationReason } from '../config/lifecycle-config';
import { type BantAssessment } from '../qualification/bant';
import { type Score, type ScoredActivity, ZERO_SCORE } from '../scoring/score';
import { assertNever } from '../shared/domain-error';
import { laterOf } from '../shared/domain-event';
import { type LeadEnrichment } from './lead-enrichment';
import { LEAD_LIFECYCLE_MOVES, stageEnteredBy, type StageMovingEventType } from './lead-lifecycle-moves';
import { type CompanyProfile, type LeadEvent, type LeadSource, type LeadStage, type QueueReason } from './lead.events';

export type OpportunityStatus = 'open' | 'won' | 'lost';

/** What every captured lead knows, whatever its stage. */
export interface LeadProfile {
  readonly leadId: string;
  readonly tenantId: string;
  readonly contact: Contact;
  readonly externalId?: string;
  readonly jobTitle?: string;
  readonly company?: CompanyProfile;
  readonly source: LeadSource;
  readonly attributes?: Record<string, unknown>;
  /** The host's enrichment at capture (LeadEnriched), as recorded. */
  readonly enrichment?: LeadEnrichment;
  readonly capturedAt: string;
  readonly score: Score;
  readonly temperature: 'cold' | 'warm' | 'hot';
  readonly fitReasons: readonly string[];
  readonly activities: readonly ScoredActivity[];
  readonly lastActivityAt?: string;
  readonly ownerId?: string;
  /** Set while the lead waits in the routing queue; an assignment clears it. */
  readonly queued?: { readonly reason: QueueReason; readonly since: string };
  /** The response SLA running for the current owner, until it is met or breached. */
  readonly openSla?: { readonly slaId: string; readonly policyId: string; readonly ownerId: string; readonly dueAt: string };
  readonly bant?: BantAssessment;
  readonly qualifiedBy?: string;
  readonly opportunities: Readonly<Record<string, OpportunityStatus>>;
  readonly stageEnteredAt: string;
  readonly recaptures: number;
  /** When the personal data was erased, until a later capture brings new data. */
  readonly personalDataErasedAt?: string;
}

export interface NoLead {
  readonly stage: 'none';
}
export interface CapturedLead extends LeadProfile {
  readonly stage: 'lead';
}
export interface MarketingQualifiedLead extends LeadProfile {
  readonly stage: 'mql';
}
export interface SalesQualifiedLead extends LeadProfile {
  readonly stage: 'sql';
}
export interface OpportunityLead extends LeadProfile {
  readonly stage: 'opportunity';
}
export interface CustomerLead extends LeadProfile {
  readonly stage: 'customer';
  readonly convertedAt: string;
  readonly wonOpportunityId: string;
}
export interface NurturingLead extends LeadProfile {
  readonly stage: 'nurturing';
  readonly recycleReason?: string;
}
export interface DisqualifiedLead extends LeadProfile {
  readonly stage: 'disqualified';
  readonly disqualification: { readonly reason: DisqualificationReason; readonly note?: string; readonly fromStage: LeadStage };
}

/**
 * In one of the host's own stages before `lead` (lifecycleConfig.stages.beforeLead), named by
 * `customStage`. The stage's name is the host's, so the state keeps it beside a fixed discriminant.
 */
export interface PreLead extends LeadProfile {
  readonly stage: 'before_lead';
  readonly customStage: string;
}
/** In one of the host's own stages after `customer` (stages.afterCustomer): still a won customer. */
export interface AfterCustomerLead extends LeadProfile {
  readonly stage: 'after_customer';
  readonly customStage: string;
  readonly convertedAt: string;
  readonly wonOpportunityId: string;
}

export type ExistingLead =
  | PreLead
  | AfterCustomerLead
  | CapturedLead
  | MarketingQualifiedLead
  | SalesQualifiedLead
  | OpportunityLead
  | CustomerLead
  | NurturingLead
  | DisqualifiedLead;

export type LeadState = NoLead | ExistingLead;

/** A lead in one of the built-in stages, not in a host's own. */
export type BuiltInStageLead = Exclude<ExistingLead, PreLead | AfterCustomerLead>;

export const initialLeadState: LeadState = Object.freeze({ stage: 'none' });

/** The name of the stage the lead is in: a built-in stage, or the host's own (lifecycleConfig.stages). */
export function stageNameOf(state: ExistingLead): string {
  return state.stage === 'before_lead' || state.stage === 'after_customer' ? state.customStage : state.stage;
}

/** The fields only some stages have; a lead leaving the stage drops them. */
type StageFields = { convertedAt?: string; wonOpportunityId?: string; recycleReason?: string; disqualification?: unknown; customStage?: string };

/**
 * Moves a lead into the stage its event enters (LEAD_LIFECYCLE_MOVES, lead-lifecycle-moves.ts), keeping
 * its profile and dropping the fields of the stage it leaves.
 */
function enter(state: ExistingLead, at: string, type: StageMovingEventType, extra: object = {}): ExistingLead {
  return { ...profileOf(state), stage: LEAD_LIFECYCLE_MOVES[type].to, stageEnteredAt: at, ...extra } as ExistingLead;
}

function profileOf(state: ExistingLead): LeadProfile {
  const { stage: _stage, convertedAt: _c, wonOpportunityId: _w, recycleReason: _r, disqualification: _d, customStage: _s, ...profile }: ExistingLead & StageFields =
    state;
  return profile;
}

/**
 * A LeadStageAdvanced: into `lead`, or into the host's stage `to`, before `lead` or (from `customer` or
 * a stage after it) after `customer`, keeping the conversion.
 */
function advance(state: ExistingLead, to: string, at: string): ExistingLead {
  const profile = profileOf(state);
  if (to === 'lead') return { ...profile, stage: 'lead', stageEnteredAt: at };
  if (state.stage === 'customer' || state.stage === 'after_customer') {
    const { convertedAt, wonOpportunityId } = state;
    return { ...profile, stage: 'after_customer', customStage: to, convertedAt, wonOpportunityId, stageEnteredAt: at };
  }
  return { ...profile, stage: 'before_lead', customStage: to, stageEnteredAt: at };
}

/** Folds one event into the state. The same function serves commands, replay and as-of queries. */
export function evolveLead(state: LeadState, event: LeadEvent): LeadState {
  if (event.type === 'LeadCaptured') {
    const d = event.data;
    return {
      ...(d.stage === undefined ? { stage: 'lead' as const } : { stage: 'before_lead' as const, customStage: d.stage }),
      leadId: d.leadId,
      tenantId: d.tenantId,
      contact: d.contact,
      externalId: d.externalId,
      jobTitle: d.jobTitle,
      company: d.company,
      source: d.source,
      attributes: d.attributes,
      capturedAt: d.occurredAt,
      score: ZERO_SCORE,
      temperature: 'cold',
      fitReasons: [],
      activities: [],
      lastActivityAt: d.occurredAt,
      opportunities: {},
      stageEnteredAt: d.occurredAt,
      recaptures: 0,
    };
  }
  if (state.stage === 'none') return state;
  switch (event.type) {
    case 'LeadRecaptured': {
      const d = event.data;
      return {
        ...state,
        contact: { ...definedOnly(d.contact), ...definedOnly(state.contact) },
        externalId: state.externalId ?? d.externalId,
        recaptures: state.recaptures + 1,
        personalDataErasedAt: undefined,
        lastActivityAt: laterOf(d.occurredAt, state.lastActivityAt),
      };
    }
    case 'LeadEnriched': {
      const { source, attributes, enrichedAt } = event.data;
      return { ...state, enrichment: { source, attributes, enrichedAt } };
    }
    case 'EngagementRecorded': {
      const d = event.data;
      return {
        ...state,
        activities: [...state.activities, { type: d.activityType, points: d.points, occurredAt: d.occurredAt }],
        lastActivityAt: laterOf(d.occurredAt, state.lastActivityAt),
      };
    }
    case 'ScoreChanged': {
      const d = event.data;
      const fitReasons = d.previous.fit === d.current.fit ? state.fitReasons : d.reasons.filter((r) => !r.startsWith('engagement'));
      return { ...state, score: d.current, temperature: d.temperature, fitReasons };
    }
    case 'QualifiedAsMQL':
      return enter(state, event.data.occurredAt, event.type);
    case 'PromotedToSQL':
      return { ...enter(state, event.data.occurredAt, event.type), bant: event.data.bant, qualifiedBy: event.data.qualifiedBy };
    case 'LeadAssigned':
      return { ...state, ownerId: event.data.ownerId, queued: undefined };
    case 'LeadQueued':
      return { ...state, queued: { reason: event.data.reason, since: event.data.occurredAt } };
    case 'SlaStarted': {
      const { slaId, policyId, ownerId, dueAt } = event.data;
      return { ...state, openSla: { slaId, policyId, ownerId, dueAt } };
    }
    case 'SlaMet':
    case 'SlaBreached':
      return state.openSla?.slaId === event.data.slaId ? { ...state, openSla: undefined } : state;
    case 'LeadDisqualified': {
      const { reason, note, fromStage } = event.data;
      return enter(state, event.data.occurredAt, event.type, { disqualification: { reason, note, fromStage } });
    }
    case 'LeadRecycled':
      return enter(state, event.data.occurredAt, event.type, { recycleReason: event.data.reason });
    case 'OpportunityOpenedForLead': {
      const opportunities = { ...state.opportunities, [event.data.opportunityId]: 'open' as const };
      return stageEnteredBy(event, state.stage) === undefined
        ? { ...state, opportunities }
        : { ...enter(state, event.data.occurredAt, event.type), opportunities };
    }
    case 'OpportunityLostForLead':
      return { ...state, opportunities: { ...state.opportunities, [event.data.opportunityId]: 'lost' } };
    case 'PersonalDataErased':
      return { ...state, contact: { erased: true }, personalDataErasedAt: event.data.occurredAt };
    case 'ConvertedToCustomer':
      return {
        ...enter(state, event.data.occurredAt, event.type, {
          convertedAt: event.data.occurredAt,
          wonOpportunityId: event.data.opportunityId,
        }),
        opportunities: { ...state.opportunities, [event.data.opportunityId]: 'won' },
      };
    case 'LeadStageAdvanced':
      return advance(state, event.data.to, event.data.occurredAt);
    default:
      return assertNever(event, 'lead event');
  }
}

export function foldLead(events: Iterable<LeadEvent>, from: LeadState = initialLeadState): LeadState {
  let state = from;
  for (const event of events) state = evolveLead(state, event);
  return state;
}

export function openOpportunityIds(state: ExistingLead): string[] {
  return Object.entries(state.opportunities)
    .filter(([, status]) => status === 'open')
    .map(([id]) => id);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
