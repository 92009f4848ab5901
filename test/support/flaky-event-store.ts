import {
  type AppendResult,
  DelegatingEventStore,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  SqliteKeyStore,
} from '@lead-lifecycle/eventing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, EngineConfig, type LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import { startTestApp, type TestApp } from './test-app';

interface Fault {
  readonly prefix: string;
  /** Appends left to fail; Infinity until healed. */
  remaining: number;
  readonly error: () => Error;
}

/**
 * A test double around a real store that fails appends to streams of a given prefix, a number of times
 * or until healed, without writing them. Everything else goes to the real store.
 */
export class FlakyEventStore extends DelegatingEventStore {
  private faults: Fault[] = [];
  /** Streams of the appends that were failed, in order. */
  readonly failed: string[] = [];

  constructor(inner: EventStore) {
    super(inner);
  }

  /** The next `times` appends to streams starting with `prefix` fail with `error()`. */
  failAppends(prefix: string, error: () => Error, times = 1): void {
    this.faults.push({ prefix, remaining: times, error });
  }

  /** Every append to streams starting with `prefix` fails with `error()` until {@link heal}. */
  failAppendsUntilHealed(prefix: string, error: () => Error): void {
    this.failAppends(prefix, error, Number.POSITIVE_INFINITY);
  }

  heal(): void {
    this.faults = [];
  }

  override appendToStream(streamId: string, events: readonly NewEvent[], expectedRevision?: ExpectedRevision): Promise<AppendResult> {
    const fault = this.faults.find((f) => f.remaining > 0 && streamId.startsWith(f.prefix));
    if (fault) {
      fault.remaining -= 1;
      this.failed.push(streamId);
      return Promise.reject(fault.error());
    }
    return this.inner.appendToStream(streamId, events, expectedRevision);
  }

}

/**
 * The real API on a fresh data folder, over the store it would build itself (hash chain, encryption,
 * embedded SQLite) wrapped in a FlakyEventStore.
 */
export async function startTestAppWithFlakyStore(
  options: { env?: Record<string, string>; module?: LeadLifecycleModuleOptions } = {},
): Promise<TestApp & { flaky: FlakyEventStore }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-e2e-'));
  const env = { DATA_DIR: dataDir, SQLITE_DURABILITY: 'normal', ...options.env };
  const keyStore = new SqliteKeyStore(join(dataDir, 'keys.sqlite'));
  const flaky = new FlakyEventStore(createEventStore(EngineConfig.fromEnv(env), keyStore));
  const t = await startTestApp({ dataDir, env: options.env, module: { ...options.module, eventStore: flaky, keyStore } });
  return { ...t, flaky };
}
