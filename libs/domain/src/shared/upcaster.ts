import { normaliseLegacyDate, normaliseLegacyTime } from './legacy-iso-time';

/** The part of a stored event an upcaster reads and rewrites (the store's StoredEvent has it). */
export interface UpcastableEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * Rewrites stored events of one type and schema version, on read, into the form today's code expects.
 * History is never rewritten: the store keeps what was written (and the hash chain covers that), the
 * upcaster changes only what readers see. An upcaster returns the very same objects when it has
 * nothing to change, so reading current events costs no copies.
 */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  /** The version it produces; the same as fromVersion for a rewrite within the version (the default). */
  readonly toVersion?: number;
  upcast(event: Pick<UpcastableEvent, 'data' | 'metadata'>): Pick<UpcastableEvent, 'data' | 'metadata'>;
}

/** The upcasters of every event type, keyed by type and schema version, applied in a chain. */
export class UpcasterRegistry {
  private readonly byKey = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[]) {
    for (const upcaster of upcasters) {
      const key = keyOf(upcaster.type, upcaster.fromVersion);
      if (this.byKey.has(key)) throw new Error(`two upcasters for ${upcaster.type} v${upcaster.fromVersion}`);
      if ((upcaster.toVersion ?? upcaster.fromVersion) < upcaster.fromVersion) {
        throw new Error(`upcaster for ${upcaster.type} v${upcaster.fromVersion} goes back to v${upcaster.toVersion}`);
      }
      this.byKey.set(key, upcaster);
    }
  }

  /** The event as today's code reads it; the same object when no upcaster changed anything. */
  upcast<E extends UpcastableEvent>(event: E): E {
    let current = event;
    for (;;) {
      const upcaster = this.byKey.get(keyOf(current.type, current.schemaVersion));
      if (!upcaster) return current;
      const { data, metadata } = upcaster.upcast(current);
      const schemaVersion = upcaster.toVersion ?? upcaster.fromVersion;
      if (data !== current.data || metadata !== current.metadata || schemaVersion !== current.schemaVersion) {
        current = { ...current, data, metadata, schemaVersion };
      }
      if (schemaVersion === upcaster.fromVersion) return current;
    }
  }
}

const keyOf = (type: string, version: number) => `${type}@v${version}`;

/**
 * The shape every time written since validation has (`YYYY-MM-DDTHH:mm:ss.sssZ`): such a value is
 * either its own normalised form or, as an impossible date, one that cannot be interpreted; both are
 * left as written, so it needs no parse. This keeps reading current events (nearly all) cheap.
 */
const NORMALISED_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An upcaster within a version that rewrites the business times the old validation let through
 * (ISO 8601 week, ordinal and basic forms, reduced precision, no offset; see legacy-iso-time.ts) into
 * the normalised UTC form: `occurredAt` in the data and the metadata, and the named `times`; the named
 * `dates` (calendar dates) become `YYYY-MM-DD`. A value that cannot be interpreted is left as it is,
 * so the read side meets it as it was written and treats the event as poison.
 */
export function legacyTimesUpcaster(type: string, version: number, fields: { times?: readonly string[]; dates?: readonly string[] } = {}): Upcaster {
  const times = ['occurredAt', ...(fields.times ?? [])];
  const dates = fields.dates ?? [];
  return {
    type,
    fromVersion: version,
    upcast: ({ data, metadata }) => ({
      data: rewrite(rewrite(data, times, normaliseLegacyTime, NORMALISED_SHAPE), dates, normaliseLegacyDate, DATE_SHAPE),
      metadata: rewrite(metadata, ['occurredAt'], normaliseLegacyTime, NORMALISED_SHAPE),
    }),
  };
}

function rewrite<T extends Readonly<Record<string, unknown>>>(
  record: T,
  fields: readonly string[],
  normalise: (value: unknown) => string | undefined,
  settled: RegExp,
): T {
  let out = record;
  for (const field of fields) {
    const value = record[field];
    if (typeof value !== 'string' || settled.test(value)) continue;
    const normalised = normalise(value);
    if (normalised === undefined || normalised === value) continue;
    if (out === record) out = { ...record };
    (out as Record<string, unknown>)[field] = normalised;
  }
  return out;
}
