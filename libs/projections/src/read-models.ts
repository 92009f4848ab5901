import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Database from 'better-sqlite3';
import type { Pool } from 'pg';
import { DomainError, DomainErrorCode, InvalidCommandError } from '@lead-lifecycle/domain';
import { comparePositions, createPostgresPool, FleetLeases, GlobalPosition, LeaseConfig, PostgresConfig, positionToString } from '@lead-lifecycle/eventing';
import { CHECKPOINT_STORE, ProcessorHandle, Processors, SqliteCheckpointStore } from '@lead-lifecycle/eventing';
import { FunnelProjection } from './funnel.projection';
import { KpiProjection } from './kpi.projection';
import { LeadQuarantine } from './lead-quarantine';
import { FunnelPostgresProjection } from './postgres/funnel.postgres-projection';
import { KpiPostgresProjection } from './postgres/kpi.postgres-projection';
import { PostgresReadModelReader } from './postgres/postgres-read-model.reader';
import { migrateReadModels, PostgresProjection, PostgresProjectionProcessor } from './postgres/postgres-projection';
import { ScoringPostgresProjection } from './postgres/scoring.postgres-projection';
import { ReadModelReader, SqliteReadModelReader } from './read-model-reader';
import { PROJECTIONS_CONFIG, PROJECTIONS_FLEET } from './projections.tokens';
import { ProjectionsConfig } from './projections.config';
import { ScoringProjection } from './scoring.projection';
import { SqliteProjection, SqliteProjectionProcessor } from './sqlite-projection';

export const PROJECTION_NAMES = ['funnel', 'scoring', 'kpi'] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

export function createProjections(): Record<ProjectionName, SqliteProjection> {
  return { funnel: new FunnelProjection(), scoring: new ScoringProjection(), kpi: new KpiProjection() };
}

/** The same read models as folds into PostgreSQL (READ_MODELS=postgres). */
export function createPostgresProjections(): Record<ProjectionName, PostgresProjection> {
  return { funnel: new FunnelPostgresProjection(), scoring: new ScoringPostgresProjection(), kpi: new KpiPostgresProjection() };
}

/** Where READ_MODELS=postgres keeps the read models and how its instance holds their leases. */
export interface ReadModelsFleet {
  readonly postgres: Pick<PostgresConfig, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>;
  readonly lease: LeaseConfig;
}

/** How often a query that reads its own write looks at a checkpoint another instance moves. */
const SHARED_CHECKPOINT_POLL_MS = 20;

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
export class ReadModels implements OnModuleInit, OnApplicationShutdown {
  readonly db: Database.Database;
  readonly processors: Record<ProjectionName, SqliteProjectionProcessor>;
  /** What the queries read: the SQLite file, or PostgreSQL once the module has started (READ_MODELS=postgres). */
  reader: ReadModelReader;
  private pool?: Pool;
  private leases?: FleetLeases;
  private readonly postgresProcessors: PostgresProjectionProcessor[] = [];

  constructor(
    @Inject(CHECKPOINT_STORE) private readonly checkpoints: SqliteCheckpointStore,
    private readonly all: Processors,
    @Inject(PROJECTIONS_CONFIG) private readonly config: ProjectionsConfig,
    @Inject(PROJECTIONS_FLEET) private readonly fleet: ReadModelsFleet,
  ) {
    this.db = checkpoints.db;
    const projections = createProjections();
    this.processors = {
      funnel: new SqliteProjectionProcessor(this.db, projections.funnel),
      scoring: new SqliteProjectionProcessor(this.db, projections.scoring),
      kpi: new SqliteProjectionProcessor(this.db, projections.kpi),
    };
    this.reader = new SqliteReadModelReader(this.db, (name) => this.processors[name].quarantine);
  }

  async onModuleInit(): Promise<void> {
    if (this.config.READ_MODELS === 'postgres') return this.startOnPostgres();
    if (this.all.inWorker) return;
    for (const name of PROJECTION_NAMES) this.all.host.register(this.processors[name], this.runnerOptions());
  }

  private runnerOptions() {
    return {
      poisonPolicy: this.config.PROJECTION_POISON_POLICY,
      batchSize: this.config.PROJECTION_BATCH_SIZE,
      coalesceMs: this.config.PROJECTION_COALESCE_MS,
    };
  }

  /**
   * READ_MODELS=postgres: the tables are made (migrations), the queries read PostgreSQL, and where the
   * processors run (this thread, or the worker) each projection is registered under its lease: only
   * the holder folds, from the checkpoint in PostgreSQL, and its commits are fenced on the lease's term.
   * The checkpoint is loaded from the shared table, so a new holder resumes where the last one committed.
   */
  private async startOnPostgres(): Promise<void> {
    const pool = createPostgresPool(this.fleet.postgres, `lead-lifecycle ${this.fleet.lease.INSTANCE_ID} read-models`);
    this.pool = pool;
    await migrateReadModels(pool);
    this.reader = new PostgresReadModelReader(pool);
    if (this.all.inWorker) return;
    const leases = await FleetLeases.open(this.fleet.postgres, this.fleet.lease);
    this.leases = leases;
    const projections = createPostgresProjections();
    for (const name of PROJECTION_NAMES) {
      const processorName = this.processors[name].name;
      const lease = leases.lease(processorName);
      const checkpoints = await leases.checkpointsFor(lease, this.checkpoints);
      const processor = new PostgresProjectionProcessor(pool, projections[name], lease);
      this.postgresProcessors.push(processor);
      this.all.host.register(processor, { ...this.runnerOptions(), lease, ...(checkpoints ? { checkpoints } : {}) });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // Stopped here first (a second stop by the host does nothing) so the leases are released while their pool is open.
    for (const processor of this.postgresProcessors) await this.all.host.runner(processor.name)?.stop();
    await this.leases?.close();
    await this.pool?.end().catch(() => undefined);
  }

  /** The projection's runner on this thread, or its handle in the processor worker. */
  runner(name: ProjectionName): ProcessorHandle {
    const handle = this.all.runner(this.processors[name].name);
    if (!handle) throw new Error(`projection ${name} is not registered`);
    return handle;
  }

  /**
   * With READ_MODELS=postgres, how far the shared read model is (its checkpoint in PostgreSQL, whichever
   * instance folds it): a standby's own runner never moves, so lag is judged on this. Undefined with SQLite.
   */
  async sharedPosition(name: ProjectionName): Promise<GlobalPosition | undefined> {
    return this.config.READ_MODELS === 'postgres' ? this.reader.checkpoint(name) : undefined;
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
    if (this.config.READ_MODELS === 'postgres') return this.waitForShared(names, position, timeoutMs);
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

  /**
   * Read your writes on the shared read models: whichever instance folds them, the checkpoint in
   * PostgreSQL says how far they are, so every instance looks there (bounded by `timeoutMs`).
   */
  private async waitForShared(names: readonly ProjectionName[], position: GlobalPosition, timeoutMs: number): Promise<void> {
    const reached = async (name: ProjectionName) => comparePositions(await this.reader.checkpoint(name), position) >= 0;
    let behind: ProjectionName[] = [];
    for (const name of names) if (!(await reached(name))) behind.push(name);
    if (behind.length === 0) return;
    const head = await this.all.host.headPosition();
    if (comparePositions(position, head) > 0) {
      throw new InvalidCommandError([
        { field: 'minPosition', reason: `is beyond the newest position in the store (${positionToString(head)}); pass a position a command answered` },
      ]);
    }
    const deadline = Date.now() + timeoutMs;
    while (behind.length > 0) {
      if (Date.now() >= deadline) throw new ProjectionBehindError(behind[0], position, timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, SHARED_CHECKPOINT_POLL_MS));
      const still: ProjectionName[] = [];
      for (const name of behind) if (!(await reached(name))) still.push(name);
      behind = still;
    }
  }
}
