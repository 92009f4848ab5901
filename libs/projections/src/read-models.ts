import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { DomainError, DomainErrorCode } from '@lead-lifecycle/domain';
import { GlobalPosition, positionToString } from '@lead-lifecycle/event-store';
import { CHECKPOINT_STORE, ProcessorHost, ProcessorRunner, SqliteCheckpointStore } from '@lead-lifecycle/lifecycle';
import { FunnelProjection } from './funnel.projection';
import { KpiProjection } from './kpi.projection';
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

/** The read-model database and the runners of the projections that fill it. */
@Injectable()
export class ReadModels implements OnModuleInit {
  readonly db: Database.Database;
  readonly processors: Record<ProjectionName, SqliteProjectionProcessor>;
  private readonly runners = new Map<ProjectionName, ProcessorRunner>();

  constructor(
    @Inject(CHECKPOINT_STORE) checkpoints: SqliteCheckpointStore,
    private readonly host: ProcessorHost,
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
    for (const name of PROJECTION_NAMES) {
      this.runners.set(
        name,
        this.host.register(this.processors[name], {
          poisonPolicy: this.config.PROJECTION_POISON_POLICY,
          batchSize: this.config.PROJECTION_BATCH_SIZE,
          coalesceMs: this.config.PROJECTION_COALESCE_MS,
        }),
      );
    }
  }

  runner(name: ProjectionName): ProcessorRunner {
    return this.runners.get(name)!;
  }

  /** Waits (bounded) until the projections have handled `position`, so a client reads its own write. */
  async waitFor(names: readonly ProjectionName[], position: GlobalPosition | undefined, timeoutMs: number): Promise<void> {
    if (!position) return;
    for (const name of names) {
      if (!(await this.runner(name).waitFor(position, timeoutMs))) throw new ProjectionBehindError(name, position, timeoutMs);
    }
  }
}
