import { type LifecycleConfig } from '../config/lifecycle-config';
import { type LeadEvent, type SlaBreached } from '../lead/lead.events';
import { durationMs } from '../shared/iso-duration';
import { addBusinessTime } from './business-calendar';
import { isSalesTouch } from './sales-touch';
import { matchSlaPolicy } from './sla-policy';
import { applySlaDecision, evolveSlaTrack, SLA_STAGES, type SlaTrack, type TrackedEvent, type TrackedSla } from './sla-track.state';

/** The SLA an assignment starts is named after the assignment: one SLA per LeadAssigned event, ever. */
export const slaIdOf = (assignmentEventId: string) => `sla-${assignmentEventId}`;

/** What the SLA reaction does with one lead event: the track after it, and the SLA events to append. */
export interface SlaReaction {
  readonly track: SlaTrack | undefined;
  readonly decisions: LeadEvent[];
  /** The SLA a new one replaced on this event (it ended with the reassignment), as it ended. */
  readonly replaced?: TrackedSla;
}

/**
 * The SLA reaction to one lead event, pure: folds it into the track, then decides
 * - on `LeadAssigned` (any reason) of a lead in lead, mql or sql: `SlaStarted` for the new owner under
 *   the first policy whose `when` matches the lead then, due after `firstTouchWithin` on its calendar;
 * - on the first sales touch after the start of an open SLA: `SlaMet` when it happened by the due time,
 *   else `SlaBreached` (the very event the breach sweeper would have written at the due time).
 * Another assignment, or the lead leaving lead/mql/sql, ends an open SLA without any event.
 */
export function reactToLeadEvent(track: SlaTrack | undefined, tracked: TrackedEvent, config: LifecycleConfig): SlaReaction {
  const isTouch = (type: string) => isSalesTouch(type, config);
  const before = track?.sla;
  let after = evolveSlaTrack(track, tracked, isTouch);
  if (!after) return { track: after, decisions: [] };
  const { event } = tracked;
  const decisions: LeadEvent[] = [];
  let replaced: TrackedSla | undefined;

  if (event.type === 'LeadAssigned' && (SLA_STAGES as readonly string[]).includes(after.stage)) {
    const policy = matchSlaPolicy(config.sla, after);
    if (policy) {
      const startedAt = event.data.occurredAt;
      const started: LeadEvent = {
        type: 'SlaStarted',
        data: {
          leadId: after.leadId,
          slaId: slaIdOf(tracked.eventId),
          policyId: policy.id,
          ownerId: event.data.ownerId,
          teamId: event.data.teamId,
          startedAt,
          dueAt: addBusinessTime(startedAt, durationMs(policy.firstTouchWithin), policy.calendar),
          occurredAt: startedAt,
        },
      };
      decisions.push(started);
      replaced = after.sla;
      after = applySlaDecision(after, started, {
        onBreach: policy.onBreach,
        reassignments: after.chain,
        assignmentEventId: tracked.eventId,
        correlationId: tracked.correlationId,
      });
    }
  }

  const sla = after.sla;
  const firstTouch = event.type === 'EngagementRecorded' && sla?.status === 'open' && before?.slaId === sla.slaId && !before.firstTouchAt && sla.firstTouchAt;
  if (firstTouch && sla) {
    const touchedAt = Date.parse(sla.firstTouchAt);
    const decision: LeadEvent =
      touchedAt <= Date.parse(sla.dueAt)
        ? {
            type: 'SlaMet',
            data: {
              leadId: after.leadId,
              slaId: sla.slaId,
              policyId: sla.policyId,
              ownerId: sla.ownerId,
              touchType: sla.touchType!,
              secondsToFirstTouch: Math.round((touchedAt - Date.parse(sla.startedAt)) / 1000),
              occurredAt: sla.firstTouchAt,
            },
          }
        : slaBreachOf(after.leadId, sla);
    decisions.push(decision);
    after = applySlaDecision(after, decision);
  }
  return { track: after, decisions, replaced };
}

/**
 * The breach of `sla`: stamped with its due time, so whoever writes it (the sweeper at the due time, or
 * the reaction on a late first touch, on any instance) writes the very same event.
 */
export function slaBreachOf(leadId: string, sla: TrackedSla): SlaBreached {
  return {
    type: 'SlaBreached',
    data: {
      leadId,
      slaId: sla.slaId,
      policyId: sla.policyId,
      ownerId: sla.ownerId,
      teamId: sla.teamId,
      dueAt: sla.dueAt,
      onBreach: sla.onBreach,
      reassignments: sla.reassignments,
      occurredAt: sla.dueAt,
    },
  };
}
