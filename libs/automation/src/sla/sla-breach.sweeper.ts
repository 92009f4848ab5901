import { decodeLeadEvent, endOfSla, isLeadEventType, isSalesTouch, leadStreamId, type LifecycleConfig, slaBreachOf } from '@lead-lifecycle/domain';
import { type DeadlineSweeper, type EventStore, WrongExpectedRevisionError } from '@lead-lifecycle/eventing';
import { toNewEvents } from '@lead-lifecycle/lifecycle';
import { type SlaRow, type SlaStateStore } from './sla-state.store';
import { slaEventContext } from './sla.reaction';

/** How often one breach is decided again when the lead's stream moved under it. */
const MAX_ATTEMPTS = 5;

/**
 * Appends SlaBreached for every open SLA whose due time has come (the reaction's state file lists
 * them). Each breach is decided on the lead's stream as stored, with the same rule the reaction folds
 * (`endOfSla`): a touch, another assignment, the lead leaving lead/mql/sql or the SLA's own outcome
 * after the assignment means the deadline no longer stands. The append expects the revision it
 * decided on, so a touch landing meanwhile makes it decide again; the event is stamped with the due
 * time and its id comes from the SLA, so every instance and every retry writes the same one.
 */
export class SlaBreachSweeper implements DeadlineSweeper {
  readonly name = 'sweeper:sla-breach';

  constructor(
    private readonly store: EventStore,
    private readonly state: SlaStateStore,
    private readonly config: LifecycleConfig,
  ) {}

  async sweep(now: Date): Promise<number> {
    let acted = 0;
    for (const sla of this.state.dueSlas(now)) if (await this.breach(sla)) acted++;
    return acted;
  }

  /** Appends the breach of `sla` if it still stands; answers whether it appended one. */
  private async breach(sla: SlaRow): Promise<boolean> {
    const isTouch = (type: string) => isSalesTouch(type, this.config);
    const streamId = leadStreamId(sla.leadId);
    for (let attempt = 1; ; attempt++) {
      const stream = await this.store.readStream(streamId);
      const start = stream.findIndex((e) => e.eventId === sla.assignmentEventId);
      if (start < 0) return false;
      const stands = stream.slice(start + 1).every((stored) => !isLeadEventType(stored.type) || endOfSla(decodeLeadEvent(stored), sla, isTouch) === undefined);
      if (!stands) return false;
      const context = slaEventContext(sla.tenantId, sla.correlationId, sla.assignmentEventId, 'BreachSla');
      try {
        await this.store.appendToStream(streamId, toNewEvents([slaBreachOf(sla.leadId, sla)], context, sla.slaId), stream[stream.length - 1].revision);
        return true;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }
}
