import { type DynamicModule, Module } from '@nestjs/common';
import { AutomationModule } from '@lead-lifecycle/automation';
import { DEFAULT_LIFECYCLE_CONFIG } from '@lead-lifecycle/domain';
import { PostgresConfig } from '@lead-lifecycle/eventing';
import { LeadLifecycleModule, type LeadLifecycleModuleAsyncOptions } from '@lead-lifecycle/lifecycle';
import { ProjectionsConfig, ProjectionsModule } from '@lead-lifecycle/projections';
import { CrmService } from './crm.service';
import { HostAuthenticator } from './host-authenticator';
import { HostConfig, HostConfigModule, type HostModuleOptions } from './host.config';
import { hostLifecycleRules } from './host-lifecycle.rules';
import { hostFitScorer } from './host-scoring';

export type { HostModuleOptions } from './host.config';

/**
 * The host application: the engine (LeadLifecycleModule) on the embedded SQLite store and the funnel
 * read models (ProjectionsModule) and the automation with the host's routing (AutomationModule), sharing one
 * EventingModule, with the host's rules and its own users.
 * The engine's and the read models' options come from the host's config provider (HostConfig) through
 * forRootAsync. The
 * processors run on this process's event loop; none of the engine's HTTP controllers is mounted.
 */
@Module({})
export class HostModule {
  static forRoot(options: HostModuleOptions): DynamicModule {
    const config = HostConfigModule.forRoot(options);
    // One set of rules for the engine and the automation: the routing reaction reads its trigger and rules there.
    const rules = hostLifecycleRules(options.routing && { ...DEFAULT_LIFECYCLE_CONFIG, routing: options.routing.rules });
    const lifecycle: LeadLifecycleModuleAsyncOptions = {
      imports: [config],
      inject: [HostConfig],
      useFactory: (host: HostConfig) => ({
        engine: host.engine,
        lifecycleConfig: rules,
        clock: host.clock,
        scoring: { fit: hostFitScorer },
        enrichment: { atCapture: host.enrichment, timeoutMs: 1_000 },
      }),
    };
    // One EventingModule from the same factory, for the engine and the read models (the factory runs once).
    const eventing = LeadLifecycleModule.eventingAsync(lifecycle);
    return {
      module: HostModule,
      imports: [
        config,
        LeadLifecycleModule.forRootAsync({ ...lifecycle, eventing }),
        ProjectionsModule.forRootAsync({ eventing, imports: [config], inject: [HostConfig], useFactory: (host: HostConfig) => ({ config: ProjectionsConfig.fromEnv({}), clock: host.clock }) }),
        // Routing and the other reactions on this event loop, with the host's strategy. It has no forRootAsync:
        // its options come from the host's own, as HostConfig's do. One instance: no fleet leases (no DATABASE_URL).
        AutomationModule.forRoot({
          eventing,
          lifecycleConfig: rules,
          dataDir: options.dataDir,
          clock: options.clock,
          runReactions: true,
          postgres: PostgresConfig.fromEnv({}),
          routing: { strategy: options.routing?.strategy },
        }),
      ],
      providers: [{ provide: HostAuthenticator, useFactory: (host: HostConfig) => new HostAuthenticator(host.users), inject: [HostConfig] }, CrmService],
      exports: [CrmService],
    };
  }
}
