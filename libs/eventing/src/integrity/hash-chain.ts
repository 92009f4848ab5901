import { createHash } from 'node:crypto';
import type { EventMetadata } from '../event-store.port';
import { canonicalJson } from './canonical-json';

export const HASH_CHAIN_ALGORITHM = 'sha256-chain-v1';
/** The previous hash of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** Recorded in `metadata.integrity` of every event of a chained stream. */
export interface IntegrityRecord {
  readonly alg: typeof HASH_CHAIN_ALGORITHM;
  readonly previousHash: string;
  readonly hash: string;
}

export interface ChainedEventContent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

/**
 * The hash of one event: SHA-256 over the canonical JSON of its stream, revision, id, type, schema
 * version, payload as stored (personal data encrypted), metadata and the previous event's hash.
 * `recordedAt` is left out because the store sets it after the hash is computed; `integrity` itself too.
 */
export function eventHash(event: ChainedEventContent, previousHash: string): string {
  const { recordedAt: _recordedAt, integrity: _integrity, ...metadata } = event.metadata as EventMetadata & { integrity?: unknown };
  const content = canonicalJson({
    streamId: event.streamId,
    revision: event.revision.toString(),
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata,
    previousHash,
  });
  return createHash('sha256').update(content).digest('hex');
}

export function integrityOf(metadata: EventMetadata): IntegrityRecord | undefined {
  const integrity = (metadata as { integrity?: IntegrityRecord }).integrity;
  return integrity && integrity.alg === HASH_CHAIN_ALGORITHM ? integrity : undefined;
}
