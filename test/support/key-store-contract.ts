import type { KeyStore } from '@lead-lifecycle/eventing';

/**
 * Opens key stores for the contract: `open` a store on fresh storage (the same storage for every call
 * of one test: a second call is another instance on it), `cleanup` after each test.
 */
export interface KeyStoreHarness {
  open(): Promise<KeyStore>;
  cleanup?(): Promise<void>;
}

/**
 * The behaviour every KeyStore adapter shares (SqliteKeyStore, PostgresKeyStore): versions, erasure
 * tombstones, isErased, and durability across instances. Call inside a describe of the adapter's spec.
 */
export function describeKeyStoreContract(harness: () => KeyStoreHarness): void {
  let h: KeyStoreHarness;
  const opened: KeyStore[] = [];
  const open = async () => {
    const store = await h.open();
    opened.push(store);
    return store;
  };
  beforeEach(() => {
    h = harness();
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await h.cleanup?.();
  });

  it('creates a 32-byte key at version 1 on first use and answers the same key after', async () => {
    const keys = await open();
    const first = await keys.currentKey('lead-1');
    expect(first).toMatchObject({ subjectId: 'lead-1', version: 1 });
    expect(first.key).toHaveLength(32);
    expect((await keys.currentKey('lead-1')).key.equals(first.key)).toBe(true);
    expect((await keys.key('lead-1', 1))?.key.equals(first.key)).toBe(true);
    const other = await keys.currentKey('lead-2');
    expect(other.key.equals(first.key)).toBe(false);
  });

  it('prepares the keys of every caller of the same moment, which currentKey then answers, durably for another instance', async () => {
    const keys = await open();
    const existing = await keys.currentKey('lead-0');
    await Promise.all([keys.prepareKeys?.(['lead-1', 'lead-2']), keys.prepareKeys?.(['lead-2', 'lead-3']), keys.prepareKeys?.(['lead-0'])]);
    expect(await keys.currentKey('lead-0')).toEqual(existing);
    const k1 = await keys.currentKey('lead-1');
    expect(k1.version).toBe(1);
    const again = await open();
    expect((await again.currentKey('lead-1')).key.equals(k1.key)).toBe(true);
    expect((await again.key('lead-3', 1))?.version).toBe(1);
  });

  it('answers no key for a version never made', async () => {
    const keys = await open();
    await keys.currentKey('lead-1');
    expect(await keys.key('lead-1', 2)).toBeUndefined();
    expect(await keys.key('nobody', 1)).toBeUndefined();
  });

  it('destroys every key of a subject, which then reads as erased, and keeps the others', async () => {
    const keys = await open();
    await keys.currentKey('lead-1');
    const kept = await keys.currentKey('lead-2');
    expect(await keys.isErased('lead-1')).toBe(false);
    expect(await keys.destroy('lead-1')).toBe(1);
    expect(await keys.key('lead-1', 1)).toBeUndefined();
    expect(await keys.isErased('lead-1')).toBe(true);
    expect(await keys.isErased('lead-2')).toBe(false);
    expect((await keys.key('lead-2', 1))?.key.equals(kept.key)).toBe(true);
    // Destroying again destroys nothing more; the subject stays erased, also for another instance.
    expect(await keys.destroy('lead-1')).toBe(0);
    expect(await (await open()).isErased('lead-1')).toBe(true);
  });

  it('is not erased for a subject it never had keys for, and destroying one destroys nothing', async () => {
    const keys = await open();
    expect(await keys.isErased('nobody')).toBe(false);
    expect(await keys.destroy('nobody')).toBe(0);
    expect(await keys.isErased('nobody')).toBe(false);
  });

  it('gives a subject new personal data a new version after an erasure; the destroyed version stays gone', async () => {
    const keys = await open();
    const first = await keys.currentKey('lead-1');
    await keys.destroy('lead-1');
    await keys.prepareKeys?.(['lead-1']);
    const second = await keys.currentKey('lead-1');
    expect(second.version).toBe(2);
    expect(second.key.equals(first.key)).toBe(false);
    expect(await keys.key('lead-1', 1)).toBeUndefined();
    expect((await keys.key('lead-1', 2))?.key.equals(second.key)).toBe(true);
    // A live key again: not erased (the new data is readable), until it is destroyed in turn.
    expect(await keys.isErased('lead-1')).toBe(false);
    expect(await keys.destroy('lead-1')).toBe(1);
    expect(await keys.isErased('lead-1')).toBe(true);
    expect((await keys.currentKey('lead-1')).version).toBe(3);
  });
}
