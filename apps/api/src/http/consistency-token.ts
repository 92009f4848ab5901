import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidCommandError } from '@lead-lifecycle/domain';
import {
  ensurePrivateDir,
  fleetSecret,
  type GlobalPosition,
  openOnOwnPool,
  positionFromString,
  type PostgresConfig,
  positionToString,
  writePrivateFileOnce,
} from '@lead-lifecycle/eventing';

/** Injection token of the {@link ConsistencyTokens} of the application. */
export const CONSISTENCY_TOKENS = Symbol('CONSISTENCY_TOKENS');

/** The file in DATA_DIR that holds the token key (32 random bytes, hex), mode 0600. */
export const CONSISTENCY_KEY_FILE = 'consistency-token.key';

/** The name of the key in the fleet's `fleet_secrets` table (DATABASE_URL). */
export const CONSISTENCY_KEY_SECRET = 'consistency-token-key';

const PREFIX = 'ct1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** What a token looks like: the prefix and base64url; the contents are sealed. */
export const CONSISTENCY_TOKEN_PATTERN = '^ct1\\.[A-Za-z0-9_-]{20,200}$';
const TOKEN = new RegExp(CONSISTENCY_TOKEN_PATTERN);

/**
 * Opaque consistency tokens instead of raw global positions: a command answers one, a read passes it as
 * `minPosition` to wait for its own writes. A token is the position sealed with AES-256-GCM under a key of
 * the data folder (of the fleet, in PostgreSQL, with DATABASE_URL), bound to the tenant as additional data: it reveals nothing of the store's global write
 * volume, and a token of another tenant (or a forged or altered one) does not open and is refused (400).
 */
export class ConsistencyTokens {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the consistency-token key must be 32 bytes');
  }

  /** Reads the key from DATA_DIR/consistency-token.key, creating it (0600, folder 0700) on the first start. */
  static inDataDir(dataDir: string): ConsistencyTokens {
    const file = join(dataDir, CONSISTENCY_KEY_FILE);
    ensurePrivateDir(dataDir);
    writePrivateFileOnce(file, `${randomBytes(32).toString('hex')}\n`);
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${file} does not hold a consistency-token key; remove it to generate a new one`);
    return new ConsistencyTokens(Buffer.from(hex, 'hex'));
  }

  /**
   * The key of the application: with DATABASE_URL, the fleet's one key in PostgreSQL (made by the first
   * instance), so a token answered by one instance opens on every other one, behind a load balancer;
   * without it, the data folder's key.
   */
  static async of(dataDir: string, postgres: Pick<PostgresConfig, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>): Promise<ConsistencyTokens> {
    if (!postgres.DATABASE_URL) return ConsistencyTokens.inDataDir(dataDir);
    // Read once at start: a pool of its own, ended when the key is known.
    const hex = await openOnOwnPool(postgres, 'lead-lifecycle consistency tokens', async (pool) => {
      try {
        return await fleetSecret(pool, CONSISTENCY_KEY_SECRET, () => randomBytes(32).toString('hex'));
      } finally {
        await pool.end();
      }
    });
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`fleet_secrets ${CONSISTENCY_KEY_SECRET} does not hold a consistency-token key`);
    return new ConsistencyTokens(Buffer.from(hex, 'hex'));
  }

  issue(tenantId: string, position: GlobalPosition): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(tenantId, 'utf8'));
    const sealed = Buffer.concat([cipher.update(positionToString(position), 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** The position of a token issued to `tenantId`; 400 INVALID_COMMAND naming `minPosition` otherwise. */
  read(tenantId: string, token: string): GlobalPosition {
    const refuse = () => new InvalidCommandError([{ field: 'minPosition', reason: 'must be a consistency token answered by a command of this tenant' }]);
    if (!TOKEN.test(token)) throw refuse();
    const bytes = Buffer.from(token.slice(PREFIX.length), 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) throw refuse();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(tenantId, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      return positionFromString(text);
    } catch {
      throw refuse();
    }
  }
}
