import {
  decodeLeadEvent,
  decodeOpportunityEvent,
  DomainError,
  DomainErrorCode,
  evolveLead,
  evolveOpportunity,
  initialLeadState,
  initialOpportunityState,
  type LeadState,
  LEAD_STREAM_PREFIX,
  leadStreamId,
  OPPORTUNITY_STREAM_PREFIX,
  type OpportunityState,
  opportunityStreamId,
  stageNameOf,
} from '@lead-lifecycle/domain';
import { comparePositions, type EventStore, positionToString, type StoredEvent } from '@lead-lifecycle/eventing';
import type { OwnerScope } from '../infrastructure/command-context';
import { withinOwnerScope } from '../infrastructure/repositories';

/** What an event changed: the lead's stage and score, or the opportunity's status and pipeline stage. */
export interface Transition {
  readonly stage?: { readonly before: string; readonly after: string };
  readonly score?: { readonly before: number; readonly after: number };
  readonly opportunityStatus?: { readonly before: string; readonly after: string };
  readonly opportunityStage?: { readonly before: string | null; readonly after: string | null };
}

export interface HistoryEntry {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly revision: number;
  readonly position: string;
  readonly data: Record<string, unknown>;
  readonly metadata: StoredEvent['metadata'];
  readonly transition: Transition;
}

export interface LeadHistory {
  readonly leadId: string;
  readonly tenantId: string;
  readonly events: HistoryEntry[];
}

// A host's own stage by its name (lifecycleConfig.stages): a move between two of them is a transition too.
const stageOf = (s: LeadState) => (s.stage === 'none' ? s.stage : stageNameOf(s));
const scoreOf = (s: LeadState) => (s.stage === 'none' ? 0 : s.score.total);
const oppStage = (s: OpportunityState) => (s.status === 'none' ? null : s.stage);

/**
 * Folds lead and opportunity events one by one with the live evolve functions, and says what each
 * changed. Keeps one state per stream, so it serves one lead's history and a whole-tenant export alike.
 */
export class TransitionTracker {
  private readonly leads = new Map<string, LeadState>();
  private readonly opportunities = new Map<string, OpportunityState>();

  apply(event: StoredEvent): Transition {
    if (event.streamId.startsWith(LEAD_STREAM_PREFIX)) {
      const before = this.leads.get(event.streamId) ?? initialLeadState;
      const after = evolveLead(before, decodeLeadEvent(event));
      this.leads.set(event.streamId, after);
      return {
        ...(stageOf(before) !== stageOf(after) ? { stage: { before: stageOf(before), after: stageOf(after) } } : {}),
        ...(scoreOf(before) !== scoreOf(after) ? { score: { before: scoreOf(before), after: scoreOf(after) } } : {}),
      };
    }
    if (event.streamId.startsWith(OPPORTUNITY_STREAM_PREFIX)) {
      const before = this.opportunities.get(event.streamId) ?? initialOpportunityState;
      const after = evolveOpportunity(before, decodeOpportunityEvent(event));
      this.opportunities.set(event.streamId, after);
      return {
        ...(before.status !== after.status ? { opportunityStatus: { before: before.status, after: after.status } } : {}),
        ...(oppStage(before) !== oppStage(after) ? { opportunityStage: { before: oppStage(before), after: oppStage(after) } } : {}),
      };
    }
    return {};
  }
}

export function historyEntry(event: StoredEvent, transition: Transition): HistoryEntry {
  return {
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: positionToString(event.position),
    data: event.data,
    metadata: event.metadata,
    transition,
  };
}

/** The streams of the opportunities opened for a lead, from the lead's own events. */
export function opportunityStreamsOf(leadEvents: readonly StoredEvent[]): string[] {
  return leadEvents.filter((e) => e.type === 'OpportunityOpenedForLead').map((e) => opportunityStreamId(String(e.data.opportunityId)));
}

/**
 * The lead's whole journey: its own events and those of its opportunities, in global order, each with
 * who caused it, when, why and what it changed. `tenantId` undefined reads any tenant (auditors' CLI).
 */
export async function readLeadHistory(store: EventStore, leadId: string, tenantId?: string, ownerScope?: OwnerScope): Promise<LeadHistory> {
  const own = await readVisibleLead(store, leadId, tenantId, ownerScope);
  const theirs = await Promise.all(opportunityStreamsOf(own).map((id) => store.readStream(id)));
  const events = [...own, ...theirs.flat()].sort((a, b) => comparePositions(a.position, b.position));
  const tracker = new TransitionTracker();
  return { leadId, tenantId: own[0].metadata.tenantId, events: events.map((e) => historyEntry(e, tracker.apply(e))) };
}

/**
 * The lead's own events, when the caller may see the lead: of its tenant (undefined: any tenant) and,
 * for an owner-scoped caller, its own or unassigned. Else LEAD_NOT_FOUND, as for a lead that does not
 * exist, so a refusal tells nothing about other tenants' or owners' leads.
 */
export async function readVisibleLead(store: EventStore, leadId: string, tenantId?: string, ownerScope?: OwnerScope): Promise<StoredEvent[]> {
  const own = await store.readStream(leadStreamId(leadId));
  if (own.length === 0 || (tenantId !== undefined && own[0].metadata.tenantId !== tenantId) || !withinOwnerScope(currentOwnerOf(own), ownerScope)) {
    throw new DomainError(DomainErrorCode.LeadNotFound, `lead ${leadId} not found`, { leadId });
  }
  return own;
}

/** The lead's owner now, folded from its own events with the live evolve. */
function currentOwnerOf(leadEvents: readonly StoredEvent[]): string | undefined {
  const state = leadEvents.reduce<LeadState>((s, e) => evolveLead(s, decodeLeadEvent(e)), initialLeadState);
  return state.stage === 'none' ? undefined : state.ownerId;
}
