import { type DynamicModule, Module } from '@nestjs/common';
import { type Clock, systemClock } from '@lead-lifecycle/domain';
import { EngineConfig, LeadLifecycleModule, type LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import { ProjectionsConfig, ProjectionsModule } from '@lead-lifecycle/projections';
import { CrmService } from './crm.service';
import { HostAuthenticator, type HostUser } from './host-authenticator';
import { hostLifecycleRules } from './host-lifecycle.rules';
import { hostFitScorer } from './host-scoring';

export interface HostModuleOptions {
  /** Where the embedded store, keys, idempotency answers and read models live. */
  readonly dataDir: string;
  /** The host's token table (its own authentication). */
  readonly users: ReadonlyMap<string, HostUser>;
  readonly clock?: Clock;
}

/**
 * The host application: the engine (LeadLifecycleModule) on the embedded SQLite store and the funnel
 * read models (ProjectionsModule), sharing one EventingModule, with the host's rules and its own users.
 * The processors run on this process's event loop; none of the engine's HTTP controllers is mounted.
 */
@Module({})
export class HostModule {
  static forRoot(options: HostModuleOptions): DynamicModule {
    const engine = EngineConfig.fromEnv({ DATA_DIR: options.dataDir, PROCESSORS_IN: 'main' });
    const lifecycle: LeadLifecycleModuleOptions = {
      engine,
      lifecycleConfig: hostLifecycleRules(),
      clock: options.clock ?? systemClock,
      scoring: { fit: hostFitScorer },
    };
    const eventing = LeadLifecycleModule.eventing(lifecycle);
    return {
      module: HostModule,
      imports: [
        LeadLifecycleModule.forRoot({ ...lifecycle, eventing }),
        ProjectionsModule.forRoot({ eventing, config: ProjectionsConfig.fromEnv({}), clock: lifecycle.clock }),
      ],
      providers: [{ provide: HostAuthenticator, useValue: new HostAuthenticator(options.users) }, CrmService],
      exports: [CrmService],
    };
  }
}
