import { type EventStore, positionToString, type StoredEvent } from '../event-store.port';
import { eventHash, GENESIS_HASH, integrityOf } from './hash-chain';
import { legacyMarker } from './hash-chaining-event-store';
import { storedForm } from '../store-layers';

export type LinkProblem = 'hash-mismatch' | 'previous-hash-mismatch' | 'unsealed';

export interface BrokenLink {
  readonly streamId: string;
  readonly revision: string;
  readonly position: string;
  readonly eventId: string;
  readonly type: string;
  readonly problem: LinkProblem;
  readonly detail: string;
}

export interface StreamVerdict {
  readonly streamId: string;
  readonly events: number;
  /** verified: every event sealed and chained; broken: first broken link; unsealed: events without a seal (written before chaining), never counted as verified. */
  readonly status: 'verified' | 'broken' | 'unsealed';
  readonly firstProblem?: BrokenLink;
  readonly unsealedEvents: number;
}

export interface IntegrityReport {
  readonly streams: number;
  readonly events: number;
  readonly verified: number;
  readonly broken: StreamVerdict[];
  readonly unsealed: StreamVerdict[];
  readonly ok: boolean;
}

/** Recomputes one stream's chain and reports its first broken link. */
export function verifyStream(streamId: string, events: readonly StoredEvent[]): StreamVerdict {
  let previousHash = GENESIS_HASH;
  let unsealedEvents = 0;
  let firstUnsealed: BrokenLink | undefined;
  for (const event of events) {
    const link = (problem: LinkProblem, detail: string): BrokenLink => ({
      streamId,
      revision: event.revision.toString(),
      position: positionToString(event.position),
      eventId: event.eventId,
      type: event.type,
      problem,
      detail,
    });
    const integrity = integrityOf(event.metadata);
    if (!integrity) {
      unsealedEvents++;
      firstUnsealed ??= link('unsealed', 'no integrity record: written before hash chaining, cannot be verified');
      previousHash = legacyMarker(event);
      continue;
    }
    if (integrity.previousHash !== previousHash) {
      return {
        streamId,
        events: events.length,
        status: 'broken',
        unsealedEvents,
        firstProblem: link('previous-hash-mismatch', `expected previous hash ${previousHash}, recorded ${integrity.previousHash}: an event before it was removed, reordered or altered`),
      };
    }
    const recomputed = eventHash(event, integrity.previousHash);
    if (recomputed !== integrity.hash) {
      return {
        streamId,
        events: events.length,
        status: 'broken',
        unsealedEvents,
        firstProblem: link('hash-mismatch', `recorded hash ${integrity.hash}, recomputed ${recomputed}: the event was altered after it was written`),
      };
    }
    previousHash = integrity.hash;
  }
  return unsealedEvents
    ? { streamId, events: events.length, status: 'unsealed', unsealedEvents, firstProblem: firstUnsealed }
    : { streamId, events: events.length, status: 'verified', unsealedEvents };
}

/** Which streams to verify: these ones, or every stream whose id starts with one of the prefixes (the chained ones). */
export type VerifyScope = { readonly streamIds: readonly string[] } | { readonly prefixes: readonly string[] };

/**
 * Verifies the given streams, or every chained stream found in the global order. `onProgress` is
 * called with the events read so far (for a progress bar).
 */
export async function verifyIntegrity(
  store: EventStore,
  options: VerifyScope & { readonly onProgress?: (eventsRead: number) => void },
): Promise<IntegrityReport> {
  store = storedForm(store);
  const streams = new Map<string, StoredEvent[]>();
  if ('streamIds' in options) {
    for (const id of options.streamIds) streams.set(id, await store.readStream(id));
  } else {
    const { prefixes } = options;
    let after: StoredEvent['position'] | undefined;
    let read = 0;
    for (;;) {
      const batch = await store.readAll({ after, maxCount: 5000 });
      for (const event of batch) {
        if (!prefixes.some((p) => event.streamId.startsWith(p))) continue;
        let list = streams.get(event.streamId);
        if (!list) streams.set(event.streamId, (list = []));
        list.push(event);
      }
      read += batch.length;
      options.onProgress?.(read);
      if (batch.length < 5000) break;
      after = batch[batch.length - 1].position;
    }
  }
  const verdicts = [...streams.entries()].map(([id, events]) => verifyStream(id, events));
  const broken = verdicts.filter((v) => v.status === 'broken');
  const unsealed = verdicts.filter((v) => v.status === 'unsealed');
  return {
    streams: verdicts.length,
    events: verdicts.reduce((n, v) => n + v.events, 0),
    verified: verdicts.filter((v) => v.status === 'verified').length,
    broken,
    unsealed,
    ok: broken.length === 0 && unsealed.length === 0,
  };
}
