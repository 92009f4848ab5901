import { join } from 'node:path';
import { openOnOwnPool, type PostgresConfig } from '@lead-lifecycle/eventing';
import type { ApiKeyStore } from './api-key.store';
import { IDENTITY_DB_FILE_NAME } from './identity-files';
import { PostgresApiKeyStore } from './postgres-api-key.store';
import { SqliteApiKeyStore } from './sqlite-api-key.store';

/**
 * The API key store the settings name: with DATABASE_URL, the PostgreSQL one every instance shares (its
 * migrations applied first, on a pool of its own that it closes), else `DATA_DIR/identity.sqlite`.
 */
export function openApiKeyStore(
  dataDir: string,
  postgres: Pick<PostgresConfig, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>,
  applicationName = 'lead-lifecycle api-keys',
): Promise<ApiKeyStore> {
  if (!postgres.DATABASE_URL) return Promise.resolve(new SqliteApiKeyStore(join(dataDir, IDENTITY_DB_FILE_NAME)));
  return openOnOwnPool(postgres, applicationName, (pool) => PostgresApiKeyStore.open(pool, { closePool: true }));
}
