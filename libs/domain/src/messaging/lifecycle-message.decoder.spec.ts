import { type CloudEventMessage, type ReceivedKafkaMessage } from './cloud-event-message';
import { toCloudEventMessage, type PublishableEvent } from './cloud-event.encoder';
import { decodeLifecycleMessage } from './lifecycle-message.decoder';
import { LifecycleMessageError, LifecycleMessageErrorCode } from './lifecycle-message.errors';

const metadata = {
  tenantId: 'acme',
  occurredAt: '2026-03-02T10:00:00.000Z',
  recordedAt: '2026-03-02T10:00:01.000Z',
  actor: 'user:alice',
  correlationId: 'corr-1',
  causationId: 'cause-1',
};

const event = (over: Partial<PublishableEvent>): PublishableEvent => ({
  eventId: '0f7c1d2e-0000-4000-8000-000000000001',
  type: 'LeadAssigned',
  schemaVersion: 2,
  streamId: 'lead-l1',
  revision: 3n,
  position: '42',
  data: { leadId: 'l1', ownerId: 'rep-1', reason: 'routing', occurredAt: metadata.occurredAt },
  metadata,
  ...over,
});

/** The message as kafkajs delivers it: every header and the value as Buffers. */
const received = (message: CloudEventMessage): ReceivedKafkaMessage => ({
  key: Buffer.from(message.key),
  value: Buffer.from(message.value),
  headers: Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [name, Buffer.from(value)])),
});

const codeOf = (run: () => unknown): LifecycleMessageErrorCode | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof LifecycleMessageError) return error.code;
    throw error;
  }
  return undefined;
};

describe('decodeLifecycleMessage', () => {
  it('reads what the relay writes: the typed event, narrowed by type, with its CloudEvents attributes', () => {
    const message = decodeLifecycleMessage(received(toCloudEventMessage(event({}), '/crm')));
    expect(message).toMatchObject({
      id: '0f7c1d2e-0000-4000-8000-000000000001',
      source: '/crm/tenants/acme',
      subject: 'l1',
      time: metadata.occurredAt,
      recordedTime: metadata.recordedAt,
      tenantId: 'acme',
      streamId: 'lead-l1',
      streamRevision: 3n,
      position: '42',
      actor: 'user:alice',
      correlationId: 'corr-1',
      causationId: 'cause-1',
      schemaVersion: 2,
      writtenSchemaVersion: 2,
    });
    if (message.type !== 'LeadAssigned') throw new Error(`decoded as ${message.type}`);
    // Narrowed: the payload is LeadAssigned's.
    const reason: string = message.data.reason;
    expect(reason).toBe('routing');
  });

  it('accepts string headers and value as well as Buffers', () => {
    const written = toCloudEventMessage(event({}), '/crm');
    expect(decodeLifecycleMessage({ value: written.value, headers: written.headers }).type).toBe('LeadAssigned');
  });

  it('upcasts an older schema version with the engine’s upcasters: LeadAssigned v1 becomes v2, a manual assignment', () => {
    const v1 = event({ schemaVersion: 1, data: { leadId: 'l1', ownerId: 'rep-1', occurredAt: '2026-03-02T11:00:00+01:00' } });
    const message = decodeLifecycleMessage(received(toCloudEventMessage(v1, '/crm')));
    expect(message.schemaVersion).toBe(2);
    expect(message.writtenSchemaVersion).toBe(1);
    expect(message.data).toEqual({ leadId: 'l1', ownerId: 'rep-1', reason: 'manual', occurredAt: '2026-03-02T10:00:00.000Z' });
  });

  it('reads opportunity and team events, team events keyed by their stream', () => {
    const team = toCloudEventMessage(
      event({ type: 'TeamCreated', schemaVersion: 1, streamId: 'team-acme.t1', data: { teamId: 't1', name: 'EMEA', occurredAt: metadata.occurredAt } }),
      '/crm',
    );
    expect(team.key).toBe('team-acme.t1');
    expect(decodeLifecycleMessage(received(team)).type).toBe('TeamCreated');
    const won = toCloudEventMessage(
      event({ type: 'OpportunityWon', schemaVersion: 1, streamId: 'opportunity-o1', data: { opportunityId: 'o1', leadId: 'l1', occurredAt: metadata.occurredAt } }),
      '/crm',
    );
    expect(decodeLifecycleMessage(received(won)).type).toBe('OpportunityWon');
  });

  it('refuses another producer’s message: no ce_type, a foreign ce_type, or not CloudEvents 1.0', () => {
    const written = toCloudEventMessage(event({}), '/crm');
    expect(codeOf(() => decodeLifecycleMessage({ value: '{}' }))).toBe(LifecycleMessageErrorCode.NotALifecycleEvent);
    expect(codeOf(() => decodeLifecycleMessage({ value: '{}', headers: { ...written.headers, ce_type: 'com.example.order.created' } }))).toBe(
      LifecycleMessageErrorCode.NotALifecycleEvent,
    );
    expect(codeOf(() => decodeLifecycleMessage({ value: '{}', headers: { ...written.headers, ce_type: 'lead-lifecycle.LeadAssigned' } }))).toBe(
      LifecycleMessageErrorCode.NotALifecycleEvent,
    );
    expect(codeOf(() => decodeLifecycleMessage({ value: written.value, headers: { ...written.headers, ce_specversion: '0.3' } }))).toBe(
      LifecycleMessageErrorCode.NotALifecycleEvent,
    );
  });

  it('refuses an unknown type and a version no upcaster reaches, naming them', () => {
    const unknownType = received(toCloudEventMessage(event({ type: 'LeadTeleported', schemaVersion: 1 }), '/crm'));
    expect(codeOf(() => decodeLifecycleMessage(unknownType))).toBe(LifecycleMessageErrorCode.UnknownType);
    const newer = received(toCloudEventMessage(event({ schemaVersion: 3 }), '/crm'));
    expect(() => decodeLifecycleMessage(newer)).toThrow(expect.objectContaining({ code: LifecycleMessageErrorCode.UnknownVersion, eventType: 'LeadAssigned', schemaVersion: 3 }));
  });

  it('refuses a broken value or a missing header as malformed', () => {
    const written = toCloudEventMessage(event({}), '/crm');
    for (const value of [null, 'not json', '[1]', '"text"']) {
      expect(codeOf(() => decodeLifecycleMessage({ value, headers: written.headers }))).toBe(LifecycleMessageErrorCode.MalformedMessage);
    }
    const { ce_tenantid: _dropped, ...withoutTenant } = written.headers;
    expect(codeOf(() => decodeLifecycleMessage({ value: written.value, headers: withoutTenant }))).toBe(LifecycleMessageErrorCode.MalformedMessage);
    expect(codeOf(() => decodeLifecycleMessage({ value: written.value, headers: { ...written.headers, ce_streamrevision: '-1' } }))).toBe(
      LifecycleMessageErrorCode.MalformedMessage,
    );
  });

  it('takes the last value of a header delivered twice', () => {
    const written = toCloudEventMessage(event({}), '/crm');
    const headers = { ...written.headers, ce_id: [Buffer.from('first'), Buffer.from('second')] };
    expect(decodeLifecycleMessage({ value: written.value, headers }).id).toBe('second');
  });
});
