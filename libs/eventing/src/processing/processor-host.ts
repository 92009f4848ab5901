import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EventStore, GlobalPosition } from '../event-store.port';
import type { KeyStore } from '../privacy/key-store';
import { CHECKPOINT_STORE, EVENT_STORE, KEY_STORE } from '../eventing.tokens';
import type { CheckpointStore } from './checkpoint-store';
import { EventProcessor, ProcessorRunner, ProcessorRunnerOptions, ProcessorStatus } from './checkpointed-processor';

/** Starts every registered processor after boot and stops them (then the store) at shutdown. */
@Injectable()
export class ProcessorHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Processors');
  private readonly runners = new Map<string, ProcessorRunner>();
  private autoStart = true;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CHECKPOINT_STORE) private readonly checkpoints: CheckpointStore,
    @Inject(KEY_STORE) private readonly keys: KeyStore,
  ) {}

  register(processor: EventProcessor, options: ProcessorRunnerOptions = {}): ProcessorRunner {
    const runner = new ProcessorRunner(this.store, this.checkpoints, processor, {
      log: (m) => this.logger.warn(m),
      ...options,
    });
    this.runners.set(processor.name, runner);
    return runner;
  }

  /** For embedders and tests that drive processors by hand. */
  disableAutoStart(): void {
    this.autoStart = false;
  }

  runner(name: string): ProcessorRunner | undefined {
    return this.runners.get(name);
  }

  statuses(): ProcessorStatus[] {
    return [...this.runners.values()].map((r) => r.status());
  }

  async headPosition(): Promise<GlobalPosition> {
    return this.store.headPosition();
  }

  onApplicationBootstrap(): void {
    if (!this.autoStart) return;
    for (const runner of this.runners.values()) runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    await this.store.close();
    this.checkpoints.close();
    this.keys.close();
  }
}
