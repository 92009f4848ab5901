import { join } from 'node:path';
import { openOnOwnPool } from '../postgres/open-on-own-pool';
import { PostgresConfig } from '../postgres/postgres.config';
import { type KeyStore, SqliteKeyStore } from './key-store';
import { PostgresKeyStore } from './postgres-key-store';

/** The file of the embedded key store in a data folder. */
export const KEY_STORE_FILE_NAME = 'keys.sqlite';

/**
 * The key store the settings name: with DATABASE_URL, the PostgreSQL one every instance shares (its
 * migrations applied first, on a pool of its own that it closes), else `DATA_DIR/keys.sqlite`.
 */
export function openKeyStore(
  dataDir: string,
  postgres: Pick<PostgresConfig, 'DATABASE_URL' | 'DATABASE_POOL_MAX'> = PostgresConfig.fromEnv(),
  applicationName = 'lead-lifecycle keys',
): Promise<KeyStore> {
  if (!postgres.DATABASE_URL) return Promise.resolve(new SqliteKeyStore(join(dataDir, KEY_STORE_FILE_NAME)));
  return openOnOwnPool(postgres, applicationName, (pool) => PostgresKeyStore.open(pool, { closePool: true }));
}
