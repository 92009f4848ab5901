import { type DynamicModule, Module } from '@nestjs/common';
import { type Clock, type EnrichmentHook, systemClock } from '@lead-lifecycle/domain';
import { EngineConfig } from '@lead-lifecycle/lifecycle';
import { type HostUser } from './host-authenticator';
import { hostEnrichment } from './host-enrichment';
import { type HostRouting } from './host-routing';

/** What the host is started with (main.ts, the tests). */
export interface HostModuleOptions {
  /** Where the embedded store, keys, idempotency answers and read models live. */
  readonly dataDir: string;
  /** The host's token table (its own authentication). */
  readonly users: ReadonlyMap<string, HostUser>;
  readonly clock?: Clock;
  /** The enrichment hook at capture; defaults to the host's firmographic directory (host-enrichment.ts). */
  readonly enrichment?: EnrichmentHook;
  /** Routing of captured leads (src/host-routing.ts, HOST_ROUTING); none: leads wait for a manual assignment. */
  readonly routing?: HostRouting;
}

/**
 * The host's own configuration service: the engine reads its settings from here (through
 * LeadLifecycleModule.forRootAsync), not from the process environment.
 */
export class HostConfig {
  /** The engine's settings: the embedded store in the host's data folder, processors on this event loop. */
  readonly engine: EngineConfig;
  readonly users: ReadonlyMap<string, HostUser>;
  readonly clock: Clock;
  readonly enrichment: EnrichmentHook;

  constructor(options: HostModuleOptions) {
    this.engine = EngineConfig.fromEnv({ DATA_DIR: options.dataDir, PROCESSORS_IN: 'main' });
    this.users = options.users;
    this.clock = options.clock ?? systemClock;
    this.enrichment = options.enrichment ?? hostEnrichment;
  }
}

/** Provides HostConfig to the host's modules; a real host would load it from its own settings source. */
@Module({})
export class HostConfigModule {
  static forRoot(options: HostModuleOptions): DynamicModule {
    // A factory that may await (a secrets service, a settings file): the engine starts once it settles.
    return { module: HostConfigModule, providers: [{ provide: HostConfig, useFactory: async () => new HostConfig(options) }], exports: [HostConfig] };
  }
}
