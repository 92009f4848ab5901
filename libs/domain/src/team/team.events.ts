import { type DomainEvent } from '../shared/domain-event';

/** A team of owners that routing rules may name (`assign: { teamId, strategy }`). */
export type TeamCreated = DomainEvent<'TeamCreated', { teamId: string; tenantId: string; name: string; occurredAt: string }>;

/**
 * An owner joins the team. `capacity` is how many open leads the member holds at once (none: no limit);
 * `weight` is its share under the `weighted` strategy (default 1).
 */
export type TeamMemberAdded = DomainEvent<'TeamMemberAdded', { teamId: string; ownerId: string; capacity?: number; weight: number; occurredAt: string }>;

export type TeamMemberRemoved = DomainEvent<'TeamMemberRemoved', { teamId: string; ownerId: string; occurredAt: string }>;

/**
 * The member is available for routing again, or away (`available: false`), until `until` when given:
 * routing treats it as available from that time on, and the routing sweeper records the return then.
 */
export type TeamMemberAvailabilityChanged = DomainEvent<
  'TeamMemberAvailabilityChanged',
  { teamId: string; ownerId: string; available: boolean; until?: string; occurredAt: string }
>;

export type TeamEvent = TeamCreated | TeamMemberAdded | TeamMemberRemoved | TeamMemberAvailabilityChanged;
export type TeamEventType = TeamEvent['type'];

export const TEAM_EVENT_TYPES: readonly TeamEventType[] = ['TeamCreated', 'TeamMemberAdded', 'TeamMemberRemoved', 'TeamMemberAvailabilityChanged'];

/** Every team's stream id starts with this: `team-<tenantId>.<teamId>`. */
export const TEAM_STREAM_PREFIX = 'team-';

/**
 * The team's stream. The tenant is part of the name because the caller chooses the team id (a slug the
 * routing configuration names): two tenants may both have a team `enterprise`. Team ids are slugs
 * (no dots), so the last dot separates the two even when a tenant id has dots.
 */
export const teamStreamId = (tenantId: string, teamId: string) => `${TEAM_STREAM_PREFIX}${tenantId}.${teamId}`;
