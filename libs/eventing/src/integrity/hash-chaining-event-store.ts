import { DelegatingEventStore } from '../delegating-event-store';
import type { AppendResult, EventStore, ExpectedRevision, NewEvent, StoredEvent } from '../event-store.port';
import { WrongExpectedRevisionError } from '../event-store.errors';
import { validateAppend } from '../event-validation';
import { eventHash, GENESIS_HASH, HASH_CHAIN_ALGORITHM, integrityOf } from './hash-chain';

/**
 * Seals every event appended to a chained stream (one whose id starts with one of `chainedPrefixes`;
 * the engine passes the domain's SEALED_STREAM_PREFIXES) with a hash that chains it to the previous
 * event of the same stream, in `metadata.integrity`. Editing any stored
 * event, or removing or reordering one, breaks the chain from there on; `verifyIntegrity` finds it.
 */
export class HashChainingEventStore extends DelegatingEventStore {
  /** The last seal of recently written streams, so an append at the expected revision need not read it back. */
  private readonly lastSeals = new Map<string, { revision: bigint; hash: string }>();

  constructor(
    inner: EventStore,
    private readonly chainedPrefixes: readonly string[],
    private readonly cachedSeals = 10_000,
  ) {
    super(inner);
  }

  override async appendToStream(streamId: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    if (!this.chainedPrefixes.some((p) => streamId.startsWith(p)) || events.length === 0) {
      return this.inner.appendToStream(streamId, events, expectedRevision);
    }
    const { current, hash } = await this.lastSealOf(streamId, expectedRevision);
    // The chain needs to know the previous event: pin a loose expectation to the revision it was built on.
    const pinned = pin(streamId, expectedRevision, current);
    let previousHash = hash;
    let revision = current ?? -1n;
    const sealed = events.map((event) => {
      revision += 1n;
      const hash = eventHash({ ...event, streamId, revision }, previousHash);
      const metadata = { ...event.metadata, integrity: { alg: HASH_CHAIN_ALGORITHM, previousHash, hash } };
      previousHash = hash;
      return { ...event, metadata };
    });
    try {
      const result = await this.inner.appendToStream(streamId, sealed, pinned);
      // A fresh append ends where the chain was built to end; an idempotent replay does not.
      if (result.nextExpectedRevision === revision) this.rememberSeal(streamId, revision, previousHash);
      else this.lastSeals.delete(streamId);
      return result;
    } catch (error) {
      this.lastSeals.delete(streamId);
      throw error;
    }
  }

  /** Checks the events as they would reach the log: with a seal of the real one's size (the chain itself is not read). */
  override validateAppend(streamId: string, events: readonly NewEvent[]): void {
    if (!this.chainedPrefixes.some((p) => streamId.startsWith(p))) return validateAppend(this.inner, streamId, events);
    const stand = { alg: HASH_CHAIN_ALGORITHM, previousHash: GENESIS_HASH, hash: GENESIS_HASH };
    validateAppend(
      this.inner,
      streamId,
      events.map((event) => ({ ...event, metadata: { ...event.metadata, integrity: stand } })),
    );
  }

  private async lastSealOf(streamId: string, expected: ExpectedRevision): Promise<{ current: bigint | undefined; hash: string }> {
    const known = this.lastSeals.get(streamId);
    if (known && known.revision === expected) return { current: known.revision, hash: known.hash };
    const [last] = await this.inner.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return { current: last?.revision, hash: last ? (integrityOf(last.metadata)?.hash ?? legacyMarker(last)) : GENESIS_HASH };
  }

  private rememberSeal(streamId: string, revision: bigint, hash: string): void {
    if (this.cachedSeals <= 0) return;
    this.lastSeals.delete(streamId);
    this.lastSeals.set(streamId, { revision, hash });
    if (this.lastSeals.size > this.cachedSeals) this.lastSeals.delete(this.lastSeals.keys().next().value!);
  }

}

/** An event written before chaining existed: the chain continues from a marker naming it, never from a silent pass. */
export function legacyMarker(event: StoredEvent): string {
  return `unsealed:${event.eventId}`;
}

function pin(streamId: string, expected: ExpectedRevision, current: bigint | undefined): ExpectedRevision {
  if (expected === 'any') return current ?? 'no_stream';
  if (expected === 'stream_exists') {
    if (current === undefined) throw new WrongExpectedRevisionError(streamId, 'stream_exists', 'no_stream');
    return current;
  }
  return expected;
}
