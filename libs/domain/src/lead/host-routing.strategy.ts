import { type Score } from '../scoring/score';
import { type AssignmentReason, type CompanyProfile, type LeadSource, type RoutingStrategy } from './lead.events';

/** The lead as a host routing strategy sees it: what routing rules may test, no contact data. */
export interface RoutingLeadFacts {
  /** A built-in stage, or the name of one of the host's own stages (lifecycleConfig.stages). */
  readonly stage: string;
  readonly source: LeadSource;
  readonly company?: CompanyProfile;
  readonly jobTitle?: string;
  readonly temperature: 'cold' | 'warm' | 'hot';
  readonly score: Score;
}

/** One routing decision a host strategy is asked about. */
export interface RoutingFacts {
  readonly tenantId: string;
  readonly leadId: string;
  readonly lead: RoutingLeadFacts;
  /** `rule` on the trigger or a retry of the queue; `sla_escalation` and `owner_unavailable` move a lead off `previousOwnerId`. */
  readonly reason: Extract<AssignmentReason, 'rule' | 'sla_escalation' | 'owner_unavailable'>;
  readonly teamId: string;
  readonly ruleId?: string;
  /** The team's configured strategy: what picks when the host strategy does not. */
  readonly strategy: RoutingStrategy;
  readonly previousOwnerId?: string;
  /** Business time of the decision (the cause's), at which eligibility was judged. */
  readonly at: string;
}

/** A member of the team that may take the lead now: present, below its capacity, not the owner it moves off. */
export interface RoutingCandidate {
  readonly ownerId: string;
  /** Order of joining the team. */
  readonly ordinal: number;
  readonly weight: number;
  readonly capacity?: number;
  /** The member's open leads now. */
  readonly openLeads: number;
}

/**
 * A host's own choice of the member that takes a lead (AutomationModule.forRoot `routing.strategy`),
 * asked at every team pick (a rule's, a retry of the queue's, an SLA escalation's, an unavailable owner's
 * move) when at least one member is eligible, with the eligible members in joining order. It answers an
 * eligible member's id, or undefined to leave the pick to the team's configured strategy.
 *
 * Its choice is recorded as the owner in the LeadAssigned event, so replay and as-of reads never call it,
 * and a rerun of the routing reaction adopts the recorded decision without calling it again. It must be
 * synchronous and pure (no I/O, no clock, no randomness: a lookup belongs in the host, as data on the lead
 * before the trigger). An answer that throws, or names no eligible member, is not recorded: the configured
 * strategy picks instead and the reaction logs a warning, so a faulty strategy never stops routing.
 */
export type HostRoutingStrategy = (facts: RoutingFacts, eligible: readonly RoutingCandidate[]) => string | undefined;
