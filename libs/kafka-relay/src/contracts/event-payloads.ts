/**
 * The published payload of each event type and schema version. JSON Schemas in schemas/events are
 * generated from these types (npm run schemas:generate) and a test fails when they drift apart.
 * Relative imports: the schema generator reads this file without the monorepo's path aliases.
 */
import type {
  ConvertedToCustomer,
  EngagementRecorded,
  LeadAssigned,
  LeadCaptured,
  LeadDisqualified,
  LeadEnriched,
  LeadRecaptured,
  LeadQueued,
  LeadRecycled,
  OpportunityLostForLead,
  OpportunityOpenedForLead,
  PersonalDataErased,
  LeadStageAdvanced,
  PromotedToSQL,
  QualifiedAsMQL,
  ScoreChanged,
  SlaBreached,
  SlaMet,
  SlaStarted,
} from '../../../domain/src/lead/lead.events';
import type { OpportunityLost, OpportunityOpened, OpportunityStageChanged, OpportunityStalled, OpportunityWon } from '../../../domain/src/opportunity/opportunity.events';
import type { TeamCreated, TeamMemberAdded, TeamMemberAvailabilityChanged, TeamMemberRemoved } from '../../../domain/src/team/team.events';

export type LeadCapturedV1 = LeadCaptured['data'];
export type LeadRecapturedV1 = LeadRecaptured['data'];
export type LeadEnrichedV1 = LeadEnriched['data'];
export type EngagementRecordedV1 = EngagementRecorded['data'];
export type ScoreChangedV1 = ScoreChanged['data'];
export type QualifiedAsMQLV1 = QualifiedAsMQL['data'];
export type PromotedToSQLV1 = PromotedToSQL['data'];
// Version 1, before routing: no reason, rule, team or strategy (every such assignment was manual).
export type LeadAssignedV1 = Omit<LeadAssigned['data'], 'reason' | 'ruleId' | 'teamId' | 'strategy'>;
export type LeadAssignedV2 = LeadAssigned['data'];
export type LeadQueuedV1 = LeadQueued['data'];
export type SlaStartedV1 = SlaStarted['data'];
export type SlaMetV1 = SlaMet['data'];
export type SlaBreachedV1 = SlaBreached['data'];
export type LeadDisqualifiedV1 = LeadDisqualified['data'];
export type LeadRecycledV1 = LeadRecycled['data'];
export type OpportunityOpenedForLeadV1 = OpportunityOpenedForLead['data'];
export type OpportunityLostForLeadV1 = OpportunityLostForLead['data'];
export type ConvertedToCustomerV1 = ConvertedToCustomer['data'];
export type PersonalDataErasedV1 = PersonalDataErased['data'];
export type LeadStageAdvancedV1 = LeadStageAdvanced['data'];
export type OpportunityOpenedV1 = OpportunityOpened['data'];
export type OpportunityStageChangedV1 = OpportunityStageChanged['data'];
export type OpportunityWonV1 = OpportunityWon['data'];
export type OpportunityLostV1 = OpportunityLost['data'];
export type OpportunityStalledV1 = OpportunityStalled['data'];

export type TeamCreatedV1 = TeamCreated['data'];
export type TeamMemberAddedV1 = TeamMemberAdded['data'];
export type TeamMemberRemovedV1 = TeamMemberRemoved['data'];
export type TeamMemberAvailabilityChangedV1 = TeamMemberAvailabilityChanged['data'];
