import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { DomainError, DomainErrorCode, InvalidCommandError } from '@lead-lifecycle/domain';
import { comparePositions, GlobalPosition, positionToString } from '@lead-lifecycle/eventing';
import { CHECKPOINT_STORE, ProcessorHandle, Processors, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { FunnelProjection } from './funnel.projection';
import { KpiProjection } from './kpi.projection';
import { LeadQuarantine } from './lead-quarantine';
import { PROJECTIONS_CONFIG } from './projections.tokens';
import { ProjectionsConfig } from './projections.config';
import { ScoringProjection } from './scoring.projection';
import { SqliteProjection, SqliteProjectionProcessor } from './sqlite-projection';

export const PROJECTION_NAMES = ['funnel', 'scoring', 'kpi'] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

export function createProjections(): Record<ProjectionName, SqliteProjection> {
  return { funnel: new FunnelProjection(), scoring: new ScoringProjection(), kpi: new KpiProjection() };
}

/** Thrown when a query asked to read its own write and the projection did not get there in time. */
export class ProjectionBehindError extends DomainError {
  constructor(projection: string, position: GlobalPosition, waitedMs: number) {
    super(DomainErrorCode.ProjectionBehind, `projection ${projection} has not reached position ${positionToString(position)} after ${waitedMs} ms`, {
      projection,
      position: positionToString(position),
    });
  }
}

/**
 * The read-model database and the projections that fill it. The projections run on the eventing
 * module's ProcessorHost, unless that module has a processor worker: then the worker runs them on its own
 * connections, and here `db` is only read (WAL: readers never block the worker's writes) while positions
 * come from the worker's reports.
 */
@Injectable()
export class ReadModels implements OnModuleInit {
  readonly db: Database.Database;
  readonly processors: Record<ProjectionName, SqliteProjectionProcessor>;

  constructor(
    @Inject(CHECKPOINT_STORE) checkpoints: SqliteCheckpointStore,
    private readonly all: Processors,
    @Inject(PROJECTIONS_CONFIG) private readonly config: ProjectionsConfig,
  ) {
    this.db = checkpoints.db;
    const projections = createProjections();
    this.processors = {
      funnel: new SqliteProjectionProcessor(this.db, projections.funnel),
      scoring: new SqliteProjectionProcessor(this.db, projections.scoring),
      kpi: new SqliteProjectionProcessor(this.db, projections.kpi),
    };
  }

  onModuleInit(): void {
    if (this.all.inWorker) return;
    for (const name of PROJECTION_NAMES) {
      this.all.host.register(this.processors[name], {
        poisonPolicy: this.config.PROJECTION_POISON_POLICY,
        batchSize: this.config.PROJECTION_BATCH_SIZE,
        coalesceMs: this.config.PROJECTION_COALESCE_MS,
      });
    }
  }

  /** The projection's runner on this thread, or its handle in the processor worker. */
  runner(name: ProjectionName): ProcessorHandle {
    const handle = this.all.runner(this.processors[name].name);
    if (!handle) throw new Error(`projection ${name} is not registered`);
    return handle;
  }

  /** The leads a projection holds quarantined. */
  quarantine(name: ProjectionName): LeadQuarantine {
    return this.processors[name].quarantine;
  }

  /**
   * Waits (bounded) until the projections have handled `position`, so a client reads its own write. A
   * position beyond the store's head was never answered by a write: it is refused at once (400) instead
   * of waiting for an event that may never come.
   */
  async waitFor(names: readonly ProjectionName[], position: GlobalPosition | undefined, timeoutMs: number): Promise<void> {
    if (!position) return;
    if (names.every((name) => comparePositions(this.runner(name).status().position, position) >= 0)) return;
    const head = await this.all.host.headPosition();
    if (comparePositions(position, head) > 0) {
      throw new InvalidCommandError([
        { field: 'minPosition', reason: `is beyond the newest position in the store (${positionToString(head)}); pass a position a command answered` },
      ]);
    }
    for (const name of names) {
      if (!(await this.runner(name).waitFor(position, timeoutMs))) throw new ProjectionBehindError(name, position, timeoutMs);
    }
  }
}
