/** "Now", from the engine's clock (libs/domain's `Clock` has this shape; eventing imports no domain). */
export interface SweepClock {
  now(): Date;
}

/**
 * A durable timer's other half. A reaction that must act when time passes (an SLA falls due, an
 * opportunity idles too long, engagement decays) keeps its deadlines in its own state, written in the
 * same transaction as its checkpoint, so they are derived from the log and survive any restart. Its
 * sweeper acts on the deadlines at or before `now`: it appends the events they call for with ids
 * derived from the deadline (so a second sweep, another instance or a retry after a crash writes
 * nothing twice) and stamps them with the deadline's own time, not the sweep's, so every instance
 * writes the same events. The reaction then sees those events in the log and clears the deadlines.
 */
export interface DeadlineSweeper {
  readonly name: string;
  /** Acts on every deadline due at `now`; answers how many it acted on. Must be idempotent. */
  sweep(now: Date): Promise<number>;
}

export interface SweepSchedulerOptions {
  /** How often the scheduler sweeps; the delay before a due deadline is acted on is at most this. */
  readonly intervalMs: number;
  readonly log?: (message: string) => void;
}

/** What one round of sweeps did, by sweeper name. */
export type SweepRound = Readonly<Record<string, number>>;

/**
 * Runs the registered sweepers one after another, every `intervalMs`, with "now" from the injected
 * clock (tests move a manual clock and call {@link sweepNow} instead of waiting). A failing sweeper is
 * logged and tried again next round; rounds never overlap.
 */
export class SweepScheduler {
  private readonly sweepers = new Map<string, DeadlineSweeper>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<SweepRound>;
  private stopped = true;

  constructor(
    private readonly clock: SweepClock,
    private readonly options: SweepSchedulerOptions,
  ) {}

  register(sweeper: DeadlineSweeper): void {
    if (this.sweepers.has(sweeper.name)) throw new Error(`two sweepers named ${sweeper.name}`);
    this.sweepers.set(sweeper.name, sweeper);
  }

  names(): string[] {
    return [...this.sweepers.keys()];
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One round now (after the round in progress, if any); answers what each sweeper acted on. */
  async sweepNow(): Promise<SweepRound> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.round();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private schedule(): void {
    if (this.stopped || this.sweepers.size === 0) return;
    this.timer = setTimeout(() => {
      void this.sweepNow().finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref?.();
  }

  private async round(): Promise<SweepRound> {
    const now = this.clock.now();
    const acted: Record<string, number> = {};
    for (const sweeper of this.sweepers.values()) {
      try {
        acted[sweeper.name] = await sweeper.sweep(now);
      } catch (error) {
        acted[sweeper.name] = 0;
        this.options.log?.(`sweeper ${sweeper.name} failed, will try again: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return acted;
  }
}
