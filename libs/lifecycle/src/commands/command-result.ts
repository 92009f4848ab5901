import { comparePositions, type GlobalPosition } from '@lead-lifecycle/eventing';
import { type Decided } from '../infrastructure/aggregate-repository';

/** What every command answers: the stream it changed and where the events the request caused sit in the global order. */
export interface CommandResult {
  readonly streamId: string;
  /** The stream's revision after the command (unchanged when the command was a no-op). */
  readonly revision: bigint | undefined;
  /**
   * The highest global position of every event the request wrote: the command's own and those the
   * inline reaction wrote on the other stream (OpportunityOpened after OpportunityOpenedForLead), so a
   * query given it as `minPosition` sees them all. When the inline reaction failed, it covers the
   * command's own events only: the reaction's events then come from the durable reaction, later.
   * Undefined when nothing was written.
   */
  readonly position?: GlobalPosition;
  /** Types of the events appended to `streamId`. */
  readonly eventTypes: string[];
}

export function resultOf(streamId: string, decided: Decided<unknown>): CommandResult {
  return {
    streamId,
    revision: decided.revision,
    position: decided.result?.position,
    eventTypes: decided.appended.map((e) => e.type),
  };
}

/** `result` with its position moved up to the highest of `positions` (later writes of the same request). */
export function coveringPositions(result: CommandResult, positions: ReadonlyArray<GlobalPosition | undefined>): CommandResult {
  return { ...result, position: highestPosition([result.position, ...positions]) };
}

export function highestPosition(positions: ReadonlyArray<GlobalPosition | undefined>): GlobalPosition | undefined {
  return positions.reduce<GlobalPosition | undefined>((high, p) => (p && (!high || comparePositions(p, high) > 0) ? p : high), undefined);
}
