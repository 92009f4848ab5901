import { createHash, randomUUID } from 'node:crypto';
import type { IdentityKind, LeadIdentity } from '@lead-lifecycle/domain';
import { type EventStore, type GlobalPosition, type NewEvent, WrongExpectedRevisionError } from '@lead-lifecycle/eventing';
import type { CommandContext } from './command-context';
import { assertStorable } from './storable-events';

/** Category of the streams that reserve a lead's email, phone and external id within a tenant. */
export const LEAD_IDENTITY_CATEGORY = 'lead_identity';
/** Every identity reservation's stream id starts with this: `lead_identity-<hash>`. */
export const LEAD_IDENTITY_STREAM_PREFIX = `${LEAD_IDENTITY_CATEGORY}-`;
export const LEAD_IDENTITY_RESERVED = 'LeadIdentityReserved';

export interface IdentityMatch {
  readonly leadId: string;
  readonly matchedOn: IdentityKind[];
}

export interface Reservation extends IdentityMatch {
  /** Positions of the reservations this call wrote (none when every identity was reserved already). */
  readonly positions: GlobalPosition[];
}

/**
 * Uniqueness of lead identities, kept in the event store itself: each identity owns a stream whose
 * first event names the lead, written with expected revision "no stream". Two concurrent captures of
 * the same new email race on that append and exactly one wins, on any store that honours the port.
 * Stream names hold a hash, never the email or phone itself.
 */
export class LeadIdentityRegistry {
  constructor(private readonly store: EventStore) {}

  streamIdOf(tenantId: string, identity: LeadIdentity): string {
    const digest = createHash('sha256').update(`${tenantId}\u0000${identity.kind}\u0000${identity.value}`).digest('hex');
    return `${LEAD_IDENTITY_STREAM_PREFIX}${digest.slice(0, 40)}`;
  }

  async ownerOf(tenantId: string, identity: LeadIdentity): Promise<string | undefined> {
    const [first] = await this.store.readStream(this.streamIdOf(tenantId, identity), { maxCount: 1 });
    return first ? String(first.data.leadId) : undefined;
  }

  /** The lead that already owns any of the identities (strongest identity first). */
  async find(tenantId: string, identities: readonly LeadIdentity[]): Promise<IdentityMatch | undefined> {
    const owners = await Promise.all(identities.map((identity) => this.ownerOf(tenantId, identity)));
    const leadId = owners.find((owner) => owner !== undefined);
    if (!leadId) return undefined;
    return { leadId, matchedOn: identities.filter((_, i) => owners[i] === leadId).map((i) => i.kind) };
  }

  /**
   * Reserves each identity for `leadId`. Returns the lead that owns the strongest identity afterwards:
   * `leadId` itself, or the lead of a concurrent capture that reserved it first.
   */
  async reserve(
    tenantId: string,
    identities: readonly LeadIdentity[],
    leadId: string,
    occurredAt: string,
    context: CommandContext,
  ): Promise<Reservation> {
    // All at once: the embedded store commits them together.
    const held = await Promise.all(identities.map((identity) => this.reserveOne(tenantId, identity, leadId, occurredAt, context)));
    const holders = held.map((h) => h.holder);
    const owner = holders[0] ?? leadId;
    const matchedOn = owner === leadId ? [] : identities.filter((_, i) => holders[i] === owner).map((i) => i.kind);
    return { leadId: owner, matchedOn, positions: held.flatMap((h) => (h.position ? [h.position] : [])) };
  }

  /** Runs the store's checks on the reservations `reserve` would write, writing nothing (see assertStorable). */
  assertReservable(tenantId: string, identities: readonly LeadIdentity[], leadId: string, occurredAt: string, context: CommandContext): void {
    for (const identity of identities) {
      assertStorable(this.store, this.streamIdOf(tenantId, identity), [this.reservationOf(tenantId, identity, leadId, occurredAt, context)]);
    }
  }

  private reservationOf(tenantId: string, identity: LeadIdentity, leadId: string, occurredAt: string, context: CommandContext): NewEvent {
    return {
      eventId: randomUUID(),
      type: LEAD_IDENTITY_RESERVED,
      schemaVersion: 1,
      data: { leadId, kind: identity.kind },
      metadata: {
        tenantId,
        occurredAt,
        actor: context.actor,
        correlationId: context.correlationId,
        causationId: context.causationId,
      },
    };
  }

  private async reserveOne(
    tenantId: string,
    identity: LeadIdentity,
    leadId: string,
    occurredAt: string,
    context: CommandContext,
  ): Promise<{ holder: string; position?: GlobalPosition }> {
    try {
      const result = await this.store.appendToStream(
        this.streamIdOf(tenantId, identity),
        [this.reservationOf(tenantId, identity, leadId, occurredAt, context)],
        'no_stream',
      );
      return { holder: leadId, position: result.position };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      const holder = await this.ownerOf(tenantId, identity);
      if (!holder) throw error;
      return { holder };
    }
  }
}
