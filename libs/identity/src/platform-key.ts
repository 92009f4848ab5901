import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreatedApiKey } from './api-key';
import type { ApiKeyStore } from './api-key.store';
import { ensurePrivateDir, writePrivateFileOnce } from '@lead-lifecycle/eventing';

/** Generated platform keys carry their own prefix, so a leaked one is recognisable as such. */
export const PLATFORM_KEY_PREFIX = 'llp_';
export const PLATFORM_KEY_FILE = 'admin-api-key';
/** The shortest ADMIN_API_KEY accepted: anything shorter could be guessed. */
export const PLATFORM_KEY_MIN_LENGTH = 32;

/** The platform key: manages API keys of every tenant and reads nothing else. Kept only as a hash in memory. */
export class PlatformKey {
  private readonly hash: Buffer;

  constructor(key: string) {
    if (key.length < PLATFORM_KEY_MIN_LENGTH) throw new Error(`the platform key must have at least ${PLATFORM_KEY_MIN_LENGTH} characters`);
    this.hash = digest(key);
  }

  /** Constant-time comparison (both sides hashed first, so lengths do not leak either). */
  matches(token: string): boolean {
    return timingSafeEqual(digest(token), this.hash);
  }
}

export interface PlatformKeySetup {
  readonly platformKey: PlatformKey;
  /** Where the key came from: ADMIN_API_KEY, the file of an earlier start, or generated now. */
  readonly source: 'environment' | 'file' | 'generated';
  /** On the first start only: the keys to print, once. */
  readonly firstStart?: { readonly platformKey: string; readonly platformKeyFile: string; readonly defaultAdminKey: CreatedApiKey };
}

export interface PlatformKeyOptions {
  readonly dataDir: string;
  /** ADMIN_API_KEY, when set. */
  readonly adminApiKey?: string;
  readonly store: ApiKeyStore;
  readonly now: Date;
  /** Tenant of the admin key made on the first start. */
  readonly defaultTenant?: string;
}

/**
 * Settles the platform key at start-up. ADMIN_API_KEY wins; else the key written by an earlier start is
 * read from DATA_DIR/admin-api-key; else this is the first start: a key is generated and written there
 * (0600, folder 0700) and an `admin` key for the default tenant is created, both returned to print once.
 * The file is written before the admin key exists, so a crash in between leaves no key nobody has seen.
 */
export async function ensurePlatformKey(options: PlatformKeyOptions): Promise<PlatformKeySetup> {
  if (options.adminApiKey !== undefined) return { platformKey: new PlatformKey(options.adminApiKey), source: 'environment' };
  const file = join(options.dataDir, PLATFORM_KEY_FILE);
  const existing = readKeyFile(file);
  if (existing !== undefined) return { platformKey: new PlatformKey(existing), source: 'file' };
  ensurePrivateDir(options.dataDir);
  const generated = `${PLATFORM_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  // Another process may have won the race: then its key is the one.
  if (!writePrivateFileOnce(file, `${generated}\n`)) return { platformKey: new PlatformKey(readKeyFile(file)!), source: 'file' };
  const defaultAdminKey = await options.store.create({ tenantId: options.defaultTenant ?? 'default', roles: ['admin'], name: 'first-start admin' }, options.now);
  return { platformKey: new PlatformKey(generated), source: 'generated', firstStart: { platformKey: generated, platformKeyFile: file, defaultAdminKey } };
}

/** The lines a first start prints, once: the platform key and the default tenant's admin key. */
export function firstStartMessage(setup: PlatformKeySetup, baseUrl = 'http://localhost:3000'): string[] {
  if (!setup.firstStart) return [];
  const { platformKey, platformKeyFile, defaultAdminKey } = setup.firstStart;
  return [
    'First start: credentials were created. They are shown this once; store them now.',
    `  platform key (manages API keys, reads nothing; also in ${platformKeyFile}, mode 0600):`,
    `    ${platformKey}`,
    `  admin key of tenant "${defaultAdminKey.tenantId}" (key id ${defaultAdminKey.keyId}):`,
    `    ${defaultAdminKey.key}`,
    `  try: curl -H "Authorization: Bearer ${defaultAdminKey.key}" ${baseUrl}/v1/leads`,
  ];
}

function readKeyFile(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const key = text.trim();
  if (key.length < PLATFORM_KEY_MIN_LENGTH) throw new Error(`${file} does not hold a platform key; remove it to generate a new one, or set ADMIN_API_KEY`);
  return key;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
