import { type EventProcessor, type GlobalPosition, type StoredEvent } from '@lead-lifecycle/eventing';

/** The error a transiently failing processor throws: retryable, as an unreachable broker's. */
export class SimulatedOutageError extends Error {
  readonly retryable = true;
}

/**
 * A test double of a processor that does not commit its own checkpoint (like the Kafka relay): it
 * records the ids of the events it handled. It can fail transiently until healed, fail for good on one
 * event (a poison event), or hold every batch at a gate until it is opened.
 */
export class RecordingProcessor implements EventProcessor {
  readonly handled: string[] = [];
  /** Checkpoints it was handed, in order. */
  readonly checkpoints: GlobalPosition[] = [];
  private outage = false;
  private gate?: { promise: Promise<void>; open: () => void };

  constructor(
    readonly name: string,
    private readonly options: { poisonEventId?: string; personalData?: 'open' | 'sealed'; streamPrefixes?: readonly string[] } = {},
  ) {}

  get personalData(): 'open' | 'sealed' | undefined {
    return this.options.personalData;
  }

  get streamPrefixes(): readonly string[] | undefined {
    return this.options.streamPrefixes;
  }

  /** Every batch fails with a retryable error until {@link heal}. */
  failUntilHealed(): void {
    this.outage = true;
  }

  heal(): void {
    this.outage = false;
  }

  /** Every batch waits until {@link openGate}. */
  closeGate(): void {
    let open = () => undefined as void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
  }

  openGate(): void {
    this.gate?.open();
    this.gate = undefined;
  }

  async handleBatch(events: StoredEvent[], checkpoint: GlobalPosition): Promise<void> {
    if (this.gate) await this.gate.promise;
    if (this.outage) throw new SimulatedOutageError(`${this.name} is unreachable (simulated)`);
    if (events.some((e) => e.eventId === this.options.poisonEventId)) throw new Error(`${this.name} cannot handle ${this.options.poisonEventId}`);
    this.handled.push(...events.map((e) => e.eventId));
    this.checkpoints.push(checkpoint);
  }
}
