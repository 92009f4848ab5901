import type { DataKey, KeyStore } from '@lead-lifecycle/eventing';
import { nowMs } from './stats';

/** Time the engine spent in its key store during a phase. */
export interface KeyStoreTiming {
  /** Calls of currentKey (one per encrypted append) and key (one per decrypted event read). */
  readonly lookups: number;
  /** Wall time in those calls, ms: a new lead's key is created and committed (with an fsync) here. */
  readonly ms: number;
}

/**
 * A key store that times the one it wraps: the benchmark hands it to the engine (LeadLifecycleModule's
 * keyStore option) instead of patching the engine's own key store.
 */
export class TimedKeyStore implements KeyStore {
  private lookups = 0;
  private ms = 0;

  constructor(private readonly inner: KeyStore) {}

  currentKey(subjectId: string): Promise<DataKey> {
    return this.timed(() => this.inner.currentKey(subjectId));
  }

  /** Timed as one lookup: the wait for the batch that creates the new keys (one fsync for many). */
  async prepareKeys(subjectIds: readonly string[]): Promise<void> {
    const t0 = nowMs();
    try {
      await this.inner.prepareKeys?.(subjectIds);
    } finally {
      this.lookups++;
      this.ms += nowMs() - t0;
    }
  }

  key(subjectId: string, version: number): Promise<DataKey | undefined> {
    return this.timed(() => this.inner.key(subjectId, version));
  }

  destroy(subjectId: string): Promise<number> {
    return this.inner.destroy(subjectId);
  }

  isErased(subjectId: string): Promise<boolean> {
    return this.inner.isErased(subjectId);
  }

  close(): void | Promise<void> {
    return this.inner.close();
  }

  snapshot(): KeyStoreTiming {
    return { lookups: this.lookups, ms: this.ms };
  }

  reset(): void {
    this.lookups = 0;
    this.ms = 0;
  }

  private async timed<T>(work: () => Promise<T>): Promise<T> {
    const t0 = nowMs();
    try {
      return await work();
    } finally {
      this.lookups++;
      this.ms += nowMs() - t0;
    }
  }
}
