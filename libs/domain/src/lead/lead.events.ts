import { type Channel, type DisqualificationReason } from '../config/lifecycle-config';
import { type Contact, type IdentityKind } from '../contact/contact';
import { type BantAssessment } from '../qualification/bant';
import { type Score } from '../scoring/score';
import { type DomainEvent } from '../shared/domain-event';

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

export type LeadAssigned = DomainEvent<'LeadAssigned', { leadId: string; ownerId: string; previousOwnerId?: string; occurredAt: string }>;

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

/** The lead's personal data was erased on request; the key that encrypted it is destroyed with this event. */
export type PersonalDataErased = DomainEvent<'PersonalDataErased', { leadId: string; reason: string; occurredAt: string }>;

export type LeadEvent =
  | LeadCaptured
  | LeadRecaptured
  | EngagementRecorded
  | ScoreChanged
  | QualifiedAsMQL
  | PromotedToSQL
  | LeadAssigned
  | LeadDisqualified
  | LeadRecycled
  | OpportunityOpenedForLead
  | OpportunityLostForLead
  | ConvertedToCustomer
  | PersonalDataErased;

export type LeadEventType = LeadEvent['type'];

export const LEAD_EVENT_TYPES: readonly LeadEventType[] = [
  'LeadCaptured',
  'LeadRecaptured',
  'EngagementRecorded',
  'ScoreChanged',
  'QualifiedAsMQL',
  'PromotedToSQL',
  'LeadAssigned',
  'LeadDisqualified',
  'LeadRecycled',
  'OpportunityOpenedForLead',
  'OpportunityLostForLead',
  'ConvertedToCustomer',
  'PersonalDataErased',
];

/** Every lead's stream id starts with this: `lead-<leadId>`. */
export const LEAD_STREAM_PREFIX = 'lead-';
export const leadStreamId = (leadId: string) => `${LEAD_STREAM_PREFIX}${leadId}`;
