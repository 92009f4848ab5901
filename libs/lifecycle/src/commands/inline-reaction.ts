import { Logger } from '@nestjs/common';
import { type GlobalPosition, type NewEvent } from '@lead-lifecycle/eventing';
import { type OpportunityLifecycleReaction } from '../reactions/opportunity-lifecycle.reaction';

const logger = new Logger('InlineReaction');

/**
 * Checks, before a command writes `events`, that the opportunity reaction to each could be written
 * (its decision and the store's checks): passed to the repository as the command's preflight.
 */
export async function preflightReactions(reaction: OpportunityLifecycleReaction, events: readonly NewEvent[]): Promise<void> {
  for (const event of events) await reaction.preflight(event);
}

/**
 * Runs the opportunity reaction to each event the command appended, so the answer already reflects both
 * streams, and answers the positions it wrote. The command's events are stored by then: a failure here
 * (a conflict, the store unavailable) does not turn the command's answer into an error. It is logged,
 * and the durable reaction, which follows the store from its own checkpoint, writes the same events
 * (same ids) a moment later.
 */
export async function reactInline(reaction: OpportunityLifecycleReaction, events: readonly NewEvent[]): Promise<GlobalPosition[]> {
  const positions: GlobalPosition[] = [];
  for (const event of events) {
    try {
      for (const write of await reaction.react(event)) positions.push(write.position);
    } catch (error) {
      logger.warn(
        `reaction to ${event.type} ${event.eventId} failed inline (${(error as Error)?.message ?? error}); the durable reaction completes it`,
      );
    }
  }
  return positions;
}
