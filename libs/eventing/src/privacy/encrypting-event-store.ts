import { mapSubscription } from '../map-subscription';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  GlobalPosition,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port';
import { type ContactCipher, isEncrypted } from './contact-cipher';
import { STORED_FORM } from '../integrity/stored-form';
import { InvalidEventError, plainJsonProblem, validateAppend } from '../event-validation';

/** How deep a contact may nest for the plaintext check (the store's own depth limit applies to the encrypted form). */
const CONTACT_MAX_DEPTH = 256;

/**
 * Encrypts the `contact` object of every event payload with the key of its lead before it reaches the
 * log, and decrypts it on every read. Once a lead's key is destroyed, every read, replay, export and
 * Kafka message shows `{ erased: true }` instead, while the rest of the event and its hash stay intact.
 */
export class EncryptingEventStore implements EventStore {
  /** The events as stored (personal data encrypted), which is what the hash chain covers. */
  readonly [STORED_FORM] = (): EventStore => this.inner;

  constructor(
    private readonly inner: EventStore,
    private readonly cipher: ContactCipher,
  ) {}

  appendToStream(streamId: string, events: readonly NewEvent[], expectedRevision?: ExpectedRevision): Promise<AppendResult> {
    return this.inner.appendToStream(streamId, events.map((e) => this.encrypt(e)), expectedRevision);
  }

  /** Checks the events as they would reach the log: with a stand-in of the encrypted contact, of its size. */
  validateAppend(streamId: string, events: readonly NewEvent[]): void {
    const encrypted = events.map((event, index) => {
      // The store sees the contact encrypted only: its plaintext must read back as written, too.
      const contact = event.data.contact;
      const problem = contact === undefined ? undefined : plainJsonProblem(contact, 'data.contact', CONTACT_MAX_DEPTH);
      if (problem) throw new InvalidEventError(streamId, [{ kind: 'content', index, ...problem }]);
      try {
        return this.encrypt(event, (subject, contact) => this.cipher.placeholder(subject, contact));
      } catch (error) {
        throw new InvalidEventError(streamId, [{ kind: 'content', index, path: 'data.contact', reason: `cannot be encrypted: ${(error as Error).message}` }]);
      }
    });
    validateAppend(this.inner, streamId, encrypted);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return (await this.inner.readStream(streamId, options)).map((e) => this.decrypt(e));
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    return (await this.inner.readAll(options)).map((e) => this.decrypt(e));
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    return mapSubscription(this.inner.subscribeToAll(options), (e) => this.decrypt(e));
  }

  headPosition(): Promise<GlobalPosition> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private encrypt(event: NewEvent, seal: (subject: string, contact: unknown) => unknown = (s, c) => this.cipher.encrypt(s, c)): NewEvent {
    const data = event.data;
    const subject = data.leadId;
    if (!data.contact || typeof subject !== 'string' || isEncrypted(data.contact)) return event;
    return { ...event, data: { ...data, contact: seal(subject, data.contact) } };
  }

  private decrypt(event: StoredEvent): StoredEvent {
    const contact = event.data.contact;
    if (!isEncrypted(contact)) return event;
    return { ...event, data: { ...event.data, contact: this.cipher.decrypt(contact) } };
  }
}
