import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent } from './event-store.port';
import { DECORATED_STORE } from './store-layers';
import { EventStoreErrorCode } from './event-store.errors';
import { assertValidNewEvents, DEFAULT_EVENT_LIMITS, InvalidEventError, validateAppend, validateNewEvents } from './event-validation';
import { HashChainingEventStore } from './integrity/hash-chaining-event-store';
import { ContactCipher } from './privacy/contact-cipher';
import { EncryptingEventStore } from './privacy/encrypting-event-store';
import { SqliteKeyStore } from './privacy/key-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

const event = (data: Record<string, unknown>, metadata: Record<string, unknown> = {}): NewEvent => ({
  eventId: randomUUID(),
  type: 'LeadCaptured',
  schemaVersion: 1,
  data,
  metadata: { tenantId: 't', occurredAt: '2026-01-01T00:00:00.000Z', actor: 'a', correlationId: 'c', causationId: 'd', ...metadata },
});

describe('event validation', () => {
  it('accepts plain JSON within the limits, undefined object fields included (JSON drops them on every store)', () => {
    expect(validateNewEvents('lead-1', [event({ a: 1, b: 'x', c: [true, null, { d: -0.5 }], e: undefined })])).toEqual([]);
  });

  it('names the place of every value JSON would change or refuse', () => {
    const paths = (data: Record<string, unknown>) => validateNewEvents('lead-1', [event(data)]).map((p) => [p.kind, p.path, p.reason]);
    expect(paths({ attributes: { score: Number.NaN } })).toEqual([['content', 'data.attributes.score', 'NaN is not a finite number']]);
    expect(paths({ n: -Infinity })).toEqual([['content', 'data.n', '-Infinity is not a finite number']]);
    expect(paths({ list: ['a', undefined] })).toEqual([['content', 'data.list[1]', 'undefined is not JSON']]);
    expect(paths({ big: 1n })).toEqual([['content', 'data.big', 'a BigInt is not JSON']]);
    expect(paths({ f: () => 1 })).toEqual([['content', 'data.f', 'a function is not JSON']]);
    expect(paths({ at: new Date(0) })).toEqual([['content', 'data.at', 'not a plain JSON value']]);
    expect(paths(JSON.parse('{"x":{"__proto__":{"admin":true}}}'))).toEqual([['content', 'data.x.__proto__', 'the key "__proto__" is not allowed']]);
  });

  it('measures depth without recursion: a cycle or 100,000 levels are refused, never a stack overflow', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { deep };
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    for (const data of [{ deep }, cyclic]) {
      const [problem] = validateNewEvents('lead-1', [event(data)]);
      expect(problem).toMatchObject({ kind: 'content', reason: `nested deeper than ${DEFAULT_EVENT_LIMITS.maxDepth} levels` });
    }
    let fits: Record<string, unknown> = { leaf: 1 };
    for (let i = 2; i < DEFAULT_EVENT_LIMITS.maxDepth; i++) fits = { fits };
    expect(validateNewEvents('lead-1', [event(fits)])).toEqual([]);
  });

  it('bounds the size of one event and names its largest field', () => {
    const limits = { maxEventBytes: 2048, maxDepth: 8 };
    expect(validateNewEvents('lead-1', [event({ small: 'x', attributes: { blob: 'y'.repeat(2048) } })], limits)).toEqual([
      expect.objectContaining({ kind: 'content', path: 'data.attributes', reason: expect.stringMatching(/bytes as JSON; at most 2048$/) }),
    ]);
    // Bytes, not characters.
    expect(validateNewEvents('lead-1', [event({ text: 'é'.repeat(1000) })], limits)).toHaveLength(1);
    expect(validateNewEvents('lead-1', [event({ text: 'e'.repeat(1000) })], limits)).toEqual([]);
  });

  it('tells envelope problems (the writer\'s bugs) from content problems, and throws them as one InvalidEventError', () => {
    const bad = { ...event({}), eventId: 'nope', type: '', schemaVersion: 0 };
    expect(validateNewEvents('$system', [bad]).map((p) => [p.kind, p.path])).toEqual([
      ['envelope', 'streamId'],
      ['envelope', 'eventId'],
      ['envelope', 'type'],
      ['envelope', 'schemaVersion'],
    ]);
    const error = (() => {
      try {
        assertValidNewEvents('lead-1', [event({ n: Number.NaN })]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toMatchObject({ code: EventStoreErrorCode.InvalidEvent, streamId: 'lead-1', problems: [{ path: 'data.n' }] });
  });
});

describe('validateAppend through the decorators', () => {
  const limits = { maxEventBytes: 4096, maxDepth: 16 };
  let raw: SqliteEventStore;
  let keys: SqliteKeyStore;
  let store: EncryptingEventStore;
  beforeEach(() => {
    raw = new SqliteEventStore({ filename: ':memory:', limits });
    keys = new SqliteKeyStore(':memory:');
    store = new EncryptingEventStore(new HashChainingEventStore(raw, ['lead-']), new ContactCipher(keys), { rules: [{ fields: ['contact'], subjectField: 'leadId' }] });
  });
  afterEach(async () => {
    await store.close();
    keys.close();
  });

  it('checks the events as they reach the log: a seal and an encrypted contact count, and what it passes the store accepts', async () => {
    let passed = 0;
    let refused = 0;
    // Sizes on both sides of the limit: the encrypted contact is a third larger than its plaintext.
    for (let size = 1500; size <= 3800; size += 23) {
      const leadId = randomUUID();
      const candidate = [event({ leadId, contact: { email: `${'a'.repeat(size)}@example.com` }, note: 'n' })];
      let ok = true;
      try {
        validateAppend(store, `lead-${leadId}`, candidate);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidEventError);
        ok = false;
      }
      const before = await raw.headPosition();
      const appended = await store.appendToStream(`lead-${leadId}`, candidate, 'no_stream').then(
        () => true,
        () => false,
      );
      if (ok) {
        expect({ size, appended }).toEqual({ size, appended: true });
        passed++;
      } else {
        refused++;
        if (!appended) expect(await raw.headPosition()).toEqual(before);
      }
    }
    expect(passed).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    // The plaintext alone fits; encrypted and sealed it does not, and validateAppend counts that.
    const leadId = randomUUID();
    const plain = [event({ leadId, contact: { email: 'a'.repeat(3000) } })];
    expect(validateNewEvents(`lead-${leadId}`, plain, limits)).toEqual([]);
    expect(() => validateAppend(store, `lead-${leadId}`, plain)).toThrow(InvalidEventError);
    await expect(store.appendToStream(`lead-${leadId}`, plain, 'no_stream')).rejects.toBeInstanceOf(InvalidEventError);
  });

  it('reaches the checks beneath a read-side decorator that has no validateAppend of its own', () => {
    // The store's reads and appends, its inner store exposed, and no validateAppend of its own.
    const readSide: EventStore & { readonly [DECORATED_STORE]: () => EventStore } = {
      [DECORATED_STORE]: () => store,
      appendToStream: (streamId, events, expectedRevision) => store.appendToStream(streamId, events, expectedRevision),
      readStream: (streamId, options) => store.readStream(streamId, options),
      readAll: (options) => store.readAll(options),
      subscribeToAll: (options) => store.subscribeToAll(options),
      headPosition: () => store.headPosition(),
      close: () => store.close(),
    };
    const leadId = randomUUID();
    const tooLarge = [event({ leadId, contact: { email: 'a'.repeat(3000) } })];
    expect(() => validateAppend(readSide, `lead-${leadId}`, tooLarge)).toThrow(InvalidEventError);
  });

  it('writes nothing and creates no key', async () => {
    const leadId = randomUUID();
    validateAppend(store, `lead-${leadId}`, [event({ leadId, contact: { email: 'ada@example.com' } })]);
    expect(await raw.headPosition()).toEqual({ commit: -1n, prepare: -1n });
    expect(await keys.key(leadId, 1)).toBeUndefined();
  });
});
