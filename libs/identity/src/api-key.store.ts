import type { ApiKeyRecord, ApiKeyVerification, CreatedApiKey, NewApiKey } from './api-key';

/**
 * Where API keys live. Implementations keep only a hash of each secret, make revocation effective for the
 * very next request (on every instance that shares the store), and record the last use cheaply.
 * Asynchronous, so that the keys can live on a server the instances of a fleet share.
 */
export interface ApiKeyStore {
  /** Validates and stores a new key; throws InvalidCommandError with every problem. The key is in the answer only. */
  create(input: NewApiKey, now: Date): Promise<CreatedApiKey>;
  /** The key's record when it is well formed, known, not expired and not revoked at `now`; else why not. */
  verify(key: string, now: Date): Promise<ApiKeyVerification>;
  /** Keys without their secrets, of one tenant or all, oldest first. */
  list(tenantId?: string): Promise<ApiKeyRecord[]>;
  /** One key by id, undefined when unknown. */
  get(keyId: string): Promise<ApiKeyRecord | undefined>;
  /** Revokes the key at `now`; false when it is unknown. Revoking a revoked key keeps the first time. */
  revoke(keyId: string, now: Date): Promise<boolean>;
  close(): void | Promise<void>;
}
