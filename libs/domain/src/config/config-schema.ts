import { isoDurationProblem } from '../shared/iso-duration';

/**
 * A small schema language for configuration read from JSON: one declaration gives the TypeScript type
 * (`SchemaType<typeof schema>`), the checks and their messages. Plain TypeScript on purpose, so the domain
 * keeps no dependency on a validation library or on decorators; the adapters (files, environment) only
 * read, merge and report.
 */
export interface Schema<T> {
  /** One message per wrong setting, each prefixed with its path (`scoring.fit.jobTitle.0.pattern: ...`); none when `value` is a `T`. */
  problems(value: unknown, path: string): string[];
  /** Only for type inference; never set. */
  readonly type?: T;
}

/** The type a schema describes. */
export type SchemaType<S> = S extends Schema<infer T> ? T : never;

/** A schema whose property may be absent. */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true;
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Flatten<T> = { [K in keyof T]: T[K] };

/** The type of an object schema: readonly properties, optional where the property schema is `optional(...)`. */
export type ObjectType<S extends Shape> = Flatten<
  { readonly [K in RequiredKeys<S>]: SchemaType<S[K]> } & { readonly [K in OptionalKeys<S>]?: Exclude<SchemaType<S[K]>, undefined> }
>;

const problem = (path: string, message: string, value: unknown) => `${path}: ${message} (got ${JSON.stringify(value)})`;

export interface NumberRules {
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Greater than 0. */
  readonly positive?: boolean;
  /** Replaces the message of a value above `max`. */
  readonly maxMessage?: string;
}

/** A finite number within the given bounds. */
export function number(rules: NumberRules = {}): Schema<number> {
  return {
    problems(value, path) {
      if (typeof value !== 'number' || !Number.isFinite(value)) return [problem(path, 'must be a finite number', value)];
      const out: string[] = [];
      if (rules.integer && !Number.isInteger(value)) out.push(problem(path, 'must be an integer', value));
      if (rules.positive && value <= 0) out.push(problem(path, 'must be greater than 0', value));
      if (rules.min !== undefined && value < rules.min) out.push(problem(path, `must be at least ${rules.min}`, value));
      if (rules.max !== undefined && value > rules.max) out.push(problem(path, rules.maxMessage ?? `must be at most ${rules.max}`, value));
      return out;
    },
  };
}

/** A string, matching `pattern` if given. */
export function string(pattern?: { readonly regex: RegExp; readonly message: string }): Schema<string> {
  return {
    problems(value, path) {
      if (typeof value !== 'string') return [problem(path, 'must be a string', value)];
      return pattern && !pattern.regex.test(value) ? [problem(path, pattern.message, value)] : [];
    },
  };
}

/** The source of a case-insensitive regular expression. */
export function regexSource(): Schema<string> {
  return {
    problems(value, path) {
      if (typeof value !== 'string') return [problem(path, 'must be a string', value)];
      try {
        new RegExp(value, 'i');
        return [];
      } catch {
        return [problem(path, 'must be a valid regular expression', value)];
      }
    },
  };
}

/** One of a fixed list of strings. */
export function oneOf<const V extends string>(values: readonly V[]): Schema<V> {
  return {
    problems(value, path) {
      return values.includes(value as V) ? [] : [problem(path, `must be one of ${values.join(', ')}`, value)];
    },
  };
}

/**
 * A value that satisfies `a` or `b`. When neither does, the problems of the alternative the value looks
 * like: `looksLikeB` decides when given (objects told apart by a key), else the alternative that got past
 * the value's own shape (its problems lie inside the value), else `a`.
 */
export function either<A, B>(a: Schema<A>, b: Schema<B>, looksLikeB?: (value: unknown) => boolean): Schema<A | B> {
  return {
    problems(value, path) {
      const first = a.problems(value, path);
      if (!first.length) return [];
      const second = b.problems(value, path);
      if (!second.length) return [];
      if (looksLikeB) return looksLikeB(value) ? second : first;
      const inside = (problems: string[]) => problems.some((p) => p.startsWith(`${path}.`));
      return inside(second) && !inside(first) ? second : first;
    },
  };
}

/** An ISO 8601 duration without years or months (see shared/iso-duration.ts). */
export function duration(): Schema<string> {
  return {
    problems(value, path) {
      const broken = isoDurationProblem(value);
      return broken ? [problem(path, broken, value)] : [];
    },
  };
}

/** A property that may be absent (or `undefined`); when present it must satisfy `schema`. */
export function optional<T>(schema: Schema<T>): OptionalSchema<T> {
  return {
    optional: true,
    problems: (value, path) => (value === undefined ? [] : schema.problems(value, path)),
  };
}

export interface ArrayRules {
  readonly minItems?: number;
  /** No item twice (compared as JSON). */
  readonly unique?: boolean;
}

/** An array whose every item satisfies `item`. */
export function array<T>(item: Schema<T>, rules: ArrayRules = {}): Schema<readonly T[]> {
  return {
    problems(value, path) {
      if (!Array.isArray(value)) return [problem(path, 'must be an array', value)];
      const out: string[] = [];
      if (rules.minItems !== undefined && value.length < rules.minItems) out.push(problem(path, `must have at least ${rules.minItems} item(s)`, value));
      if (rules.unique && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) out.push(problem(path, 'must not repeat an item', value));
      return [...out, ...value.flatMap((v, i) => item.problems(v, `${path}.${i}`))];
    },
  };
}

/** An object of any keys whose every value satisfies `value`. */
export function record<T>(valueSchema: Schema<T>, rules: { readonly minKeys?: number; readonly minKeysMessage?: string } = {}): Schema<Readonly<Record<string, T>>> {
  return {
    problems(value, path) {
      if (!isPlainObject(value)) return [problem(path, 'must be an object', value)];
      const entries = Object.entries(value);
      if (rules.minKeys !== undefined && entries.length < rules.minKeys) {
        return [problem(path, rules.minKeysMessage ?? `must have at least ${rules.minKeys} key(s)`, value)];
      }
      return entries.flatMap(([key, v]) => valueSchema.problems(v, `${path}.${key}`));
    },
  };
}

/**
 * An object with the properties of `shape` (other properties are ignored); `rule` checks what spans
 * properties, and runs only when every property is valid.
 */
export function object<S extends Shape>(shape: S, rule?: (value: ObjectType<S>) => string | undefined): Schema<ObjectType<S>> {
  return {
    problems(value, path) {
      if (!isPlainObject(value)) return [problem(path, 'must be an object', value)];
      const out = Object.entries(shape).flatMap(([key, schema]) => schema.problems(value[key], path ? `${path}.${key}` : key));
      if (out.length || !rule) return out;
      const broken = rule(value as ObjectType<S>);
      return broken ? [`${path}: ${broken}`] : [];
    },
  };
}

/**
 * Like {@link object}, but a property the shape does not name is refused: a misspelt setting
 * (`"polices"` for `"policies"`) would otherwise be ignored and silently switch a behaviour off. Used
 * by the sections added after the first release; the older ones keep ignoring extra keys, so existing
 * configuration files keep loading.
 */
export function strictObject<S extends Shape>(shape: S, rule?: (value: ObjectType<S>) => string | undefined): Schema<ObjectType<S>> {
  const loose = object(shape, rule);
  const known = Object.keys(shape);
  return {
    problems(value, path) {
      const out = loose.problems(value, path);
      if (!isPlainObject(value)) return out;
      const unknown = Object.keys(value).filter((key) => !known.includes(key));
      return [...unknown.map((key) => problem(path ? `${path}.${key}` : key, `is not a setting here (known: ${known.join(', ')})`, value[key])), ...out];
    },
  };
}

/** `value` as a `T` when the schema finds nothing wrong, else the problems. */
export function checkAgainst<T>(schema: Schema<T>, value: unknown): { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: string[] } {
  const problems = schema.problems(value, '');
  return problems.length ? { ok: false, problems } : { ok: true, value: value as T };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
