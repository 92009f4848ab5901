import {
  addDuration,
  AGGREGATE_STREAM_PREFIXES,
  decodeLeadEvent,
  decodeOpportunityEvent,
  isLeadEventType,
  isOpportunityEventType,
  LEAD_STREAM_PREFIX,
  type LeadEvent,
  type LifecycleConfig,
  lifecycleMoveOf,
  type OpportunityEvent,
  OPPORTUNITY_STREAM_PREFIX,
} from '@lead-lifecycle/domain';
import { type EventProcessor, type GlobalPosition, type StoredEvent } from '@lead-lifecycle/eventing';
import { assertCheckpointAt } from '../checkpoint-at.guard';
import { nextDecayCheck } from './aging-plans';
import type { AgingWatchKind, AgingWatchStore } from './aging-watch.store';

/**
 * Keeps the aging deadlines from the store's global order: when an opportunity's idle spell ends,
 * when an MQL goes stale, when a lead's decay is next looked at, when a closed lead is recycled. It
 * writes them with its checkpoint in one transaction of its state file (`commitsCheckpoint`, the
 * runner's checkpoint store being that file's, as for routing), so a restart neither loses nor
 * repeats one. A deadline is only a hint of when to look: the sweeper (AgingSweeper) decides from the
 * stream itself.
 */
export class AgingReaction implements EventProcessor {
  readonly name = 'reaction:aging';
  readonly streamPrefixes = AGGREGATE_STREAM_PREFIXES;
  readonly commitsCheckpoint = true;

  constructor(
    private readonly watches: AgingWatchStore,
    private readonly config: LifecycleConfig,
  ) {}

  async handleBatch(events: StoredEvent[], checkpoint: GlobalPosition, after: GlobalPosition): Promise<void> {
    this.watches.db
      .transaction(() => {
        // Applied only if the batch starts at the stored checkpoint (another runner on this file may have moved it).
        assertCheckpointAt(this.watches.checkpoints, this.name, after);
        for (const event of events) {
          if (event.streamId.startsWith(LEAD_STREAM_PREFIX) && isLeadEventType(event.type)) this.onLead(event, decodeLeadEvent(event));
          else if (event.streamId.startsWith(OPPORTUNITY_STREAM_PREFIX) && isOpportunityEventType(event.type)) this.onOpportunity(event, decodeOpportunityEvent(event));
        }
        this.watches.checkpoints.save(this.name, checkpoint);
      })
      .immediate();
  }

  private onOpportunity(stored: StoredEvent, event: OpportunityEvent): void {
    const limits = this.config.aging.stalledAfter;
    const limitOf = (stage: string) => (Object.hasOwn(limits, stage) ? limits[stage] : undefined);
    switch (event.type) {
      case 'OpportunityOpened':
      case 'OpportunityStageChanged': {
        const stage = event.type === 'OpportunityOpened' ? event.data.stage : event.data.to;
        const limit = limitOf(stage);
        if (limit) this.set('stall', stored, addDuration(event.data.occurredAt, limit));
        else this.watches.remove('stall', stored.streamId);
        return;
      }
      case 'OpportunityWon':
      case 'OpportunityLost':
      case 'OpportunityStalled':
        this.watches.remove('stall', stored.streamId);
        return;
    }
  }

  private onLead(stored: StoredEvent, event: LeadEvent): void {
    const aging = this.config.aging;
    const streamId = stored.streamId;
    const at = event.data.occurredAt;
    // Any stage move ends the stale clock of an MQL and a pending recycling; the ones below start them.
    if (lifecycleMoveOf(event.type)) {
      this.watches.remove('stale', streamId);
      this.watches.remove('recycle', streamId);
    }
    switch (event.type) {
      case 'QualifiedAsMQL':
        if (aging.recycleStaleMqlAfter) this.set('stale', stored, addDuration(at, aging.recycleStaleMqlAfter));
        return;
      case 'EngagementRecorded': {
        const stale = this.watches.get('stale', streamId);
        if (stale && aging.recycleStaleMqlAfter && this.config.sla.touchTypes.includes(event.data.activityType)) {
          const dueAt = addDuration(at, aging.recycleStaleMqlAfter);
          if (dueAt > stale.dueAt) this.set('stale', stored, dueAt);
        }
        if (event.data.points !== 0) this.lookAtDecay(stored, at);
        return;
      }
      case 'ScoreChanged':
        if (event.data.current.engagement !== 0) this.lookAtDecay(stored, at);
        return;
      case 'LeadDisqualified':
        if (aging.recycleClosed?.disqualificationReasons.includes(event.data.reason)) this.set('recycle', stored, addDuration(at, aging.recycleClosed.after));
        return;
      case 'OpportunityLostForLead':
        if (aging.recycleClosed?.lostReasons.includes(event.data.reason)) this.set('recycle', stored, addDuration(at, aging.recycleClosed.after));
        return;
      default:
        return;
    }
  }

  /** The lead's decay is next looked at the first interval boundary after `at`, unless an earlier look is already due. */
  private lookAtDecay(stored: StoredEvent, at: string): void {
    const dueAt = nextDecayCheck(at, this.config.aging);
    const current = this.watches.get('decay', stored.streamId);
    if (!current || dueAt < current.dueAt) this.set('decay', stored, dueAt);
  }

  private set(kind: AgingWatchKind, stored: StoredEvent, dueAt: string): void {
    this.watches.put({ kind, streamId: stored.streamId, tenantId: stored.metadata.tenantId, dueAt });
  }
}
