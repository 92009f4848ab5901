import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { comparePositions, positionToString } from '@lead-lifecycle/eventing';
import type { EventStore } from '@lead-lifecycle/eventing';
import { Clock } from '@lead-lifecycle/domain';
import { CHECKPOINT_STORE, CLOCK, EVENT_STORE, Processors, ProcessorState } from '@lead-lifecycle/eventing';
import type { CheckpointStore, ProcessorFailure } from '@lead-lifecycle/eventing';
import { QuarantinedLead } from './lead-quarantine';
import { PROJECTION_NAMES, ReadModels } from './read-models';
import { projectionCheckpointName } from './sqlite-projection';

export interface ProcessorLag {
  readonly name: string;
  readonly state: ProcessorState;
  readonly position: string;
  readonly headPosition: string;
  /** Events between the checkpoint and the head (counted up to `eventsBehindCap`). */
  readonly eventsBehind: number;
  readonly eventsBehindCapped: boolean;
  /** How long the oldest event not yet handled has been in the store. */
  readonly secondsBehind: number;
  readonly lastError: string | null;
  readonly stoppedReason: string | null;
  readonly failures: ProcessorFailure[];
  /** Leads this processor holds quarantined (projections under the `quarantine` policy; 0 for the others). */
  readonly quarantinedLeads: number;
}

export interface ProjectionStatus {
  readonly processors: ProcessorLag[];
  /** Quarantined leads of every projection with the event that quarantined them (at most `QUARANTINE_LIST_CAP` per projection). */
  readonly quarantined: QuarantinedLead[];
}

const CAP = 10000;
export const QUARANTINE_LIST_CAP = 100;

export class GetProjectionStatusQuery extends Query<ProjectionStatus> {}

/**
 * Lag of every processor that follows the global order: projections, the reaction, the Kafka relay,
 * whether they run on this thread or in the processor worker (their failures are read from the shared file).
 */
@QueryHandler(GetProjectionStatusQuery)
export class GetProjectionStatusHandler implements IQueryHandler<GetProjectionStatusQuery> {
  constructor(
    private readonly processors: Processors,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CHECKPOINT_STORE) private readonly checkpoints: CheckpointStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly readModels: ReadModels,
  ) {}

  async execute(): Promise<ProjectionStatus> {
    const head = await this.store.headPosition();
    const now = this.clock.now().getTime();
    const reader = this.readModels.reader;
    const quarantineCounts = new Map(
      await Promise.all(PROJECTION_NAMES.map(async (name) => [projectionCheckpointName(name), await reader.quarantineCount(name)] as const)),
    );
    const processors = await Promise.all(
      this.processors.statuses().map(async (original) => {
        // A shared read model (READ_MODELS=postgres) is as far as its checkpoint in PostgreSQL, whichever instance folds it.
        const projection = PROJECTION_NAMES.find((name) => projectionCheckpointName(name) === original.name);
        const shared = projection === undefined ? undefined : await this.readModels.sharedPosition(projection);
        const status = shared === undefined ? original : { ...original, position: shared };
        const behind = comparePositions(status.position, head) < 0 ? await this.store.readAll({ after: status.position, maxCount: CAP }) : [];
        // How long the oldest event not yet handled has been waiting.
        const secondsBehind = behind.length ? Math.max(0, (now - Date.parse(behind[0].metadata.recordedAt)) / 1000) : 0;
        return {
          name: status.name,
          state: status.state,
          position: positionToString(status.position),
          headPosition: positionToString(head),
          eventsBehind: behind.length,
          eventsBehindCapped: behind.length >= CAP,
          secondsBehind,
          lastError: status.lastError ?? null,
          stoppedReason: status.stoppedReason ?? null,
          failures: this.checkpoints.failures(status.name).slice(-20),
          quarantinedLeads: quarantineCounts.get(status.name) ?? 0,
        };
      }),
    );
    const quarantined = (await Promise.all(PROJECTION_NAMES.map((name) => reader.quarantineList(name, QUARANTINE_LIST_CAP)))).flat();
    return { processors, quarantined };
  }
}
