import type { EventStore, NewEvent } from './event-store.port';
import { EventStoreError, EventStoreErrorCode } from './event-store.errors';
import { decoratedStore } from './store-layers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Bounds every adapter enforces on what it writes, so a payload too big or too deep fails before any write. */
export interface EventLimits {
  /** Largest `data` plus `metadata` of one event, as UTF-8 JSON, before the adapter adds its own fields. */
  readonly maxEventBytes: number;
  /** Deepest nesting of objects and arrays in `data` or `metadata` (the object itself is level 1). */
  readonly maxDepth: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = Object.freeze({ maxEventBytes: 262_144, maxDepth: 32 });

/**
 * What a check found wrong with an event. `content` problems come from the payload (too big, too deep,
 * not plain JSON): the values a request carried. The others (`envelope`) can only be a bug of the writer.
 */
export interface EventProblem {
  readonly kind: 'content' | 'envelope';
  /** Index of the event in the append. */
  readonly index: number;
  /** Where in the event: `data.attributes.x`, `metadata.actor`, `eventId`. */
  readonly path: string;
  readonly reason: string;
}

/** An append the store refuses for what its events contain; nothing of it was written. */
export class InvalidEventError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly problems: readonly EventProblem[],
  ) {
    super(EventStoreErrorCode.InvalidEvent, `stream ${streamId}: ${problems.map((p) => `event ${p.index} ${p.path}: ${p.reason}`).join('; ')}`);
    this.name = 'InvalidEventError';
  }
}

/**
 * Every problem of an append, without writing anything: stream id, event ids (UUIDs, distinct), type,
 * schema version, and data and metadata that are plain JSON (objects, arrays, strings, booleans, null,
 * finite numbers; no `__proto__` keys), within `limits`. Stored values must read back as written, so
 * anything JSON would silently change (NaN, undefined in an array, a Date) is refused rather than altered.
 */
export function validateNewEvents(streamId: string, events: readonly NewEvent[], limits: EventLimits = DEFAULT_EVENT_LIMITS): EventProblem[] {
  const problems: EventProblem[] = [];
  if (typeof streamId !== 'string' || !streamId || streamId.startsWith('$')) {
    problems.push({ kind: 'envelope', index: -1, path: 'streamId', reason: `invalid stream id "${streamId}"` });
  }
  const seen = new Set<string>();
  events.forEach((event, index) => {
    const envelope = (path: string, reason: string) => problems.push({ kind: 'envelope', index, path, reason });
    if (typeof event.eventId !== 'string' || !UUID.test(event.eventId)) envelope('eventId', `event id "${event.eventId}" is not a UUID`);
    else if (seen.has(event.eventId.toLowerCase())) envelope('eventId', `event id ${event.eventId} appears twice in one append`);
    else seen.add(event.eventId.toLowerCase());
    if (typeof event.type !== 'string' || !event.type) envelope('type', 'event type is empty');
    if (!Number.isSafeInteger(event.schemaVersion) || event.schemaVersion < 1) envelope('schemaVersion', 'must be a positive integer');
    const own: EventProblem[] = [];
    for (const part of ['data', 'metadata'] as const) {
      const found = jsonProblem(event[part], part, limits.maxDepth);
      if (found) own.push({ kind: 'content', index, ...found });
    }
    if (own.length === 0) {
      const bytes = Buffer.byteLength(JSON.stringify(event.data)) + Buffer.byteLength(JSON.stringify(event.metadata));
      if (bytes > limits.maxEventBytes) {
        own.push({ kind: 'content', index, path: largestField(event.data), reason: `the event would be ${bytes} bytes as JSON; at most ${limits.maxEventBytes}` });
      }
    }
    problems.push(...own);
  });
  return problems;
}

/** Throws InvalidEventError (code INVALID_EVENT) when the append has any problem: what every adapter runs before it writes. */
export function assertValidNewEvents(streamId: string, events: readonly NewEvent[], limits: EventLimits = DEFAULT_EVENT_LIMITS): void {
  const problems = validateNewEvents(streamId, events, limits);
  if (problems.length) throw new InvalidEventError(streamId, problems);
}

/**
 * The checks `store` would run on this append, run now and writing nothing: the store's own
 * `validateAppend` when it has one (decorators pass it the events as they would reach the log); for a
 * decorator without one that exposes its inner store (DECORATED_STORE, a read-side decorator), the inner
 * store's; the default checks otherwise. A decorator that changes appends should implement it.
 */
export function validateAppend(store: EventStore, streamId: string, events: readonly NewEvent[]): void {
  if (store.validateAppend) return store.validateAppend(streamId, events);
  const inner = decoratedStore(store);
  if (inner) return validateAppend(inner, streamId, events);
  assertValidNewEvents(streamId, events);
}

/**
 * The first way `value` is not plain JSON within `maxDepth` levels: for a decorator that transforms part
 * of an event (encryption) and must check that part before the store sees only its transformed form.
 */
export function plainJsonProblem(value: unknown, path: string, maxDepth: number): { path: string; reason: string } | undefined {
  if (value === undefined) return { path, reason: 'undefined is not JSON' };
  return walk(value, path, maxDepth);
}

/** The first way `root` is not a plain JSON object within `maxDepth` levels. */
function jsonProblem(root: unknown, rootPath: string, maxDepth: number): { path: string; reason: string } | undefined {
  if (!isObjectLike(root) || Array.isArray(root)) return { path: rootPath, reason: 'must be a JSON object' };
  return walk(root, rootPath, maxDepth);
}

/** Walked without recursion, so no depth can overflow the stack. */
function walk(root: unknown, rootPath: string, maxDepth: number): { path: string; reason: string } | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: rootPath, depth: 1 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    switch (typeof value) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(value)) return { path, reason: `${value} is not a finite number` };
        continue;
      case 'object':
        break;
      default:
        return { path, reason: `${typeof value === 'bigint' ? 'a BigInt' : `a ${typeof value}`} is not JSON` };
    }
    if (value === null) continue;
    if (depth > maxDepth) return { path, reason: `nested deeper than ${maxDepth} levels` };
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return { path, reason: 'not a plain JSON value' };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        if (value[i] === undefined) return { path: `${path}[${i}]`, reason: 'undefined is not JSON' };
        stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
      }
      continue;
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key === '__proto__') return { path: `${path}.__proto__`, reason: 'the key "__proto__" is not allowed' };
      // Dropped by JSON, and so by every store: written and read back alike.
      if (child === undefined) continue;
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}

function isObjectLike(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** The top-level data field that weighs most: what to name when an event is too large. */
function largestField(data: Record<string, unknown>): string {
  let largest = 'data';
  let size = -1;
  for (const [key, value] of Object.entries(data)) {
    const bytes = value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value) ?? '');
    if (bytes > size) [largest, size] = [`data.${key}`, bytes];
  }
  return largest;
}
