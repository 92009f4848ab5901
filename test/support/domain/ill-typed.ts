/**
 * `value` as a `T` it is not: the input a decider gets when its caller ignores the types (JSON from an
 * older client, a missing field), for tests of the decider's own checks. The one assertion is from
 * `unknown`, so nothing else about `value` is claimed; production code narrows instead.
 */
export function illTyped<T>(value: unknown): T {
  return value as T;
}
