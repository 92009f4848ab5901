import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EventStore, GlobalPosition } from '../event-store.port';
import type { KeyStore } from '../privacy/key-store';
import { CHECKPOINT_STORE, EVENT_STORE, KEY_STORE } from '../eventing.tokens';
import type { CheckpointStore } from './checkpoint-store';
import { EventProcessor, ProcessorRunner, ProcessorRunnerOptions, ProcessorStatus } from './checkpointed-processor';
import { ConsumerMetrics, EventConsumer } from './event-consumer';

/**
 * Starts every registered processor after boot and stops them (then the store) at shutdown. All of
 * them read the log through one {@link EventConsumer}: each batch is read and decoded once for all.
 */
@Injectable()
export class ProcessorHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Processors');
  private readonly runners = new Map<string, ProcessorRunner>();
  private readonly consumer: EventConsumer;
  private autoStart = true;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CHECKPOINT_STORE) private readonly checkpoints: CheckpointStore,
    @Inject(KEY_STORE) private readonly keys: KeyStore,
  ) {
    this.consumer = new EventConsumer(store);
  }

  /** Adds a processor to the host's consumer; the answer starts, stops, catches up and reports it. */
  register(processor: EventProcessor, options: ProcessorRunnerOptions = {}): ProcessorRunner {
    const runner = new ProcessorRunner(
      this.store,
      this.checkpoints,
      processor,
      { log: (m) => this.logger.warn(m), ...options },
      this.consumer,
    );
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

  /** The consumer's counters: reads, events read, and per processor events, batches, time and lag. */
  metrics(): ConsumerMetrics {
    return this.consumer.metrics();
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
    await this.keys.close();
  }
}
