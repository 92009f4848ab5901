import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type DataKey, type KeyStore } from './key-store';
import { ERASED_PERSONAL_DATA } from './personal-data-policy';

/** How an encrypted personal-data field is stored in the event log. */
export interface EncryptedField {
  readonly $encrypted: { readonly v: 1; readonly alg: 'A256GCM'; readonly subject: string; readonly kv: number; readonly iv: string; readonly tag: string; readonly ct: string };
}

/** @deprecated The lead contact's erased form, which is the default ERASED_PERSONAL_DATA. */
export const ERASED_CONTACT = ERASED_PERSONAL_DATA;

export function isEncrypted(value: unknown): value is EncryptedField {
  return !!value && typeof value === 'object' && '$encrypted' in (value);
}

/**
 * AES-256-GCM with one key per data subject; the subject id is authenticated with the ciphertext.
 * Encrypts any JSON value (the name stays from when it sealed lead contacts only).
 */
export class ContactCipher {
  constructor(private readonly keys: KeyStore) {}

  /**
   * The current keys of these subjects, the missing ones created together where the key store can (see
   * KeyStore.prepareKeys): what `encrypt` seals an append with, so encrypting itself waits for nothing.
   */
  async prepare(subjectIds: readonly string[]): Promise<ReadonlyMap<string, DataKey>> {
    if (subjectIds.length === 0) return new Map();
    await this.keys.prepareKeys?.(subjectIds);
    const keys = await Promise.all(subjectIds.map((subject) => this.keys.currentKey(subject)));
    return new Map(keys.map((key) => [key.subjectId, key]));
  }

  /** Seals `plaintext` with the subject's key (one of `prepare`'s answer). */
  encrypt(dataKey: DataKey, plaintext: unknown): EncryptedField {
    const { subjectId, key, version } = dataKey;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(subjectId));
    const ct = Buffer.concat([cipher.update(JSON.stringify(plaintext), 'utf8'), cipher.final()]);
    return {
      $encrypted: { v: 1, alg: 'A256GCM', subject: subjectId, kv: version, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') },
    };
  }

  /**
   * A stand-in of the field `encrypt` would make, at least as large, without touching a key: for
   * checking an event's size before it is written. Throws when the plaintext is not JSON, as `encrypt` would.
   */
  placeholder(subjectId: string, plaintext: unknown): EncryptedField {
    const bytes = Buffer.byteLength(JSON.stringify(plaintext) ?? '');
    const base64 = (n: number) => 'A'.repeat(4 * Math.ceil(n / 3));
    return {
      $encrypted: { v: 1, alg: 'A256GCM', subject: subjectId, kv: Number.MAX_SAFE_INTEGER, iv: base64(12), tag: base64(16), ct: base64(bytes) },
    };
  }

  /** The plaintext, or `erased` when the subject's key was destroyed. */
  async decrypt(field: EncryptedField, erased: unknown = ERASED_PERSONAL_DATA): Promise<unknown> {
    const e = field.$encrypted;
    const key = await this.keys.key(e.subject, e.kv);
    if (!key) return erased;
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(e.iv, 'base64'));
    decipher.setAAD(Buffer.from(e.subject));
    decipher.setAuthTag(Buffer.from(e.tag, 'base64'));
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(e.ct, 'base64')), decipher.final()]).toString('utf8'));
  }
}
