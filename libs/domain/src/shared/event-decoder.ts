import { type DomainEvent } from './domain-event';
import { type UpcasterRegistry } from './upcaster';

/** An event as a store gives it back: its type, the schema version it was written in, its payload. */
export interface EncodedEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Why a stored event could not be read as one of the catalogue's events. */
export type EventDecodingProblem = 'unknown-type' | 'unknown-version';

/**
 * A stored event this code cannot read: a type outside the catalogue, or a schema version that no
 * upcaster brings to today's (typically one written by a newer release). Readers treat it as poison.
 */
export class EventDecodingError extends Error {
  constructor(
    readonly problem: EventDecodingProblem,
    readonly catalogue: string,
    readonly eventType: string,
    readonly schemaVersion: number,
    message: string,
  ) {
    super(message);
    this.name = 'EventDecodingError';
  }
}

/** The events of one aggregate: each type with the schema version today's code reads, and the upcasters of older ones. */
export interface EventCatalogue<E extends DomainEvent> {
  /** For messages: `lead`, `opportunity`. */
  readonly name: string;
  readonly schemaVersions: Readonly<Record<E['type'], number>>;
  readonly upcasters: UpcasterRegistry;
}

/** Reads stored events of one catalogue into its typed events. */
export interface EventDecoder<E extends DomainEvent> {
  /** Whether the type is one of the catalogue's (a reader that follows only some events skips the others). */
  knows(type: string): type is E['type'];
  /**
   * The event in today's form: the type checked against the catalogue, the upcasters applied from the
   * stored `schemaVersion` on. Throws EventDecodingError for an unknown type or a version it cannot read.
   */
  decode(stored: EncodedEvent): E;
}

type Decodable = { readonly type: string; readonly data: Readonly<Record<string, unknown>> };

export function createEventDecoder<E extends DomainEvent & Decodable>(catalogue: EventCatalogue<E>): EventDecoder<E> {
  const versions: Readonly<Record<string, number>> = catalogue.schemaVersions;
  const knows = (type: string): type is E['type'] => Object.prototype.hasOwnProperty.call(versions, type);
  // The catalogue vouches for the payload of a type it knows, in its current version.
  const isCatalogued = (event: Decodable): event is E => knows(event.type);
  return {
    knows,
    decode(stored: EncodedEvent): E {
      const { type, schemaVersion } = stored;
      if (!knows(type)) {
        throw new EventDecodingError('unknown-type', catalogue.name, type, schemaVersion, `${type} is not a ${catalogue.name} event`);
      }
      const upcast = catalogue.upcasters.upcast({ type, schemaVersion, data: stored.data, metadata: stored.metadata ?? {} });
      const current = versions[type];
      if (upcast.schemaVersion !== current) {
        const why = upcast.schemaVersion > current ? 'written by a newer version' : `no upcaster from v${upcast.schemaVersion}`;
        throw new EventDecodingError(
          'unknown-version',
          catalogue.name,
          type,
          schemaVersion,
          `${type} v${schemaVersion} cannot be read: this code reads v${current} (${why})`,
        );
      }
      const event = { type, data: upcast.data };
      if (!isCatalogued(event)) throw new Error('unreachable');
      return event;
    },
  };
}
