import { type FieldProblem, InvalidCommandError } from '@lead-lifecycle/domain';
import { type EventStore, InvalidEventError, type NewEvent, validateAppend } from '@lead-lifecycle/eventing';

/**
 * Runs the store's checks on events a command is about to write, writing nothing. A payload the store
 * would refuse (too large, too deeply nested, not plain JSON) came with the request: it is refused as
 * 400 INVALID_COMMAND, naming the field (`attributes`, `properties.x`). Envelope problems (an id that is
 * not a UUID) are the engine's own bugs and stay store errors.
 */
export function assertStorable(store: EventStore, streamId: string, events: readonly NewEvent[]): void {
  try {
    validateAppend(store, streamId, events);
  } catch (error) {
    if (error instanceof InvalidEventError && error.problems.every((p) => p.kind === 'content')) {
      throw new InvalidCommandError(dedupe(error.problems.map((p) => ({ field: fieldOf(p.path), reason: p.reason }))));
    }
    throw error;
  }
}

/** `data.attributes.a.b` → `attributes.a.b`: event data fields carry the names of the command's. */
function fieldOf(path: string): string {
  const field = path.startsWith('data.') ? path.slice('data.'.length) : path === 'data' ? 'body' : path;
  // A path 30 levels deep says no more than its first levels do.
  const parts = field.split('.');
  return parts.length > 4 ? `${parts.slice(0, 4).join('.')}…` : field;
}

function dedupe(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(`${p.field}\u0000${p.reason}`) && !!seen.add(`${p.field}\u0000${p.reason}`));
}
