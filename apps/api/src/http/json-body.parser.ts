import { HttpErrorCode } from './api-error-code';
import { EdgeHttpException, invalidInput } from './edge-http.exception';

/**
 * Keys refused anywhere in a request: class-transformer assigns every key of the body to a fresh DTO
 * instance, and assigning `__proto__` changes that instance's prototype. No field of the API has these names.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * Turns the bytes of a request body into the plain object the DTOs receive, or refuses it:
 * - not UTF-8, or not JSON: 400 MALFORMED_JSON;
 * - nested deeper than `maxDepth` (the body itself is level 1): 400 JSON_TOO_DEEP, found by a scan of
 *   the text before anything is parsed, so thousands of levels cost a loop, not a stack;
 * - not an object at the top, a reserved key (`__proto__`, `constructor`, `prototype`) or a number that
 *   JSON.parse can only read as ±Infinity (1e400) anywhere: 400 VALIDATION_FAILED naming the field.
 */
export function parseJsonBody(bytes: Uint8Array, maxDepth: number): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new EdgeHttpException(400, HttpErrorCode.MalformedJson, 'the body is not valid UTF-8');
  }
  const depth = exceededDepth(text, maxDepth);
  if (depth !== undefined) {
    throw new EdgeHttpException(400, HttpErrorCode.JsonTooDeep, `the body nests objects and arrays deeper than ${maxDepth} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EdgeHttpException(400, HttpErrorCode.MalformedJson, `the body is not valid JSON: ${reason.slice(0, 200)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidInput('body', `must be a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  assertPlainData(value as Record<string, unknown>);
  return value as Record<string, unknown>;
}

/** The first nesting level beyond `maxDepth`, or undefined: one pass over the text that skips string contents. */
function exceededDepth(text: string, maxDepth: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return depth;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return undefined;
}

/** Walks the parsed value without recursion (its depth is already bounded, but a loop needs no such argument). */
function assertPlainData(root: Record<string, unknown>): void {
  const pending: Array<{ value: unknown; path: string }> = [{ value: root, path: '' }];
  while (pending.length) {
    const { value, path } = pending.pop()!;
    if (typeof value === 'number' && !Number.isFinite(value)) throw invalidInput(path, 'number out of range');
    if (typeof value !== 'object' || value === null) continue;
    for (const key of Object.keys(value)) {
      const field = path ? `${path}.${key}` : key;
      if (RESERVED_KEYS.has(key)) throw invalidInput(field, `"${key}" is a reserved key and not accepted`);
      pending.push({ value: (value as Record<string, unknown>)[key], path: field });
    }
  }
}
