import 'reflect-metadata';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  type CloudEventMessage,
  decodeLifecycleMessage,
  type LifecycleMessage,
  LifecycleMessageError,
  LifecycleMessageErrorCode,
  type ReceivedKafkaMessage,
  toCloudEventMessage,
} from '@lead-lifecycle/domain';
import { EVENT_STORE, type EventStore, positionToString, type StoredEvent } from '@lead-lifecycle/eventing';
import { CrmService } from '../src/crm.service';
import { type HostUser } from '../src/host-authenticator';
import { PARTNER_WEBINAR } from '../src/host-lifecycle.rules';
import { HostModule } from '../src/host.module';

/**
 * A consumer of the engine's Kafka topic with the domain package's typed decoder. No broker runs where
 * these tests run, so the messages are the relay's own: the engine's stored events through the packaged
 * toCloudEventMessage (the function the relay publishes with), delivered as kafkajs delivers them
 * (Buffers). The repository's integration suite runs the same decoder against a real broker.
 */
const NOW = '2026-03-02T10:00:00.000Z';
const USERS = new Map<string, HostUser>([['t-alice', { id: 'alice', name: 'Alice', workspace: 'acme', roles: ['sales', 'viewer'] }]]);

/** The relay's message for a stored event, as a Kafka consumer receives it. */
function asDelivered(event: StoredEvent): ReceivedKafkaMessage {
  const message: CloudEventMessage = toCloudEventMessage({ ...event, position: positionToString(event.position) }, '/host');
  return {
    key: Buffer.from(message.key),
    value: Buffer.from(message.value),
    headers: Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [name, Buffer.from(value)])),
  };
}

/** What a host does with a consumed message: typed by `type`, no casts. */
function describeMessage(message: LifecycleMessage): string {
  switch (message.type) {
    case 'LeadCaptured':
      return `captured ${message.data.contact.email ?? '?'} in ${message.tenantId}`;
    case 'EngagementRecorded':
      return `activity ${message.data.activityType}`;
    case 'ScoreChanged':
      return `score ${message.data.current.total}`;
    default:
      return message.type;
  }
}

void describe('a typed consumer of the engine’s events (decodeLifecycleMessage)', () => {
  let dataDir: string;
  let app: INestApplicationContext;
  let published: StoredEvent[];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-host-kafka-'));
    app = await NestFactory.createApplicationContext(HostModule.forRoot({ dataDir, users: USERS, clock: { now: () => new Date(NOW) } }), { logger: ['error', 'warn'] });
    const crm = app.get(CrmService);
    const { leadId } = await crm.captureLead('t-alice', {
      contact: { email: 'dana@example.org', firstName: 'Dana' },
      jobTitle: 'Staff Platform Engineer',
      source: { channel: 'partner', campaign: 'kubecon' },
      occurredAt: NOW,
    });
    await crm.recordActivity('t-alice', leadId, PARTNER_WEBINAR, NOW);
    // The relay publishes the lead, opportunity and team streams.
    published = (await app.get<EventStore>(EVENT_STORE).readAll()).filter((event) => /^(lead|opportunity|team)-/.test(event.streamId));
  });

  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void it('decodes every relay message into the stored event, typed by its type', () => {
    assert.ok(published.length >= 4, `only ${published.length} events`);
    const lines = published.map((event) => {
      const message = decodeLifecycleMessage(asDelivered(event));
      assert.equal(message.id, event.eventId);
      assert.equal(message.type, event.type);
      assert.equal(message.schemaVersion, event.schemaVersion);
      assert.deepEqual(message.data, event.data);
      assert.equal(message.streamRevision, event.revision);
      return describeMessage(message);
    });
    assert.ok(lines.includes('captured dana@example.org in acme'), lines.join('; '));
    assert.ok(lines.includes(`activity ${PARTNER_WEBINAR}`), lines.join('; '));
  });

  void it('upcasts a message an older release published (LeadAssigned v1) to today’s version', () => {
    const v1: StoredEvent = { ...published[0], type: 'LeadAssigned', schemaVersion: 1, data: { leadId: 'l-old', ownerId: 'rep-1', occurredAt: NOW } };
    const message = decodeLifecycleMessage(asDelivered(v1));
    assert.equal(message.type, 'LeadAssigned');
    assert.equal(message.writtenSchemaVersion, 1);
    assert.equal(message.schemaVersion, 2);
    if (message.type === 'LeadAssigned') assert.equal(message.data.reason, 'manual');
  });

  void it('refuses another producer’s message and an unknown event with a typed error', () => {
    const foreign = { value: Buffer.from('{}'), headers: { ce_specversion: Buffer.from('1.0'), ce_type: Buffer.from('com.example.invoice.paid') } };
    assert.throws(() => decodeLifecycleMessage(foreign), (error: unknown) => error instanceof LifecycleMessageError && error.code === LifecycleMessageErrorCode.NotALifecycleEvent);
    const newer = asDelivered({ ...published[0], type: 'LeadTeleported' });
    assert.throws(() => decodeLifecycleMessage(newer), (error: unknown) => error instanceof LifecycleMessageError && error.code === LifecycleMessageErrorCode.UnknownType);
  });

  void it('finds the JSON Schema each message names in the installed domain package', () => {
    for (const event of published) {
      const file = require.resolve(`@lead-lifecycle/domain/schemas/events/${event.type}.v${event.schemaVersion}.json`);
      assert.ok(existsSync(file), file);
      const schema = JSON.parse(readFileSync(file, 'utf8')) as { description?: string };
      assert.match(schema.description ?? '', new RegExp(`lead-lifecycle\\.${event.type}\\.v${event.schemaVersion}`));
    }
  });
});
