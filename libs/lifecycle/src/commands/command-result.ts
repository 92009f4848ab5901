import { GlobalPosition } from '@lead-lifecycle/event-store';
import { Decided } from '../infrastructure/aggregate-repository';

/** What every command answers: the stream it changed and where its last event sits in the global order. */
export interface CommandResult {
  readonly streamId: string;
  /** The stream's revision after the command (unchanged when the command was a no-op). */
  readonly revision: bigint | undefined;
  /** Global position of the last event written; pass it to queries to read your own writes. */
  readonly position?: GlobalPosition;
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
