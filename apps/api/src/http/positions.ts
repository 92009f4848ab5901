import { type GlobalPosition, positionToString } from '@lead-lifecycle/eventing';
import { type CommandResult } from '@lead-lifecycle/lifecycle';

/**
 * The common part of every command response: where its events landed. `position` is the highest global
 * position of every event the request wrote (the inline reaction's included, see CommandResult), so a
 * read with `minPosition` set to it sees them all.
 */
export function writeReceipt(result: CommandResult) {
  return {
    revision: result.revision === undefined ? null : Number(result.revision),
    position: result.position ? positionToString(result.position) : null,
    events: result.eventTypes,
  };
}

export const positionText = (p: GlobalPosition | undefined) => (p ? positionToString(p) : null);
