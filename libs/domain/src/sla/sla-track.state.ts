import { type Channel, type Temperature } from '../config/lifecycle-config';
import { type SlaPolicy } from '../config/sla-config';
import { stageEnteredBy } from '../lead/lead-lifecycle-moves';
import { type LeadEvent, type LeadStage } from '../lead/lead.events';

/** The stages in which a response SLA runs; a lead that leaves them ends its SLA without a breach. */
export const SLA_STAGES: readonly LeadStage[] = ['lead', 'mql', 'sql'];

/** How an SLA ended: met by a touch in time, breached, or ended without either (reassigned, lead closed). */
export type SlaStatus = 'open' | 'met' | 'breached' | 'ended';

/** One response SLA of a lead, as the SLA reaction follows it. */
export interface TrackedSla {
  readonly slaId: string;
  readonly policyId: string;
  readonly ownerId: string;
  readonly teamId?: string;
  readonly startedAt: string;
  readonly dueAt: string;
  readonly onBreach: SlaPolicy['onBreach'];
  /** Reassignments after breaches (`sla_escalation`) in the chain this SLA belongs to, before it. */
  readonly reassignments: number;
  /** The LeadAssigned that started it, and that event's correlation id (the breach is caused by it). */
  readonly assignmentEventId: string;
  readonly correlationId: string;
  readonly status: SlaStatus;
  /** Why an `ended` SLA ended. */
  readonly endedBy?: 'reassigned' | 'closed';
  /** The first sales touch while this SLA was the lead's current one (also after a breach). */
  readonly firstTouchAt?: string;
  readonly touchType?: string;
}

/**
 * What the SLA reaction knows of one lead, folded from the lead's events in the store's order, each
 * followed at once by what the reaction decided on it (so an SlaStarted that lands in the stream after
 * a touch changes nothing: the fold already knew it). Pure: every instance folds the same track.
 */
export interface SlaTrack {
  readonly leadId: string;
  readonly tenantId: string;
  readonly channel?: Channel;
  /** The stage's name: a built-in stage, or the host's own (lifecycleConfig.stages). */
  readonly stage: string;
  readonly temperature: Temperature;
  readonly ownerId?: string;
  /** `sla_escalation` assignments since the last assignment of any other reason (the chain's start). */
  readonly chain: number;
  /** The lead's current SLA (the latest started), open or how it ended. */
  readonly sla?: TrackedSla;
}

/** The event being folded, with what the envelope adds: its id, tenant and correlation. */
export interface TrackedEvent {
  readonly event: LeadEvent;
  readonly eventId: string;
  readonly tenantId: string;
  readonly correlationId: string;
}

/**
 * Why `event` ends the open SLA `sla`, if it does: a sales touch at or after the start (`touch`),
 * another assignment, the lead leaving the SLA stages (`closed`), or the SLA's own outcome recorded.
 * The SLA reaction (in the store's order) and the breach sweeper (on the lead's stream as stored)
 * both use this one rule, so they never disagree about whether a deadline still stands.
 */
export function endOfSla(
  event: LeadEvent,
  sla: Pick<TrackedSla, 'slaId' | 'startedAt'>,
  isTouch: (activityType: string) => boolean,
): 'touch' | 'reassigned' | 'closed' | 'met' | 'breached' | undefined {
  switch (event.type) {
    case 'EngagementRecorded':
      // A touch backdated to before the assignment is not a response to it.
      return isTouch(event.data.activityType) && Date.parse(event.data.occurredAt) >= Date.parse(sla.startedAt) ? 'touch' : undefined;
    case 'LeadAssigned':
      return 'reassigned';
    case 'SlaMet':
      return event.data.slaId === sla.slaId ? 'met' : undefined;
    case 'SlaBreached':
      return event.data.slaId === sla.slaId ? 'breached' : undefined;
    default: {
      const stage = stageEnteredBy(event, undefined);
      return stage !== undefined && !(SLA_STAGES as readonly string[]).includes(stage) ? 'closed' : undefined;
    }
  }
}

/**
 * Folds one lead event into the track (its profile, and how it ends the current SLA). The reaction's
 * own decisions are folded with {@link applySlaDecision} right after the event that caused them.
 */
export function evolveSlaTrack(track: SlaTrack | undefined, tracked: TrackedEvent, isTouch: (activityType: string) => boolean): SlaTrack | undefined {
  const { event } = tracked;
  if (event.type === 'LeadCaptured') {
    return { leadId: event.data.leadId, tenantId: event.data.tenantId, channel: event.data.source.channel, stage: event.data.stage ?? 'lead', temperature: 'cold', chain: 0 };
  }
  if (!track) return undefined;
  let next: SlaTrack = track;
  const stage = stageEnteredBy(event, track.stage);
  if (stage) next = { ...next, stage };
  if (event.type === 'ScoreChanged') next = { ...next, temperature: event.data.temperature };
  if (event.type === 'LeadAssigned') {
    next = { ...next, ownerId: event.data.ownerId, chain: event.data.reason === 'sla_escalation' ? next.chain + 1 : 0 };
  }
  const sla = next.sla;
  if (!sla || sla.status === 'ended') return next;
  const end = sla.status === 'open' ? endOfSla(event, sla, isTouch) : undefined;
  if (end === 'met' || end === 'breached') return { ...next, sla: { ...sla, status: end } };
  if (end === 'reassigned' || end === 'closed') return { ...next, sla: { ...sla, status: 'ended', endedBy: end } };
  // The first touch is remembered while the SLA is the current one, also after a breach (time to first
  // touch); on an open SLA the reaction then decides SlaMet or, for a touch after the due time, SlaBreached.
  if (!sla.firstTouchAt && event.type === 'EngagementRecorded' && endOfSla(event, sla, isTouch) === 'touch') {
    return { ...next, sla: { ...sla, firstTouchAt: event.data.occurredAt, touchType: event.data.activityType } };
  }
  return next;
}

/** Folds what the reaction decided (SlaStarted, SlaMet, SlaBreached) into the track, before the log shows it. */
export function applySlaDecision(track: SlaTrack, decision: LeadEvent, started?: Pick<TrackedSla, 'onBreach' | 'reassignments' | 'assignmentEventId' | 'correlationId'>): SlaTrack {
  switch (decision.type) {
    case 'SlaStarted': {
      if (!started) throw new Error('SlaStarted needs the policy outcome and its assignment');
      const d = decision.data;
      const sla: TrackedSla = { slaId: d.slaId, policyId: d.policyId, ownerId: d.ownerId, teamId: d.teamId, startedAt: d.startedAt, dueAt: d.dueAt, ...started, status: 'open' };
      return { ...track, sla };
    }
    case 'SlaMet':
      return track.sla?.slaId === decision.data.slaId ? { ...track, sla: { ...track.sla, status: 'met' } } : track;
    case 'SlaBreached':
      return track.sla?.slaId === decision.data.slaId ? { ...track, sla: { ...track.sla, status: 'breached' } } : track;
    default:
      return track;
  }
}
