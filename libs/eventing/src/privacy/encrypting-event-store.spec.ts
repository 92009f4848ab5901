import { randomUUID } from 'node:crypto';
import { CountingKeyStore } from '../../../../test/support/counting-key-store';
import { type NewEvent, type StoredEvent, type Subscription } from '../event-store.port';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { ContactCipher, isEncrypted } from './contact-cipher';
import { EncryptingEventStore } from './encrypting-event-store';
import { SqliteKeyStore } from './key-store';
import { ERASED_PERSONAL_DATA, type PersonalDataPolicy } from './personal-data-policy';

/** A policy that is not the lifecycle's: patients, whose `name` and `address` are theirs, visits named by `patientId`. */
const POLICY: PersonalDataPolicy = {
  rules: [
    { eventTypes: ['PatientRegistered'], fields: ['name', 'address'], subjectField: 'patientId', erased: '[erased]' },
    { eventTypes: ['VisitBooked'], fields: ['note'], subjectField: 'patientId' },
  ],
};

const event = (type: string, data: Record<string, unknown>): NewEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data: { occurredAt: '2026-02-01T10:00:00.000Z', ...data },
  metadata: { tenantId: 't', occurredAt: '2026-02-01T10:00:00.000Z', actor: 'a', correlationId: 'c', causationId: 'd' },
});

async function take(subscription: Subscription, n: number): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const e of subscription) {
    events.push(e);
    if (events.length === n) break;
  }
  await subscription.close();
  return events;
}

describe('EncryptingEventStore with a personal-data policy', () => {
  let raw: SqliteEventStore;
  let keys: CountingKeyStore;
  let store: EncryptingEventStore;
  beforeEach(async () => {
    raw = new SqliteEventStore({ filename: ':memory:' });
    keys = new CountingKeyStore(new SqliteKeyStore(':memory:'));
    store = new EncryptingEventStore(raw, new ContactCipher(keys), POLICY);
    await store.appendToStream(
      'patient-P1',
      [
        event('PatientRegistered', { patientId: 'P1', name: 'Ada', address: { city: 'London' }, ward: 'B' }),
        event('VisitBooked', { patientId: 'P1', note: 'allergic to penicillin' }),
        // Not in the policy: a field of the same name stays as it is.
        event('WardChanged', { patientId: 'P1', name: 'Ward B' }),
      ],
      'no_stream',
    );
  });
  afterEach(async () => {
    await store.close();
    await keys.close();
  });

  it('encrypts exactly the fields the policy names, of the types it names, with the key of the subject it names', async () => {
    const [registered, booked, changed] = await raw.readStream('patient-P1');
    expect(isEncrypted(registered.data.name)).toBe(true);
    expect(isEncrypted(registered.data.address)).toBe(true);
    expect(registered.data.ward).toBe('B');
    expect(isEncrypted(booked.data.note)).toBe(true);
    expect(changed.data.name).toBe('Ward B');
    expect(JSON.stringify([registered.data, booked.data])).not.toMatch(/Ada|London|penicillin/);
    expect(registered.data.name).toMatchObject({ $encrypted: { subject: 'P1' } });

    const read = await store.readStream('patient-P1');
    expect(read.map((e) => e.data)).toEqual([
      expect.objectContaining({ name: 'Ada', address: { city: 'London' }, ward: 'B' }),
      expect.objectContaining({ note: 'allergic to penicillin' }),
      expect.objectContaining({ name: 'Ward B' }),
    ]);
  });

  it('reads erased data as each rule’s erased form once the subject’s keys are destroyed', async () => {
    expect(await keys.destroy('P1')).toBe(1);
    const [registered, booked] = await store.readAll();
    expect(registered.data).toMatchObject({ name: '[erased]', address: '[erased]', ward: 'B' });
    expect(booked.data.note).toEqual(ERASED_PERSONAL_DATA);
  });

  it('a sealed readAll gives personal data as stored, without touching the key store', async () => {
    const stored = await raw.readAll();
    keys.calls = 0;
    const sealed = await store.readAll({ personalData: 'sealed' });
    expect(keys.calls).toBe(0);
    expect(sealed).toEqual(stored);
    expect(isEncrypted(sealed[0].data.name)).toBe(true);

    // The default (open) read does decrypt, through the key store.
    expect((await store.readAll({ personalData: 'open' }))[0].data.name).toBe('Ada');
    expect(keys.calls).toBeGreaterThan(0);
  });

  it('a sealed readAll after erasure still gives the ciphertext as stored, never the plaintext', async () => {
    await keys.destroy('P1');
    keys.calls = 0;
    const [registered] = await store.readAll({ personalData: 'sealed' });
    expect(keys.calls).toBe(0);
    expect(isEncrypted(registered.data.name)).toBe(true);
  });

  it('a sealed subscription gives personal data as stored, without touching the key store', async () => {
    keys.calls = 0;
    const sealed = await take(store.subscribeToAll({ personalData: 'sealed' }), 3);
    expect(keys.calls).toBe(0);
    expect(isEncrypted(sealed[1].data.note)).toBe(true);
    const open = await take(store.subscribeToAll(), 3);
    expect(open[1].data.note).toBe('allergic to penicillin');
  });

  it('checks the plaintext of every personal field before the append, naming the field', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => store.validateAppend('patient-P2', [event('PatientRegistered', { patientId: 'P2', address: circular })])).toThrow(/data\.address/);
  });
});
