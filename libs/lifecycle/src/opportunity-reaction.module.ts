import { DynamicModule, Inject, Module, OnModuleInit } from '@nestjs/common';
import { LifecycleConfig } from '@lead-lifecycle/domain';
import type { EventStore } from '@lead-lifecycle/eventing';
import { EVENT_STORE, ProcessorHost } from '@lead-lifecycle/eventing';
import { OpportunityLifecycleReaction } from './reactions/opportunity-lifecycle.reaction';

export interface OpportunityReactionModuleOptions {
  /** The EventingModule instance whose store the reaction reads and writes, and whose host runs it. */
  readonly eventing: DynamicModule;
  readonly lifecycleConfig: LifecycleConfig;
}

/**
 * The durable opportunity reaction alone, without commands: for a process or thread that follows the log
 * (the API's processor worker) while the command side runs its inline reaction elsewhere. Its
 * repositories are uncached: it writes only what the inline run could not, and the expected revision
 * of every append keeps it and the command side's caches consistent.
 */
@Module({})
export class OpportunityReactionModule implements OnModuleInit {
  constructor(
    private readonly host: ProcessorHost,
    @Inject(OpportunityLifecycleReaction) private readonly reaction: OpportunityLifecycleReaction,
  ) {}

  static forRoot(options: OpportunityReactionModuleOptions): DynamicModule {
    return {
      module: OpportunityReactionModule,
      imports: [options.eventing],
      providers: [
        {
          provide: OpportunityLifecycleReaction,
          useFactory: (store: EventStore) => new OpportunityLifecycleReaction(store, options.lifecycleConfig),
          inject: [EVENT_STORE],
        },
      ],
    };
  }

  onModuleInit(): void {
    this.host.register(this.reaction, { poisonPolicy: 'park' });
  }
}
