import { Inject, Injectable } from '@nestjs/common';
import { comparePositions, EVENT_STORE, type EventStore, type GlobalPosition, Processors } from '@lead-lifecycle/eventing';
import { PROJECTION_NAMES, projectionCheckpointName, ReadModels } from '@lead-lifecycle/projections';
import { ReadinessConfig } from './readiness.config';

/** One check of readiness and, when it failed, why. */
export interface ReadinessCheck {
  readonly name: 'eventStore' | 'readModels';
  readonly ok: boolean;
  readonly reason?: string;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: readonly ReadinessCheck[];
  readonly headPosition?: GlobalPosition;
  /** The leases this instance holds now (name and term). */
  readonly leases: ReadonlyArray<{ readonly name: string; readonly term: number }>;
}

/**
 * Whether this instance can serve: its event store answers, and every read model is at most
 * READY_MAX_LAG_EVENTS events behind the head and not stopped. A store fault of any kind is a failed
 * check, never an error of the probe.
 */
@Injectable()
export class Readiness {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly processors: Processors,
    private readonly config: ReadinessConfig,
    private readonly models: ReadModels,
  ) {}

  async check(): Promise<ReadinessReport> {
    const leases = this.processors
      .statuses()
      .flatMap((s) => (s.lease?.held && s.lease.term !== undefined ? [{ name: s.lease.name, term: s.lease.term }] : []));
    let head: GlobalPosition;
    try {
      head = await this.store.headPosition();
    } catch (error) {
      const checks: ReadinessCheck[] = [
        { name: 'eventStore', ok: false, reason: `the event store cannot be read: ${(error as Error).message}` },
        { name: 'readModels', ok: false, reason: 'not checked: the event store cannot be read' },
      ];
      return { ready: false, checks, leases };
    }
    const readModels = await this.readModels(head).catch((error: Error) => ({ name: 'readModels' as const, ok: false, reason: error.message }));
    const checks: ReadinessCheck[] = [{ name: 'eventStore', ok: true }, readModels];
    return { ready: checks.every((c) => c.ok), checks, headPosition: head, leases };
  }

  private async readModels(head: GlobalPosition): Promise<ReadinessCheck> {
    const bound = this.config.READY_MAX_LAG_EVENTS;
    const behind: string[] = [];
    for (const projection of PROJECTION_NAMES) {
      const name = projectionCheckpointName(projection);
      const status = this.processors.runner(name)?.status();
      if (!status) continue; // a host without read models (an embedder's) has nothing to wait for
      if (status.state === 'stopped') {
        behind.push(`${name} is stopped (${status.stoppedReason ?? 'no reason given'})`);
        continue;
      }
      // Shared read models (READ_MODELS=postgres) are as far as their checkpoint in PostgreSQL, whoever folds them.
      const position = (await this.models.sharedPosition(projection)) ?? status.position;
      if (comparePositions(position, head) >= 0) continue;
      // Counted up to one past the bound: the probe reads at most that many events, sealed.
      const events = await this.store.readAll({ after: position, maxCount: bound + 1, personalData: 'sealed' });
      if (events.length > bound) behind.push(`${name} is more than ${bound} events behind the head`);
    }
    return behind.length ? { name: 'readModels', ok: false, reason: behind.join('; ') } : { name: 'readModels', ok: true };
  }
}
