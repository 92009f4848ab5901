import { DelegatingEventStore } from '../delegating-event-store';
import { mapSubscription } from '../map-subscription';
import {
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port';
import { type ContactCipher, isEncrypted } from './contact-cipher';
import { ERASED_PERSONAL_DATA, type PersonalDataPolicy, PersonalDataRules } from './personal-data-policy';
import { InvalidEventError, plainJsonProblem, validateAppend } from '../event-validation';

/** How deep a personal-data field may nest for the plaintext check (the store's own depth limit applies to the encrypted form). */
const PERSONAL_DATA_MAX_DEPTH = 256;

type Seal = (subject: string, plaintext: unknown) => unknown;

/**
 * Encrypts the personal data of every event payload, as the policy names it, with the key of its data
 * subject before it reaches the log, and decrypts it on every read. Once a subject's keys are
 * destroyed, every read, replay, export and Kafka message shows the rule's erased form instead (by
 * default `{ erased: true }`), while the rest of the event and its hash stay intact. A reader that asks
 * for `personalData: 'sealed'` gets the fields as stored, encrypted, and the key store is not touched.
 */
export class EncryptingEventStore extends DelegatingEventStore {
  private readonly rules: PersonalDataRules;

  /** `inner` holds the events as stored (personal data encrypted), which is what the hash chain covers. */
  constructor(
    inner: EventStore,
    private readonly cipher: ContactCipher,
    policy: PersonalDataPolicy,
  ) {
    super(inner);
    this.rules = new PersonalDataRules(policy);
  }

  override async appendToStream(streamId: string, events: readonly NewEvent[], expectedRevision?: ExpectedRevision): Promise<AppendResult> {
    const keys = await this.cipher.prepare(this.subjectsToSeal(events));
    const seal: Seal = (subject, plaintext) => {
      const key = keys.get(subject);
      if (!key) throw new Error(`no data key was prepared for ${subject}`);
      return this.cipher.encrypt(key, plaintext);
    };
    return this.inner.appendToStream(streamId, events.map((e) => this.encrypt(e, seal)), expectedRevision);
  }

  /** Checks the events as they would reach the log: with a stand-in of each encrypted field, of its size. */
  override validateAppend(streamId: string, events: readonly NewEvent[]): void {
    const encrypted = events.map((event, index) => {
      let path = 'data';
      try {
        return this.encrypt(event, (subject, plaintext) => this.cipher.placeholder(subject, plaintext), (field, plaintext) => {
          path = `data.${field}`;
          // The store sees the field encrypted only: its plaintext must read back as written, too.
          const problem = plainJsonProblem(plaintext, path, PERSONAL_DATA_MAX_DEPTH);
          if (problem) throw new InvalidEventError(streamId, [{ kind: 'content', index, ...problem }]);
        });
      } catch (error) {
        if (error instanceof InvalidEventError) throw error;
        throw new InvalidEventError(streamId, [{ kind: 'content', index, path, reason: `cannot be encrypted: ${(error as Error).message}` }]);
      }
    });
    validateAppend(this.inner, streamId, encrypted);
  }

  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return Promise.all((await this.inner.readStream(streamId, options)).map((e) => this.decrypt(e)));
  }

  override async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    const events = await this.inner.readAll(options);
    // All at once: a key store on a server answers the keys of one page in one round trip.
    return options?.personalData === 'sealed' ? events : Promise.all(events.map((e) => this.decrypt(e)));
  }

  override subscribeToAll(options?: SubscribeOptions): Subscription {
    const subscription = this.inner.subscribeToAll(options);
    return options?.personalData === 'sealed' ? subscription : mapSubscription(subscription, (e) => this.decrypt(e));
  }

  /** The data subjects whose personal data these events carry in plaintext. */
  private subjectsToSeal(events: readonly NewEvent[]): string[] {
    const subjects = new Set<string>();
    for (const event of events) {
      for (const rule of this.rules.of(event.type)) {
        const subject = event.data[rule.subjectField];
        if (typeof subject !== 'string') continue;
        if (rule.fields.some((field) => event.data[field] && !isEncrypted(event.data[field]))) subjects.add(subject);
      }
    }
    return [...subjects];
  }

  private encrypt(event: NewEvent, seal: Seal, check?: (field: string, plaintext: unknown) => void): NewEvent {
    const rules = this.rules.of(event.type);
    if (rules.length === 0) return event;
    const data = event.data;
    let sealed: Record<string, unknown> | undefined;
    for (const rule of rules) {
      const subject = data[rule.subjectField];
      if (typeof subject !== 'string') continue;
      for (const field of rule.fields) {
        const plaintext = data[field];
        if (!plaintext || isEncrypted(plaintext)) continue;
        check?.(field, plaintext);
        sealed ??= { ...data };
        sealed[field] = seal(subject, plaintext);
      }
    }
    return sealed ? { ...event, data: sealed } : event;
  }

  private async decrypt(event: StoredEvent): Promise<StoredEvent> {
    const rules = this.rules.of(event.type);
    if (rules.length === 0) return event;
    const opening: Promise<readonly [string, unknown]>[] = [];
    for (const rule of rules) {
      for (const field of rule.fields) {
        const value = event.data[field];
        if (!isEncrypted(value)) continue;
        opening.push(this.cipher.decrypt(value, rule.erased ?? ERASED_PERSONAL_DATA).then((plaintext) => [field, plaintext] as const));
      }
    }
    if (opening.length === 0) return event;
    return { ...event, data: { ...event.data, ...Object.fromEntries(await Promise.all(opening)) } };
  }
}
