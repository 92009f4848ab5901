import { Inject } from '@nestjs/common';
import { DomainEvent } from '@lead-lifecycle/domain';
import { EngineConfig } from '../config/engine.config';
import { AggregateRepository } from '../infrastructure/aggregate-repository';
import { CommandContext } from '../infrastructure/command-context';
import { OpportunityLifecycleReaction } from '../reactions/opportunity-lifecycle.reaction';
import { BusinessTimeGuard } from './business-time.guard';
import { CommandResult, coveringPositions, resultOf } from './command-result';
import { preflightReactions, reactInline } from './inline-reaction';

/** What a runner needs to know of its aggregate: where its streams are and how a command is decided on it. */
export interface CommandAggregate<State, Command extends { readonly type: string; readonly occurredAt: string }, Event extends DomainEvent> {
  readonly repository: AggregateRepository<State, Event>;
  streamId(id: string): string;
  /** Decides on the stream's state after checking that the caller may see it (tenant, owner scope). */
  decide(command: Command, state: State, id: string, context: CommandContext): Event[];
  /** Checks that need other streams (the owner scope of an opportunity), before anything is loaded. */
  admit?(id: string, context: CommandContext): Promise<void>;
}

/**
 * The one path of every command on an existing aggregate: check the business time, load, check the
 * tenant, decide, check that the events and the opportunity reaction's follow-up can be stored, append
 * with the expected revision, then run the reaction inline so the response reflects both streams (a
 * failure of that step is logged, not answered: see reactInline) and its position covers both.
 * LeadCommandRunner and OpportunityCommandRunner are this runner for their aggregate.
 */
export abstract class AggregateCommandRunner<State, Command extends { readonly type: string; readonly occurredAt: string }, Event extends DomainEvent> {
  @Inject(BusinessTimeGuard) private readonly businessTime: BusinessTimeGuard;

  protected constructor(
    private readonly aggregate: CommandAggregate<State, Command, Event>,
    private readonly reaction: OpportunityLifecycleReaction,
    private readonly engine: EngineConfig,
  ) {}

  async run(id: string, command: Command, context: CommandContext): Promise<CommandResult> {
    this.businessTime.check(command);
    const streamId = this.aggregate.streamId(id);
    await this.aggregate.admit?.(id, context);
    const decided = await this.aggregate.repository.handle(
      streamId,
      (state) => this.aggregate.decide(command, state, id, context),
      { ...context, command: context.command ?? command.type },
      { maxRetries: this.engine.COMMAND_MAX_RETRIES, preflight: (events) => preflightReactions(this.reaction, events) },
    );
    return coveringPositions(resultOf(streamId, decided), await reactInline(this.reaction, decided.appended));
  }
}
