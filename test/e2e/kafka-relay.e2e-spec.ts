import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { CloudEvent, Kafka as CloudEventsKafka } from 'cloudevents';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { loadEventSchemas, PUBLISHED_EVENT_TYPES } from '@lead-lifecycle/kafka-relay';
import { type KafkaForTests, provideKafka } from '../support/kafka/kafka-test-broker';
import { eventually, removeDataDir, startTestApp, type TestApp } from '../support/test-app';
import { brokersForTests, type ReadMessage, TopicReader } from '../support/topic-reader';
import { LEAD_STREAM_PREFIX, OPPORTUNITY_STREAM_PREFIX } from '@lead-lifecycle/domain';

jest.setTimeout(180_000);

const allBant = { budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } };
const hotLead = (email: string) => ({
  contact: { email, firstName: 'Ada' },
  jobTitle: 'CTO',
  company: { size: 1200, industry: 'software', country: 'GB' },
  source: { channel: 'partner', campaign: 'alliances', cost: 75 },
});

/** Drives a few leads through the funnel; returns their ids. */
async function generateJourneys(t: TestApp, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const leadId = (await t.http.post('/v1/leads').send(hotLead(`${randomUUID()}@kafka.test`)).expect(201)).body.leadId;
    ids.push(leadId);
    await t.http.post(`/v1/leads/${leadId}/activities`).send({ type: 'webinar_attended' }).expect(200);
    if (i % 2 === 0) {
      await t.http.post(`/v1/leads/${leadId}/sql`).send({ bant: allBant, qualifiedBy: 'sdr' }).expect(200);
      const opp = (await t.http.post(`/v1/leads/${leadId}/opportunities`).send({ amount: 1000 + i, currency: 'EUR' }).expect(201)).body;
      await t.http.post(`/v1/opportunities/${opp.opportunityId}/stage`).send({ stage: 'proposal' }).expect(200);
      await t.http.post(`/v1/opportunities/${opp.opportunityId}/${i % 4 === 0 ? 'win' : 'lose'}`).send(i % 4 === 0 ? {} : { reason: 'price' }).expect(200);
    }
  }
  return ids;
}

/** Events the relay must publish: everything on lead and opportunity streams, in global order. */
async function expectedEvents(t: TestApp) {
  const all = await t.store.readAll({ maxCount: 100000 });
  return all.filter((e) => e.streamId.startsWith(LEAD_STREAM_PREFIX) || e.streamId.startsWith(OPPORTUNITY_STREAM_PREFIX));
}

async function createTopic(brokers: string[], topic: string, partitions: number): Promise<void> {
  const admin = new Kafka({ clientId: 'test-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  await admin.disconnect();
}

/** The events' own JSON Schemas (schemas/events), compiled once. */
const dataSchemas = (() => {
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  const compiled = new Map<string, ValidateFunction>();
  for (const [file, schema] of loadEventSchemas()) compiled.set(file, ajv.compile(schema));
  return compiled;
})();

/**
 * Reads a consumed message as an outside consumer would: with the official CloudEvents SDK's Kafka binding
 * (binary content mode), then the SDK's own spec validation (it refuses a `ce_time` that is not RFC 3339),
 * then `data` against the event type's JSON Schema. Returns the SDK's event.
 */
function parseWithCloudEventsSdk(m: ReadMessage): CloudEvent<unknown> {
  let parsed: ReturnType<typeof CloudEventsKafka.toEvent>;
  try {
    parsed = CloudEventsKafka.toEvent({ headers: m.headers, key: m.key, value: m.rawValue, body: m.rawValue } as Parameters<typeof CloudEventsKafka.toEvent>[0]);
  } catch (error) {
    throw new Error(`the CloudEvents SDK refused message ${m.headers.ce_id} (${m.headers.ce_type}, ce_time ${m.headers.ce_time}): ${(error as Error).message}`);
  }
  expect(Array.isArray(parsed)).toBe(false);
  const event = parsed as CloudEvent<unknown>;
  expect(event).toBeInstanceOf(CloudEvent);
  // The binding builds the event without validating it; validate() applies the CloudEvents 1.0 schema.
  expect(() => event.validate()).not.toThrow();
  expect(event.specversion).toBe('1.0');
  expect(event.id).toBe(m.headers.ce_id);
  expect(event.type).toBe(m.headers.ce_type);
  expect(event.datacontenttype).toBe('application/json');
  // The SDK rewrites `time` through Date#toISOString: equal only if ce_time was already UTC with milliseconds.
  expect(event.time).toBe(m.headers.ce_time);
  for (const name of Object.keys(event).filter((k) => !['data', 'data_base64'].includes(k))) expect(name).toMatch(/^[a-z0-9]{1,20}$/);
  const [, type, version] = /^lead-lifecycle\.(\w+)\.(v\d+)$/.exec(event.type) ?? [];
  const validate = dataSchemas.get(`${type}.${version}.json`);
  expect({ type: event.type, schema: validate !== undefined }).toEqual({ type: event.type, schema: true });
  expect({ type: event.type, valid: validate!(event.data), errors: validate!.errors }).toEqual({ type: event.type, valid: true, errors: null });
  return event;
}

function assertPerLeadOrder(messages: ReadMessage[]): void {
  const lastByLead = new Map<string, bigint>();
  for (const m of messages) {
    const position = BigInt(m.headers.ce_position);
    const previous = lastByLead.get(m.key);
    if (previous !== undefined) expect(position > previous).toBe(true);
    lastByLead.set(m.key, position);
  }
}

describe('Kafka relay against a real broker', () => {
  let brokers: string[];
  beforeAll(() => {
    brokers = brokersForTests();
  });

  it('publishes every lifecycle event as a CloudEvent keyed by lead that the CloudEvents SDK reads, valid against its JSON Schema, in per-lead order', async () => {
    const topic = `it-${randomUUID()}`;
    const t = await startTestApp({ env: { KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '3' } });
    const reader = new TopicReader(brokers, topic);
    try {
      const leadIds = await generateJourneys(t, 6);
      const expected = await expectedEvents(t);
      await reader.start();
      await reader.waitFor((m) => new Set(m.map((x) => x.headers.ce_id)).size >= expected.length, 60_000, 'every event on the topic');

      const messages = reader.distinct();
      expect(messages.map((m) => m.headers.ce_id).sort()).toEqual(expected.map((e) => e.eventId).sort());
      const byId = new Map(expected.map((e) => [e.eventId, e]));
      for (const m of reader.messages) {
        const event = byId.get(m.headers.ce_id)!;
        const cloudEvent = parseWithCloudEventsSdk(m);
        expect(cloudEvent).toMatchObject({
          source: '/lead-lifecycle/tenants/default',
          subject: String(event.data.leadId),
          dataschema: `urn:lead-lifecycle:event:${event.type}:v1`,
          partitionkey: String(event.data.leadId),
          position: event.position.commit.toString(),
          tenantid: 'default',
          streamid: event.streamId,
          streamrevision: event.revision.toString(),
          recordedtime: event.metadata.recordedAt,
          actor: event.metadata.actor,
          correlationid: event.metadata.correlationId,
          causationid: event.metadata.causationId,
        });
        expect(cloudEvent.data).toEqual(event.data);
        const leadId = String(event.data.leadId);
        expect(m.key).toBe(leadId);
        expect(m.headers).toMatchObject({
          ce_specversion: '1.0',
          ce_source: '/lead-lifecycle/tenants/default',
          ce_type: `lead-lifecycle.${event.type}.v1`,
          ce_subject: leadId,
          ce_time: event.metadata.occurredAt,
          'content-type': 'application/json',
          ce_position: event.position.commit.toString(),
          ce_tenantid: 'default',
          ce_streamid: event.streamId,
        });
        expect(m.value).toEqual(event.data);
      }
      // One lead's whole journey, opportunity events included, sits on one partition in order.
      for (const leadId of leadIds) expect(new Set(messages.filter((m) => m.key === leadId).map((m) => m.partition)).size).toBe(1);
      assertPerLeadOrder(messages);
      expect(new Set(messages.map((m) => m.headers.ce_type.split('.')[1]))).toEqual(
        new Set(expected.map((e) => e.type).filter((type) => PUBLISHED_EVENT_TYPES.includes(type))),
      );
      expect(messages.some((m) => m.headers.ce_type.includes('LeadIdentityReserved'))).toBe(false);

      const status = (await t.http.get('/v1/projections').expect(200)).body.processors;
      expect(status.find((p: { name: string }) => p.name === 'relay:kafka')).toMatchObject({ eventsBehind: 0, state: 'running' });
    } finally {
      await reader.stop();
      await t.close();
      removeDataDir(t.dataDir);
    }
  });

  describe('with a broker of its own that the test can cut', () => {
    let own: KafkaForTests;
    beforeAll(async () => {
      own = await provideKafka(() => undefined, { ownBroker: true });
      if (!own.available) throw new Error(`KAFKA TESTS CANNOT RUN: ${own.reason}`);
      if (!own.pause || !own.resume) throw new Error(`the ${own.mode} broker cannot be paused; this test needs the local-jars broker`);
    });
    afterAll(async () => {
      if (own?.available) await own.stop();
    });

    it('keeps commands fast while the broker is down and drains the backlog when it returns', async () => {
      if (!own.available) throw new Error('no broker');
      const topic = `down-${randomUUID()}`;
      const t = await startTestApp({ env: { KAFKA_BROKERS: own.brokers.join(','), KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '2' } });
      const reader = new TopicReader(own.brokers, topic);
      try {
        await generateJourneys(t, 1);
        await eventually(async () => (await t.http.get('/v1/projections')).body.processors.find((p: { name: string }) => p.name === 'relay:kafka').eventsBehind === 0, 30_000, 'first events relayed');

        await own.pause!();
        const started = Date.now();
        await generateJourneys(t, 4);
        const elapsed = Date.now() - started;
        // 4 journeys are ~22 commands; with a dead broker they must not wait for Kafka's timeouts.
        expect(elapsed).toBeLessThan(5000);
        const relayStatus = async () => (await t.http.get('/v1/projections')).body.processors.find((p: { name: string }) => p.name === 'relay:kafka');
        await eventually(async () => (await relayStatus()).state === 'retrying', 30_000, 'the relay to report it is retrying');
        const behind = await relayStatus();
        expect(behind.eventsBehind).toBeGreaterThan(0);
        expect(behind.lastError).toContain('Kafka did not take');

        await own.resume!();
        const expected = await expectedEvents(t);
        await reader.start();
        await reader.waitFor((m) => new Set(m.map((x) => x.headers.ce_id)).size >= expected.length, 90_000, 'the backlog');
        expect(reader.distinct().map((m) => m.headers.ce_id).sort()).toEqual(expected.map((e) => e.eventId).sort());
        assertPerLeadOrder(reader.distinct());
        for (const m of reader.messages) parseWithCloudEventsSdk(m);
      } finally {
        await reader.stop();
        await t.close();
        removeDataDir(t.dataDir);
      }
    });
  });

  it('delivers every event at least once, in per-lead order, when the relay process is killed mid-stream', async () => {
    const topic = `crash-${randomUUID()}`;
    const t = await startTestApp({ env: { KAFKA_RELAY_IN_PROCESS: 'false', KAFKA_BROKERS: brokers.join(',') } });
    const reader = new TopicReader(brokers, topic);
    const env = { ...process.env, DATA_DIR: t.dataDir, KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic, KAFKA_RELAY_BATCH_SIZE: '5', KAFKA_TOPIC_PARTITIONS: '3' };
    const startRelay = (): ChildProcess =>
      spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, '../../apps/relay/src/main.ts')], {
        env: { ...env, TS_NODE_TRANSPILE_ONLY: 'true' },
        stdio: 'ignore',
      });
    let relay: ChildProcess | undefined;
    try {
      await generateJourneys(t, 30);
      const expected = await expectedEvents(t);
      await createTopic(brokers, topic, 3);
      await reader.start();
      relay = startRelay();
      await reader.waitFor((m) => m.length >= expected.length / 4, 60_000, 'a quarter of the events before the kill');
      relay.kill('SIGKILL');
      await new Promise((r) => relay!.once('exit', r));
      const beforeRestart = new Set(reader.messages.map((m) => m.headers.ce_id)).size;
      expect(beforeRestart).toBeLessThan(expected.length);

      relay = startRelay();
      await reader.waitFor((m) => new Set(m.map((x) => x.headers.ce_id)).size >= expected.length, 90_000, 'every event after the restart');
      const distinct = reader.distinct();
      expect(distinct.map((m) => m.headers.ce_id).sort()).toEqual(expected.map((e) => e.eventId).sort());
      assertPerLeadOrder(distinct);
      // Duplicates after the restart included: every message a consumer gets must parse.
      for (const m of reader.messages) parseWithCloudEventsSdk(m);
      const duplicates = reader.messages.length - distinct.length;
      console.log(`relay crash test: ${expected.length} events, ${beforeRestart} delivered before the kill, ${duplicates} duplicates after the restart`);
      expect(duplicates).toBeGreaterThanOrEqual(0);
    } finally {
      relay?.kill('SIGKILL');
      await reader.stop();
      await t.close();
      removeDataDir(t.dataDir);
    }
  });
});
