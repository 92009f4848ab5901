import Database from 'better-sqlite3';
import { preparePrivateDatabase } from '../private-files';
import { randomBytes } from 'node:crypto';

export interface DataKey {
  readonly subjectId: string;
  readonly version: number;
  readonly key: Buffer;
}

/**
 * Keys that encrypt each data subject's personal data, kept apart from the event log. Destroying a
 * subject's keys makes every copy of its personal data in the log unreadable (crypto-shredding).
 * Asynchronous, so that an adapter may keep the keys on a server the instances of a fleet share
 * (PostgresKeyStore); the embedded one answers from its file and memory at once.
 */
export interface KeyStore {
  /** The subject's current key, created when it has none (or only destroyed ones). */
  currentKey(subjectId: string): Promise<DataKey>;
  /**
   * Optional: makes sure each subject has a current key, creating the missing ones of every caller of
   * the same moment together (one durable write for all), so that `currentKey` then answers them from
   * memory. The encrypting store calls it before it encrypts an append.
   */
  prepareKeys?(subjectIds: readonly string[]): Promise<void>;
  /** A key by version; undefined once destroyed or never made. */
  key(subjectId: string, version: number): Promise<DataKey | undefined>;
  /** Destroys every key of the subject (keeping a tombstone, so it reads as erased); returns how many were destroyed. */
  destroy(subjectId: string): Promise<number>;
  /** True once the subject had keys and every one of them is destroyed. */
  isErased(subjectId: string): Promise<boolean>;
  close(): void | Promise<void>;
}

/**
 * The default key store: a SQLite file (`DATA_DIR/keys.sqlite`) separate from the events.
 *
 * Keys read and current keys are held in memory. The file can have other connections: the processor
 * worker opens its own store on it (PROCESSORS_IN=worker, the default), and an erasure on the API's
 * connection must hold for the worker's relay and projections at once. So before anything is answered
 * from memory, SQLite's `data_version` (which changes whenever another connection committed to the
 * file) is compared with the one last seen, and on a change everything held is dropped: a key another
 * connection destroyed is never served from memory. (Watching for PersonalDataErased events would not
 * do: the erasure records its event before it destroys the key, so a key read between the two would
 * be held again.)
 */
export class SqliteKeyStore implements KeyStore {
  private readonly db: Database.Database;
  private readonly cache = new Map<string, DataKey | null>();
  private readonly current = new Map<string, DataKey>();
  private readonly dataVersion: () => number;
  private seenVersion: number;
  /** The subjects whose keys the next batch creates, and the promise its callers wait for. */
  private batch?: { readonly subjects: Set<string>; readonly done: Promise<void> };

  constructor(filename: string) {
    // Owner only: the folder holds personal data and every lead's data key.
    preparePrivateDatabase(filename);
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS data_keys (
      subject_id TEXT NOT NULL, version INTEGER NOT NULL, key BLOB, created_at TEXT NOT NULL, destroyed_at TEXT,
      PRIMARY KEY (subject_id, version))`);
    const version = this.db.prepare('PRAGMA data_version').pluck();
    this.dataVersion = () => version.get() as number;
    this.seenVersion = this.dataVersion();
  }

  /** Drops what is held when another connection wrote to the file since the last look (see the class). */
  private forgetOthersWrites(): void {
    const now = this.dataVersion();
    if (now === this.seenVersion) return;
    this.seenVersion = now;
    this.cache.clear();
    this.current.clear();
  }

  currentKey(subjectId: string): Promise<DataKey> {
    return settled(() => {
      this.forgetOthersWrites();
      const known = this.current.get(subjectId);
      if (known) return known;
      return this.remember(this.loadCurrent(subjectId) ?? this.db.transaction(() => this.createCurrent(subjectId))());
    });
  }

  private remember(key: DataKey): DataKey {
    if (this.current.size > 10000) this.current.clear();
    this.current.set(key.subjectId, key);
    return key;
  }

  /**
   * Creates the missing keys of every subject asked for in this turn of the event loop in one
   * transaction: a new key must be durable before any event encrypted with it is, and one fsync per
   * new lead on the command loop cost more than the events' own group commit.
   */
  prepareKeys(subjectIds: readonly string[]): Promise<void> {
    this.forgetOthersWrites();
    const missing = subjectIds.filter((subject) => !this.current.has(subject));
    if (missing.length === 0) return Promise.resolve();
    if (!this.batch) {
      const subjects = new Set<string>();
      const done = new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          this.batch = undefined;
          try {
            this.db.transaction(() => {
              for (const subject of subjects) {
                if (!this.current.has(subject)) this.remember(this.loadCurrent(subject) ?? this.createCurrent(subject));
              }
            })();
            resolve();
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      });
      this.batch = { subjects, done };
    }
    for (const subject of missing) this.batch.subjects.add(subject);
    return this.batch.done;
  }

  private loadCurrent(subjectId: string): DataKey | undefined {
    const row = this.db
      .prepare('SELECT version, key FROM data_keys WHERE subject_id = ? AND key IS NOT NULL ORDER BY version DESC LIMIT 1')
      .get(subjectId) as { version: number; key: Buffer } | undefined;
    return row && { subjectId, version: row.version, key: row.key };
  }

  /** A new current key for a subject that has none; inside a transaction of the caller's. */
  private createCurrent(subjectId: string): DataKey {
    const last = this.db.prepare('SELECT max(version) FROM data_keys WHERE subject_id = ?').pluck().get(subjectId) as number | null;
    const version = (last ?? 0) + 1;
    const key = randomBytes(32);
    this.db.prepare('INSERT INTO data_keys (subject_id, version, key, created_at) VALUES (?, ?, ?, ?)').run(subjectId, version, key, new Date().toISOString());
    return { subjectId, version, key };
  }

  key(subjectId: string, version: number): Promise<DataKey | undefined> {
    return settled(() => this.keySync(subjectId, version));
  }

  private keySync(subjectId: string, version: number): DataKey | undefined {
    this.forgetOthersWrites();
    const cacheKey = `${subjectId}:${version}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    const row = this.db.prepare('SELECT key FROM data_keys WHERE subject_id = ? AND version = ?').get(subjectId, version) as
      | { key: Buffer | null }
      | undefined;
    const found = row?.key ? { subjectId, version, key: row.key } : undefined;
    if (this.cache.size > 10000) this.cache.clear();
    this.cache.set(cacheKey, found ?? null);
    return found;
  }

  destroy(subjectId: string): Promise<number> {
    return settled(() => this.destroySync(subjectId));
  }

  private destroySync(subjectId: string): number {
    this.current.delete(subjectId);
    for (const k of [...this.cache.keys()]) if (k.startsWith(`${subjectId}:`)) this.cache.delete(k);
    // Overwrite, then null: the key bytes do not survive in the row.
    const info = this.db
      .prepare('UPDATE data_keys SET key = NULL, destroyed_at = ? WHERE subject_id = ? AND key IS NOT NULL')
      .run(new Date().toISOString(), subjectId);
    return info.changes;
  }

  isErased(subjectId: string): Promise<boolean> {
    return settled(() => this.isErasedSync(subjectId));
  }

  private isErasedSync(subjectId: string): boolean {
    const row = this.db
      .prepare('SELECT sum(key IS NULL) AS destroyed, sum(key IS NOT NULL) AS live FROM data_keys WHERE subject_id = ?')
      .get(subjectId) as { destroyed: number | null; live: number | null };
    return (row.destroyed ?? 0) > 0 && (row.live ?? 0) === 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** The answer of synchronous work as a settled promise: a failure rejects it rather than throwing at the caller. */
function settled<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
