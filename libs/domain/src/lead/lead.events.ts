import { type Channel, type DisqualificationReason } from '../config/lifecycle-config';
import { type Contact, type IdentityKind } from '../contact/contact';
import { type BantAssessment } from '../qualification/bant';
import { type Score } from '../scoring/score';
import { type DomainEvent } from '../shared/domain-event';
import { type EnrichmentAttributes } from './lead-enrichment';

/** Where a capture came from. `cost` is the cost of acquiring this lead, in the tenant's currency. */
export interface LeadSource {
  readonly channel: Channel;
  readonly campaign?: string;
  readonly cost?: number;
}

export interface CompanyProfile {
  readonly name?: string;
  /** Employees. */
  readonly size?: number;
  readonly industry?: string;
  /** ISO 3166 alpha-2. */
  readonly country?: string;
}

export type LeadStage = 'lead' | 'mql' | 'sql' | 'opportunity' | 'customer' | 'nurturing' | 'disqualified';
export const LEAD_STAGES: readonly LeadStage[] = ['lead', 'mql', 'sql', 'opportunity', 'customer', 'nurturing', 'disqualified'];

export type LeadCaptured = DomainEvent<
  'LeadCaptured',
  {
    leadId: string;
    tenantId: string;
    contact: Contact;
    externalId?: string;
    jobTitle?: string;
    company?: CompanyProfile;
    source: LeadSource;
    attributes?: Record<string, unknown>;
    /**
     * The host's stage before `lead` (lifecycleConfig.stages.beforeLead) the lead was captured into;
     * absent: captured into `lead`, as every capture written before the host's stages existed.
     */
    stage?: string;
    occurredAt: string;
  }
>;

export type LeadRecaptured = DomainEvent<
  'LeadRecaptured',
  {
    leadId: string;
    matchedOn: IdentityKind[];
    contact: Contact;
    externalId?: string;
    source: LeadSource;
    attributes?: Record<string, unknown>;
    occurredAt: string;
  }
>;

/**
 * What the host's enrichment hook (forRoot `enrichment.atCapture`) found about the lead's company,
 * recorded right after LeadCaptured in the same append: replay, as-of queries and rescores read it here
 * and never call the hook again. Firmographic (company-level) attributes, flat plain values only
 * (ENRICHMENT_LIMITS); `enrichedAt` is when the lookup answered, `occurredAt` the capture's business time.
 */
export type LeadEnriched = DomainEvent<
  'LeadEnriched',
  { leadId: string; source: string; attributes: EnrichmentAttributes; enrichedAt: string; occurredAt: string }
>;

export type EngagementRecorded = DomainEvent<
  'EngagementRecorded',
  { leadId: string; activityType: string; points: number; properties?: Record<string, unknown>; occurredAt: string }
>;

export type ScoreChanged = DomainEvent<
  'ScoreChanged',
  { leadId: string; previous: Score; current: Score; temperature: 'cold' | 'warm' | 'hot'; reasons: string[]; occurredAt: string }
>;

export type QualifiedAsMQL = DomainEvent<'QualifiedAsMQL', { leadId: string; score: number; threshold: number; occurredAt: string }>;

export type PromotedToSQL = DomainEvent<
  'PromotedToSQL',
  { leadId: string; bant: BantAssessment; qualifiedBy: string; occurredAt: string }
>;

/** Why a lead got its owner: by hand, by a routing rule, moved on after a breached SLA, or because its owner became unavailable. */
export type AssignmentReason = 'manual' | 'rule' | 'sla_escalation' | 'owner_unavailable';
export const ASSIGNMENT_REASONS: readonly AssignmentReason[] = ['manual', 'rule', 'sla_escalation', 'owner_unavailable'];

/** How a team picks a member. */
export type RoutingStrategy = 'round_robin' | 'weighted' | 'load_balanced';
export const ROUTING_STRATEGIES: readonly RoutingStrategy[] = ['round_robin', 'weighted', 'load_balanced'];

/**
 * Schema version 2: `reason` always, and for a routed assignment the rule, team and strategy that chose
 * the owner. Version 1 events (before routing existed) were all manual; their upcaster says so.
 */
export type LeadAssigned = DomainEvent<
  'LeadAssigned',
  {
    leadId: string;
    ownerId: string;
    previousOwnerId?: string;
    reason: AssignmentReason;
    ruleId?: string;
    teamId?: string;
    strategy?: RoutingStrategy;
    occurredAt: string;
  }
>;

/** Why a lead waits in the routing queue. */
export type QueueReason = 'no_matching_rule' | 'no_eligible_member' | 'sla_exhausted' | 'owner_unavailable';
export const QUEUE_REASONS: readonly QueueReason[] = ['no_matching_rule', 'no_eligible_member', 'sla_exhausted', 'owner_unavailable'];

/** The lead waits for routing: no rule matched, or no member of the rule's team could take it. */
export type LeadQueued = DomainEvent<'LeadQueued', { leadId: string; reason: QueueReason; ruleId?: string; teamId?: string; occurredAt: string }>;

/** A response SLA started for the lead's owner: the first sales touch is due by `dueAt`. */
export type SlaStarted = DomainEvent<
  'SlaStarted',
  { leadId: string; slaId: string; policyId: string; ownerId: string; teamId?: string; startedAt: string; dueAt: string; occurredAt: string }
>;

/** The owner touched the lead in time. `secondsToFirstTouch` is wall-clock time since the SLA started. */
export type SlaMet = DomainEvent<
  'SlaMet',
  { leadId: string; slaId: string; policyId: string; ownerId: string; touchType: string; secondsToFirstTouch: number; occurredAt: string }
>;

/**
 * Nobody touched the lead by `dueAt` (its `occurredAt` is `dueAt`, so every instance writes the same
 * event). `onBreach: 'reassign'` asks routing to move the lead to the next eligible member of `teamId`;
 * `reassignments` counts the reassignments of this lead's SLA chain so far.
 */
export type SlaBreached = DomainEvent<
  'SlaBreached',
  {
    leadId: string;
    slaId: string;
    policyId: string;
    ownerId: string;
    teamId?: string;
    dueAt: string;
    onBreach: 'record' | 'reassign';
    reassignments: number;
    occurredAt: string;
  }
>;

export type LeadDisqualified = DomainEvent<
  'LeadDisqualified',
  { leadId: string; reason: DisqualificationReason; note?: string; fromStage: LeadStage; occurredAt: string }
>;

export type LeadRecycled = DomainEvent<'LeadRecycled', { leadId: string; reason?: string; fromStage: LeadStage; occurredAt: string }>;

/** Recorded on the lead when an opportunity is opened for it; the opportunity stream follows from it. */
export type OpportunityOpenedForLead = DomainEvent<
  'OpportunityOpenedForLead',
  {
    leadId: string;
    opportunityId: string;
    name?: string;
    amount: number;
    currency: string;
    expectedCloseDate?: string;
    occurredAt: string;
  }
>;

/** Recorded on the lead when one of its opportunities was lost, so the lead knows it is closed. */
export type OpportunityLostForLead = DomainEvent<
  'OpportunityLostForLead',
  { leadId: string; opportunityId: string; reason: string; occurredAt: string }
>;

export type ConvertedToCustomer = DomainEvent<
  'ConvertedToCustomer',
  { leadId: string; opportunityId: string; amount: number; currency: string; occurredAt: string }
>;

/**
 * The lead moved one stage forward through the host's own stages (lifecycleConfig.stages): from a stage
 * before `lead` to the next one or into `lead`, or from `customer` or a stage after it to the next one.
 */
export type LeadStageAdvanced = DomainEvent<'LeadStageAdvanced', { leadId: string; from: string; to: string; occurredAt: string }>;

/** The lead's personal data was erased on request; the key that encrypted it is destroyed with this event. */
export type PersonalDataErased = DomainEvent<'PersonalDataErased', { leadId: string; reason: string; occurredAt: string }>;

export type LeadEvent =
  | LeadCaptured
  | LeadRecaptured
  | LeadEnriched
  | EngagementRecorded
  | ScoreChanged
  | QualifiedAsMQL
  | PromotedToSQL
  | LeadAssigned
  | LeadQueued
  | SlaStarted
  | SlaMet
  | SlaBreached
  | LeadDisqualified
  | LeadRecycled
  | OpportunityOpenedForLead
  | OpportunityLostForLead
  | ConvertedToCustomer
  | PersonalDataErased
  | LeadStageAdvanced;

export type LeadEventType = LeadEvent['type'];

export const LEAD_EVENT_TYPES: readonly LeadEventType[] = [
  'LeadCaptured',
  'LeadRecaptured',
  'LeadEnriched',
  'EngagementRecorded',
  'ScoreChanged',
  'QualifiedAsMQL',
  'PromotedToSQL',
  'LeadAssigned',
  'LeadQueued',
  'SlaStarted',
  'SlaMet',
  'SlaBreached',
  'LeadDisqualified',
  'LeadRecycled',
  'OpportunityOpenedForLead',
  'OpportunityLostForLead',
  'ConvertedToCustomer',
  'PersonalDataErased',
  'LeadStageAdvanced',
];

/** Every lead's stream id starts with this: `lead-<leadId>`. */
export const LEAD_STREAM_PREFIX = 'lead-';
export const leadStreamId = (leadId: string) => `${LEAD_STREAM_PREFIX}${leadId}`;
