import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type Notification, type Pool, type PoolClient } from 'pg';
import { migrationsIn, runMigrations } from '../postgres/postgres-migrations';
import { type DataKey, type KeyStore } from './key-store';

/** The channel on which a destroy tells every instance to drop the subject's current key. */
const DESTROYED_CHANNEL = 'data_keys_destroyed';
/** How long to wait before listening again after the listening connection was lost. */
const RELISTEN_MS = 1000;
/** Current keys held in memory at most; beyond, the map starts again (the keys stay in the table). */
const CURRENT_KEYS_HELD = 10_000;

export interface PostgresKeyStoreOptions {
  /** End the pool when the store closes (it was made for the store alone). Default false. */
  readonly closePool?: boolean;
  /** Where connection trouble is reported. */
  readonly log?: (message: string) => void;
}

interface KeyRow {
  subject_id: string;
  version: number;
  key: Buffer | null;
}

/**
 * The data keys in PostgreSQL, shared by every instance of a fleet: an erasure on any instance
 * destroys the subject's keys for all of them at once. Same semantics as SqliteKeyStore: versions
 * count up per subject, a destroyed key leaves a tombstone (its row with the key NULL), a subject
 * with tombstones and no live key is erased, and a new key after an erasure takes the next version.
 *
 * What is cached, and the window that leaves:
 * - Reads (`key`, `isErased`) are never answered from memory: every call asks the table, so once a
 *   `destroy` on any instance has committed, no instance decrypts with that key again. The calls of one
 *   turn of the event loop share one query, so decrypting a page of events costs one round trip.
 * - The current key of each subject (what new personal data is encrypted with) is held in memory, so an
 *   append makes no round trip for a subject that has one, and one write for the new keys of a turn.
 *   A `destroy` on this instance drops it at once; one on another instance drops it through
 *   LISTEN/NOTIFY (`data_keys_destroyed`, sent in the destroying transaction, so delivered on commit).
 *   The window is the notification's delivery, milliseconds: an event this instance encrypts in it is
 *   sealed with a destroyed key and so reads as erased everywhere: never disclosure, at worst the
 *   erased subject's newest data is unreadable, as it should be. While the listening connection is
 *   down, nothing is held: every current key is read from the table until it listens again.
 *
 * The key bytes are set to NULL in the destroying UPDATE; PostgreSQL keeps the old row version on disk
 * until (auto)vacuum reclaims it, unreachable by any query.
 */
export class PostgresKeyStore implements KeyStore {
  private readonly current = new Map<string, DataKey>();
  /** The subjects whose current keys the next query fetches or creates, and the promise its callers wait for. */
  private batch?: { readonly subjects: Set<string>; readonly done: Promise<Map<string, DataKey>> };
  private reads?: { readonly wanted: Map<string, { subjectId: string; version: number }>; readonly done: Promise<Map<string, DataKey>> };
  private listener?: PoolClient;
  /** Counts the destroys heard (and made): a fetch that overlaps one holds none of its answers. */
  private destroysSeen = 0;
  private relisten?: NodeJS.Timeout;
  private closed = false;
  private readonly log: (message: string) => void;

  private constructor(
    private readonly pool: Pool,
    private readonly options: PostgresKeyStoreOptions,
  ) {
    this.log = options.log ?? ((message) => console.warn(message));
  }

  /** The store's migrations (area `keys`). */
  static readonly MIGRATIONS_FOLDER = join(__dirname, 'postgres-migrations');

  /** Applies the store's migrations, starts listening for destroys of other instances, and answers the store. */
  static async open(pool: Pool, options: PostgresKeyStoreOptions = {}): Promise<PostgresKeyStore> {
    await runMigrations(pool, 'keys', migrationsIn(PostgresKeyStore.MIGRATIONS_FOLDER));
    const store = new PostgresKeyStore(pool, options);
    await store.listen();
    return store;
  }

  async currentKey(subjectId: string): Promise<DataKey> {
    const known = this.current.get(subjectId);
    if (known) return known;
    const key = (await this.fetchCurrent([subjectId])).get(subjectId);
    if (!key) throw new Error(`no current data key for ${subjectId}`);
    return key;
  }

  /**
   * Fetches the current keys of every subject asked for in this turn of the event loop, creating the
   * missing ones, in one statement (so one round trip and one commit): a new key is durable before any
   * event encrypted with it is.
   */
  async prepareKeys(subjectIds: readonly string[]): Promise<void> {
    const missing = subjectIds.filter((subject) => !this.current.has(subject));
    if (missing.length > 0) await this.fetchCurrent(missing);
  }

  private fetchCurrent(subjects: readonly string[]): Promise<Map<string, DataKey>> {
    if (!this.batch) {
      const batched = new Set<string>();
      const done = new Promise<Map<string, DataKey>>((resolve, reject) => {
        setImmediate(() => {
          this.batch = undefined;
          this.ensureCurrent([...batched]).then(resolve, reject);
        });
      });
      this.batch = { subjects: batched, done };
    }
    for (const subject of subjects) this.batch.subjects.add(subject);
    return this.batch.done;
  }

  private async ensureCurrent(subjects: string[]): Promise<Map<string, DataKey>> {
    const destroysBefore = this.destroysSeen;
    const found = new Map<string, DataKey>();
    let pending = subjects;
    // A key another instance creates at the same moment wins over ours (one live key per subject);
    // the statement's snapshot does not show it yet, so those subjects are asked again.
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 5) throw new Error(`could not settle the current data keys of ${pending.join(', ')}`);
      const rows = await this.pool.query<KeyRow>(CURRENT_KEYS_SQL, [pending, pending.map(() => randomBytes(32))]);
      for (const row of rows.rows) found.set(row.subject_id, { subjectId: row.subject_id, version: row.version, key: row.key! });
      pending = pending.filter((subject) => !found.has(subject));
    }
    // Held only when no destroy was heard meanwhile: its notification may have come before this answer.
    if (this.listener && this.destroysSeen === destroysBefore) {
      if (this.current.size + found.size > CURRENT_KEYS_HELD) this.current.clear();
      for (const [subject, key] of found) this.current.set(subject, key);
    }
    return found;
  }

  key(subjectId: string, version: number): Promise<DataKey | undefined> {
    if (!this.reads) {
      const wanted = new Map<string, { subjectId: string; version: number }>();
      const done = new Promise<Map<string, DataKey>>((resolve, reject) => {
        setImmediate(() => {
          this.reads = undefined;
          this.readKeys([...wanted.values()]).then(resolve, reject);
        });
      });
      this.reads = { wanted, done };
    }
    const id = `${version}:${subjectId}`;
    this.reads.wanted.set(id, { subjectId, version });
    return this.reads.done.then((keys) => keys.get(id));
  }

  private async readKeys(wanted: { subjectId: string; version: number }[]): Promise<Map<string, DataKey>> {
    const rows = await this.pool.query<KeyRow>(
      `SELECT d.subject_id, d.version, d.key FROM data_keys d
        JOIN unnest($1::text[], $2::int[]) AS w(subject_id, version) USING (subject_id, version)
       WHERE d.key IS NOT NULL`,
      [wanted.map((w) => w.subjectId), wanted.map((w) => w.version)],
    );
    return new Map(rows.rows.map((row) => [`${row.version}:${row.subject_id}`, { subjectId: row.subject_id, version: row.version, key: row.key! }]));
  }

  /** Destroys the subject's live keys and tells every instance, in one transaction. */
  async destroy(subjectId: string): Promise<number> {
    this.destroysSeen++;
    this.current.delete(subjectId);
    const result = await this.pool.query<{ destroyed: number }>(
      `WITH destroyed AS (
         UPDATE data_keys SET key = NULL, destroyed_at = now() WHERE subject_id = $1 AND key IS NOT NULL RETURNING version)
       SELECT count(*)::int AS destroyed, pg_notify('${DESTROYED_CHANNEL}', $1) FROM destroyed`,
      [subjectId],
    );
    this.destroysSeen++;
    this.current.delete(subjectId);
    return result.rows[0].destroyed;
  }

  async isErased(subjectId: string): Promise<boolean> {
    const result = await this.pool.query<{ destroyed: number; live: number }>(
      `SELECT count(*) FILTER (WHERE key IS NULL)::int AS destroyed, count(*) FILTER (WHERE key IS NOT NULL)::int AS live
         FROM data_keys WHERE subject_id = $1`,
      [subjectId],
    );
    const { destroyed, live } = result.rows[0];
    return destroyed > 0 && live === 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.relisten);
    this.current.clear();
    const listener = this.listener;
    this.listener = undefined;
    if (listener) {
      await listener.query(`UNLISTEN ${DESTROYED_CHANNEL}`).catch(() => undefined);
      listener.release();
    }
    if (this.options.closePool) await this.pool.end().catch(() => undefined);
  }

  /** Holds one connection of the pool to hear the destroys of other instances. */
  private async listen(): Promise<void> {
    const client = await this.pool.connect();
    client.on('notification', (message: Notification) => {
      if (message.channel !== DESTROYED_CHANNEL || !message.payload) return;
      this.destroysSeen++;
      this.current.delete(message.payload);
    });
    client.on('error', (error: Error) => this.lost(client, error));
    try {
      await client.query(`LISTEN ${DESTROYED_CHANNEL}`);
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    if (this.closed) client.release();
    else this.listener = client;
  }

  private lost(client: PoolClient, error: Error): void {
    if (this.listener !== client) return;
    // Nothing held from now on: without notifications a held key could outlive its erasure.
    this.listener = undefined;
    this.current.clear();
    client.release(error);
    this.log(`key store: not hearing erasures (${error.message}); current keys are read from PostgreSQL until it listens again`);
    this.listenAgain();
  }

  private listenAgain(): void {
    if (this.closed) return;
    this.relisten = setTimeout(() => {
      this.listen().catch((error: Error) => {
        this.log(`key store: cannot listen for erasures yet (${error.message})`);
        this.listenAgain();
      });
    }, RELISTEN_MS);
    this.relisten.unref();
  }
}

/**
 * The live key of each subject of $1, creating it (with the bytes of $2, at the version after the
 * subject's last, tombstones included) where there is none. A key another transaction creates at the
 * same moment makes ours a conflict that does nothing; that subject is missing from the answer.
 */
const CURRENT_KEYS_SQL = `
  WITH wanted AS (SELECT * FROM unnest($1::text[], $2::bytea[]) AS w(subject_id, key)),
  live AS (SELECT d.subject_id, d.version, d.key FROM data_keys d JOIN wanted USING (subject_id) WHERE d.key IS NOT NULL),
  created AS (
    INSERT INTO data_keys (subject_id, version, key)
    SELECT w.subject_id, coalesce((SELECT max(d.version) FROM data_keys d WHERE d.subject_id = w.subject_id), 0) + 1, w.key
      FROM wanted w WHERE NOT EXISTS (SELECT 1 FROM live WHERE live.subject_id = w.subject_id)
    ON CONFLICT DO NOTHING
    RETURNING subject_id, version, key)
  SELECT * FROM live UNION ALL SELECT * FROM created`;
