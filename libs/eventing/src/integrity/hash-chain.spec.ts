import { randomUUID } from 'node:crypto';
import type { NewEvent, StoredEvent } from '../event-store.port';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { ContactCipher, ERASED_CONTACT } from '../privacy/contact-cipher';
import { EncryptingEventStore } from '../privacy/encrypting-event-store';
import { SqliteKeyStore } from '../privacy/key-store';
import { canonicalJson } from './canonical-json';
import { GENESIS_HASH } from './hash-chain';
import { HashChainingEventStore } from './hash-chaining-event-store';
import { verifyIntegrity, verifyStream } from './verify-integrity';

/** The streams these tests chain (the engine passes the domain's SEALED_STREAM_PREFIXES). */
const CHAINED = ['lead-', 'opportunity-'];

const event = (i: number, data: Record<string, unknown> = {}): NewEvent => ({
  eventId: randomUUID(),
  type: `Thing${i}`,
  schemaVersion: 1,
  data: { leadId: 'L1', i, ...data },
  metadata: { tenantId: 't', occurredAt: '2026-01-01T00:00:00.000Z', actor: 'a', correlationId: 'c', causationId: 'd' },
});

describe('canonical JSON', () => {
  it('orders keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined, x: 0 }], c: 'é' } })).toBe('{"a":{"c":"é","d":[2,{"x":0,"z":1}]},"b":1}');
  });
});

describe('hash chain', () => {
  let raw: SqliteEventStore;
  let store: HashChainingEventStore;
  beforeEach(() => {
    raw = new SqliteEventStore({ filename: ':memory:' });
    store = new HashChainingEventStore(raw, CHAINED);
  });
  afterEach(() => store.close());

  async function chain(n: number): Promise<StoredEvent[]> {
    await store.appendToStream('lead-1', [event(0), event(1)], 'no_stream');
    for (let i = 2; i < n; i++) await store.appendToStream('lead-1', [event(i)], BigInt(i - 1));
    return raw.readStream('lead-1');
  }

  it('seals each event with the previous hash, starting from the genesis hash', async () => {
    const events = await chain(4);
    const seals = events.map((e) => e.metadata.integrity as { previousHash: string; hash: string });
    expect(seals[0].previousHash).toBe(GENESIS_HASH);
    for (let i = 1; i < seals.length; i++) expect(seals[i].previousHash).toBe(seals[i - 1].hash);
    expect(new Set(seals.map((s) => s.hash)).size).toBe(4);
    expect(verifyStream('lead-1', events)).toMatchObject({ status: 'verified', events: 4 });
  });

  it('leaves other streams unsealed and pins "any" to the revision the chain was built on', async () => {
    await store.appendToStream('lead_identity-x', [event(0)], 'any');
    expect((await raw.readStream('lead_identity-x'))[0].metadata).not.toHaveProperty('integrity');
    await store.appendToStream('lead-2', [event(0)], 'any');
    await store.appendToStream('lead-2', [event(1)], 'any');
    expect(verifyStream('lead-2', await raw.readStream('lead-2')).status).toBe('verified');
  });

  it('finds an altered payload at the altered event', async () => {
    const events = await chain(5);
    const altered = events.map((e, i) => (i === 3 ? { ...e, data: { ...e.data, i: 99 } } : e));
    expect(verifyStream('lead-1', altered).firstProblem).toMatchObject({ revision: '3', problem: 'hash-mismatch', eventId: events[3].eventId });
  });

  it('finds a removed or reordered event by the broken link after it', async () => {
    const events = await chain(5);
    expect(verifyStream('lead-1', [...events.slice(0, 2), ...events.slice(3)]).firstProblem).toMatchObject({
      problem: 'previous-hash-mismatch',
      eventId: events[3].eventId,
    });
    const swapped = [events[0], events[2], events[1], events[3], events[4]];
    expect(verifyStream('lead-1', swapped).firstProblem).toMatchObject({ problem: 'previous-hash-mismatch', eventId: events[2].eventId });
  });

  it('finds altered metadata, and ignores recordedAt, which the store sets after sealing', async () => {
    const events = await chain(3);
    expect(verifyStream('lead-1', events.map((e, i) => (i === 1 ? { ...e, metadata: { ...e.metadata, actor: 'someone else' } } : e))).status).toBe('broken');
    expect(verifyStream('lead-1', events.map((e) => ({ ...e, metadata: { ...e.metadata, recordedAt: '1999-01-01T00:00:00.000Z' } }))).status).toBe('verified');
  });

  it('reports unsealed legacy events and keeps verifying the chain after them', async () => {
    await raw.appendToStream('lead-3', [event(0)], 'no_stream');
    await store.appendToStream('lead-3', [event(1), event(2)], 0n);
    const verdict = verifyStream('lead-3', await raw.readStream('lead-3'));
    expect(verdict).toMatchObject({ status: 'unsealed', unsealedEvents: 1, firstProblem: { revision: '0', problem: 'unsealed' } });
    const report = await verifyIntegrity(store, { prefixes: CHAINED });
    expect(report).toMatchObject({ ok: false, verified: 0, streams: 1 });
  });
});

describe('crypto-shredding', () => {
  it('encrypts contacts at rest, decrypts on read, and reads them as erased once the key is gone, with the chain intact', async () => {
    const raw = new SqliteEventStore({ filename: ':memory:' });
    const keys = new SqliteKeyStore(':memory:');
    const store = new EncryptingEventStore(new HashChainingEventStore(raw, CHAINED), new ContactCipher(keys), { rules: [{ fields: ['contact'], subjectField: 'leadId' }] });
    const contact = { email: 'ada@example.com', firstName: 'Ada' };
    await store.appendToStream('lead-L1', [event(0, { contact })], 'no_stream');
    const [stored] = await raw.readStream('lead-L1');
    expect(JSON.stringify(stored.data)).not.toContain('ada@example.com');
    expect((await store.readStream('lead-L1'))[0].data.contact).toEqual(contact);
    expect((await store.readAll())[0].data.contact).toEqual(contact);

    expect(await keys.destroy('L1')).toBe(1);
    expect(await keys.isErased('L1')).toBe(true);
    expect((await store.readStream('lead-L1'))[0].data.contact).toEqual(ERASED_CONTACT);
    expect((await verifyIntegrity(store, { prefixes: CHAINED })).ok).toBe(true);

    // New personal data after erasure gets a new key; the old ciphertext stays unreadable.
    await store.appendToStream('lead-L1', [event(1, { contact: { email: 'new@example.com' } })], 0n);
    const [first, second] = await store.readStream('lead-L1');
    expect(first.data.contact).toEqual(ERASED_CONTACT);
    expect(second.data.contact).toEqual({ email: 'new@example.com' });
    await store.close();
    keys.close();
  });
});
