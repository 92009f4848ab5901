import type { DataKey, KeyStore } from '@lead-lifecycle/eventing';

/** A KeyStore that counts every call into the real one, for tests that must prove a reader never touched a key. */
export class CountingKeyStore implements KeyStore {
  calls = 0;
  constructor(private readonly inner: KeyStore) {}

  currentKey(subjectId: string): Promise<DataKey> {
    this.calls++;
    return this.inner.currentKey(subjectId);
  }
  prepareKeys(subjectIds: readonly string[]): Promise<void> {
    this.calls++;
    return this.inner.prepareKeys?.(subjectIds) ?? Promise.resolve();
  }
  key(subjectId: string, version: number): Promise<DataKey | undefined> {
    this.calls++;
    return this.inner.key(subjectId, version);
  }
  destroy(subjectId: string): Promise<number> {
    this.calls++;
    return this.inner.destroy(subjectId);
  }
  isErased(subjectId: string): Promise<boolean> {
    this.calls++;
    return this.inner.isErased(subjectId);
  }
  close(): void | Promise<void> {
    return this.inner.close();
  }
}
