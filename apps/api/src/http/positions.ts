import { GlobalPosition, positionToString } from '@lead-lifecycle/event-store';
import { CommandResult } from '@lead-lifecycle/lifecycle';

/** The common part of every command response: where its events landed. */
export function writeReceipt(result: CommandResult) {
  return {
    revision: result.revision === undefined ? null : Number(result.revision),
    position: result.position ? positionToString(result.position) : null,
    events: result.eventTypes,
  };
}

export const positionText = (p: GlobalPosition | undefined) => (p ? positionToString(p) : null);
