import {
  decodeLeadEvent,
  isLeadEventType,
  type LeadEvent,
  LEAD_STREAM_PREFIX,
  leadStreamId,
  type LifecycleConfig,
  reactToLeadEvent,
  type SlaTrack,
  type TrackedSla,
} from '@lead-lifecycle/domain';
import { type EventProcessor, type EventStore, type GlobalPosition, type StoredEvent } from '@lead-lifecycle/eventing';
import { type CommandContext, toNewEvents } from '@lead-lifecycle/lifecycle';
import { assertCheckpointAt } from '../checkpoint-at.guard';
import { type SlaStateStore } from './sla-state.store';

/** The SLA reaction's name: its checkpoint, its actor in the events it writes, its row in /v1/projections. */
export const SLA_REACTION_NAME = 'reaction:sla';

/** Who the SLA reaction's events say wrote them, and what caused them. */
export function slaEventContext(tenantId: string, correlationId: string, causationId: string, command: string): CommandContext {
  return { tenantId, actor: SLA_REACTION_NAME, correlationId, causationId, command };
}

/**
 * Appends SLA events idempotently: their ids come from the SLA (`idSeed` = slaId), so a second
 * instance, a redelivery or the sweeper writing the same event appends nothing new. No expected
 * revision: the event was decided from the fold of the log up to its cause, not from the stream's end.
 */
export async function appendSlaEvent(store: EventStore, event: LeadEvent & { data: { slaId: string } }, context: CommandContext): Promise<void> {
  await store.appendToStream(leadStreamId(event.data.leadId), toNewEvents([event], context, event.data.slaId), 'any');
}

/**
 * Response SLAs as a durable reaction (see README, Response SLAs). It folds every lead event, in the
 * store's global order, into the lead's SLA track (sla-track.state.ts) and appends what the pure
 * decider (sla-reaction.decider.ts) decides: SlaStarted on an assignment, SlaMet (or a late SlaBreached)
 * on the first sales touch. Tracks and SLA rows live in its state file (SlaStateStore) beside its
 * checkpoint, which it commits itself (`commitsCheckpoint`, the runner's checkpoint store being that
 * file's, as for routing): rows and checkpoint are written in one transaction after the batch's
 * appends, so a crash before it redoes the batch, whose appends are then idempotent replays, and a
 * crash after it leaves nothing to redo. The breach sweeper reads the open SLAs from the same file.
 */
export class SlaReaction implements EventProcessor {
  readonly name = SLA_REACTION_NAME;
  readonly streamPrefixes = [LEAD_STREAM_PREFIX];
  readonly commitsCheckpoint = true;

  constructor(
    private readonly store: EventStore,
    private readonly state: SlaStateStore,
    private readonly config: LifecycleConfig,
  ) {}

  async handleBatch(events: StoredEvent[], checkpoint: GlobalPosition, after: GlobalPosition): Promise<void> {
    // The tracks read below must be the fold up to `after`: another runner on this file may have moved on.
    assertCheckpointAt(this.state.checkpoints, this.name, after);
    const tracks = new Map<string, SlaTrack>();
    const slas = new Map<string, { track: SlaTrack; sla: TrackedSla }>();
    const appends: Array<() => Promise<void>> = [];
    for (const stored of events) {
      if (!isLeadEventType(stored.type)) continue;
      const event = decodeLeadEvent(stored);
      const leadId = event.data.leadId;
      const before = tracks.has(leadId) ? tracks.get(leadId) : this.state.track(leadId);
      const reaction = reactToLeadEvent(
        before,
        { event, eventId: stored.eventId, tenantId: stored.metadata.tenantId, correlationId: stored.metadata.correlationId },
        this.config,
      );
      if (!reaction.track) continue;
      const track = reaction.track;
      tracks.set(leadId, track);
      if (reaction.replaced) slas.set(reaction.replaced.slaId, { track, sla: reaction.replaced });
      if (track.sla) slas.set(track.sla.slaId, { track, sla: track.sla });
      for (const decision of reaction.decisions) {
        if (decision.type !== 'SlaStarted' && decision.type !== 'SlaMet' && decision.type !== 'SlaBreached') continue;
        const sla = track.sla!;
        // A breach is caused by the assignment whoever writes it (here or the sweeper): the same event.
        const context =
          decision.type === 'SlaMet'
            ? slaEventContext(track.tenantId, stored.metadata.correlationId, stored.eventId, 'MeetSla')
            : decision.type === 'SlaStarted'
              ? slaEventContext(track.tenantId, stored.metadata.correlationId, stored.eventId, 'StartSla')
              : slaEventContext(track.tenantId, sla.correlationId, sla.assignmentEventId, 'BreachSla');
        appends.push(() => appendSlaEvent(this.store, decision, context));
      }
    }
    for (const append of appends) await append();
    // Synchronous, so no other work on this connection (the sweeper's reads) comes between the check
    // and the commit; the check again, in the transaction, is what makes the commit exactly once.
    this.state.db
      .transaction(() => {
        assertCheckpointAt(this.state.checkpoints, this.name, after);
        this.state.write(tracks, slas);
        this.state.checkpoints.save(this.name, checkpoint);
      })
      .immediate();
  }
}
