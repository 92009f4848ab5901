import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { DISQUALIFICATION_REASONS } from '@lead-lifecycle/domain';
import { type EventStoreDbForTests, provideEventStoreDb, warnIfNotRealEventStoreDb } from '../support/esdb/provide-eventstoredb';
import { ApiProcess } from '../support/fleet/api-process';
import { fleetEnv } from '../support/fleet/fleet-env';
import { freshDatabase, type FreshDatabase } from '../support/postgres/fresh-database';
import { brokersForTests, TopicReader } from '../support/topic-reader';

/**
 * Issue 15's fleet test: three API processes on one event store (EventStoreDB, here its protocol test
 * double unless EVENTSTORE_CONNECTION_STRING names a real one), one PostgreSQL database (leases, the
 * relay's checkpoint, API keys, data keys) and one Kafka topic, each running the relay in process under
 * the one lease. Under a mixed command load spread over the three by HTTP, the relay's holder is killed
 * with SIGKILL, then the next holder, then both are started again on their data folders. Timeouts are
 * generous (ts-node compiles each process on a shared 2-core machine); nothing asserts a duration.
 */
jest.setTimeout(600_000);

const PLATFORM_KEY = 'fleet-platform-key-0123456789abcdef0123456789';
const TENANT = 'fleet';
/** Long enough that a capture and an erasure fit between a kill and the takeover; see the erasure step. */
const LEASE_TTL_MS = 4000;
const LEADS = 36;

interface Acknowledged {
  readonly leadId: string;
  readonly revision: number;
  readonly events: readonly string[];
}

interface HistoryEvent {
  readonly eventId: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: number;
  readonly data: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a fleet of three API processes, kill -9 of the relay holder and of the next one (PostgreSQL, Kafka, EventStoreDB protocol)', () => {
  let db: FreshDatabase;
  let esdb: EventStoreDbForTests & { available: true };
  let brokers: string[];
  let topic: string;
  let reader: TopicReader;
  let key: string;
  const fleet: ApiProcess[] = [];
  const acknowledged: Acknowledged[] = [];
  const refused: string[] = [];
  const leads: string[] = [];
  /** The funnel and KPIs every instance answered at the end of the failover test. */
  let caughtUp: { funnel: unknown; kpis: unknown } | undefined;
  const started = Date.now();

  const env = () =>
    fleetEnv({
      eventStore: esdb.connectionString,
      databaseUrl: db.url,
      kafkaBrokers: brokers,
      kafkaTopic: topic,
      leaseTtlMs: LEASE_TTL_MS,
      platformKey: PLATFORM_KEY,
    });

  beforeAll(async () => {
    // Loud failures, never a skip: no broker, no PostgreSQL, no store means this suite fails.
    brokers = brokersForTests();
    db = await freshDatabase();
    const provided = await provideEventStoreDb();
    if (!provided.available) throw new Error(`no EventStoreDB for the fleet test: ${provided.reason}`);
    warnIfNotRealEventStoreDb(provided, 'fleet failover');
    esdb = provided;
    topic = `fleet-${randomUUID()}`;
    for (const name of ['api-1', 'api-2', 'api-3']) fleet.push(await ApiProcess.create(name, env()));
    await Promise.all(fleet.map((p) => p.start(240_000)));
    const created = await call(fleet[0], 'POST', '/v1/admin/api-keys', { tenantId: TENANT, roles: ['admin'], name: 'fleet load' }, PLATFORM_KEY);
    if (created.status !== 201) throw new Error(`no API key: ${created.status} ${JSON.stringify(created.body)}`);
    key = created.body.key as string;
    reader = new TopicReader(brokers, topic);
  });

  afterAll(async () => {
    // FLEET_TEST_LOGS=1 prints the last lines of every instance (leases taken and lost, relay retries).
    if (process.env.FLEET_TEST_LOGS) for (const p of fleet) {
        const lines = p.log(400).split('\n').filter((line) => !/RouterExplorer|RoutesResolver|InstanceLoader/.test(line));
        process.stdout.write(`\n----- ${p.name}\n${lines.join('\n')}\n`);
      }
    await reader?.stop().catch(() => undefined);
    for (const p of fleet) await p.stop();
    for (const p of fleet) rmSync(p.dataDir, { recursive: true, force: true });
    await esdb?.stop();
    await db?.drop();
    process.stdout.write(`[fleet-failover] suite ran ${Math.round((Date.now() - started) / 1000)} s\n`);
  });

  async function call(p: ApiProcess, method: string, path: string, body?: unknown, bearer = key): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
    const answer = await fetch(`${p.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await answer.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // csv or empty
    }
    return { status: answer.status, body: parsed, text };
  }

  /** A command on whichever running instance comes next; a 2xx is recorded as acknowledged, anything else (a killed process included) is not. */
  let turn = 0;
  async function command(leadId: string | undefined, path: string, body: unknown): Promise<string | undefined> {
    const running = fleet.filter((p) => p.running);
    const p = running[turn++ % running.length];
    try {
      const answer = await call(p, 'POST', path, body);
      if (answer.status >= 200 && answer.status < 300) {
        const id = leadId ?? (answer.body.leadId as string);
        acknowledged.push({ leadId: id, revision: answer.body.revision as number, events: answer.body.events as string[] });
        return id;
      }
      refused.push(`${p.name} ${path}: ${answer.status} ${answer.text.slice(0, 300)}`);
    } catch (error) {
      refused.push(`${p.name} ${path}: ${(error as Error).message}`);
    }
    return undefined;
  }

  /** One lead's journey, its commands one after another (so their order is the lead's order), over the instances in turn. */
  async function journey(i: number): Promise<void> {
    const leadId = await command(undefined, '/v1/leads', {
      contact: { email: `lead-${i}-${randomUUID()}@fleet.test`, firstName: `Lead${i}` },
      company: { name: `Co ${i}`, size: 50 + i, industry: 'software', country: 'GB' },
      source: { channel: i % 2 ? 'web_form' : 'referral', campaign: `c${i % 3}` },
    });
    if (!leadId) return;
    leads.push(leadId);
    for (const type of ['page_view', 'pricing_page_view', 'demo_request', 'email_click']) {
      await command(leadId, `/v1/leads/${leadId}/activities`, { type });
    }
    await command(leadId, `/v1/leads/${leadId}/assign`, { ownerId: `rep-${i % 4}` });
    if (i % 3 === 0) {
      // Enough engagement for every fit to cross the MQL threshold before the BANT check.
      await command(leadId, `/v1/leads/${leadId}/activities`, { type: 'meeting_booked' });
      const met = { met: true };
      await command(leadId, `/v1/leads/${leadId}/sql`, { bant: { budget: met, authority: met, need: met, timeline: met }, qualifiedBy: 'sdr-1' });
    } else if (i % 3 === 1) {
      await command(leadId, `/v1/leads/${leadId}/disqualify`, { reason: DISQUALIFICATION_REASONS[0] });
    } else {
      await command(leadId, `/v1/leads/${leadId}/activities`, { type: 'meeting_booked' });
    }
  }

  /** The load: every lead's journey, a few at a time. */
  async function load(from: number, to: number, parallel = 3): Promise<void> {
    let next = from;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < to) await journey(next++);
      }),
    );
  }

  async function relayLease(): Promise<{ holder: string; term: number; live: boolean }> {
    const rows = await db.pool.query<{ holder: string; term: string; live: boolean }>("SELECT holder, term, expires_at > now() AS live FROM leases WHERE name = 'relay:kafka'");
    if (rows.rows.length === 0) throw new Error('no relay:kafka lease row');
    return { holder: rows.rows[0].holder, term: Number(rows.rows[0].term), live: rows.rows[0].live };
  }

  /** The instance whose relay holds the lease now (holder ids are `<INSTANCE_ID>/<suffix>`). */
  async function holder(): Promise<ApiProcess> {
    for (let attempt = 0; attempt < 600; attempt++) {
      const lease = await relayLease().catch(() => undefined);
      const p = lease?.live ? fleet.find((f) => f.running && lease.holder.startsWith(`${f.name}/`)) : undefined;
      if (p) return p;
      await sleep(100);
    }
    throw new Error(`no running instance holds relay:kafka: ${JSON.stringify(await relayLease().catch((e: Error) => e.message))}`);
  }

  /**
   * Waits until the relay saved its shared checkpoint under `term`: the holder of that term has published
   * (a kill of a holder that never got a batch out, still creating the topic, say, would prove little).
   */
  async function publishedUnder(term: number): Promise<void> {
    for (let attempt = 0; attempt < 1200; attempt++) {
      const rows = await db.pool.query<{ term: string }>("SELECT term FROM checkpoints WHERE name = 'relay:kafka'").catch(() => ({ rows: [] }));
      if (rows.rows.length && Number(rows.rows[0].term) >= term) return;
      await sleep(100);
    }
    throw new Error(`the relay never saved a checkpoint under term ${term}`);
  }

  async function history(p: ApiProcess, leadId: string): Promise<HistoryEvent[]> {
    const answer = await call(p, 'GET', `/v1/leads/${leadId}/history`);
    if (answer.status !== 200) throw new Error(`history of ${leadId} on ${p.name}: ${answer.status} ${answer.text}`);
    return answer.body.events as HistoryEvent[];
  }

  async function readModels(p: ApiProcess, token?: string): Promise<{ funnel: unknown; kpis: unknown }> {
    const at = token ? `minPosition=${token}&` : '';
    const funnel = await call(p, 'GET', `/v1/funnel?${at}groupBy=channel`);
    const kpis = await call(p, 'GET', `/v1/kpis?${at.replace(/&$/, '')}`);
    expect([p.name, funnel.status, kpis.status]).toEqual([p.name, 200, 200]);
    return { funnel: funnel.body, kpis: kpis.body };
  }

  it('loses no acknowledged command, publishes every event at least once in per-lead order, one publisher per term, erasure everywhere', async () => {
    // Phase 1: the load on three instances. With every instance up, every command must be taken: a
    // refusal here is a broken request, and a run on an empty log would prove nothing.
    await load(0, LEADS / 3);
    expect(refused).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(LEADS);
    const first = await holder();
    const firstLease = await relayLease();
    await publishedUnder(firstLease.term);

    // Phase 2: kill -9 the relay's holder with the load running.
    const during = load(LEADS / 3, (2 * LEADS) / 3);
    await sleep(300);
    await first.kill();
    // An erasure while no relay publishes: the dead holder's lease has not expired, so the lead's
    // capture can only be published by a later term, after its key was destroyed.
    const survivor = fleet.find((p) => p.running)!;
    const erasedEmail = `erase-${randomUUID()}@fleet.test`;
    const captured = await call(survivor, 'POST', '/v1/leads', { contact: { email: erasedEmail, firstName: 'Erin' }, source: { channel: 'email' } });
    expect(captured.status).toBe(201);
    const erasedLead = captured.body.leadId as string;
    acknowledged.push({ leadId: erasedLead, revision: captured.body.revision as number, events: captured.body.events as string[] });
    const eraser = fleet.filter((p) => p.running).find((p) => p !== survivor) ?? survivor;
    const forgotten = await call(eraser, 'POST', `/v1/leads/${erasedLead}/forget`, { reason: 'erasure request' });
    expect(forgotten.status).toBe(200);
    acknowledged.push({ leadId: erasedLead, revision: forgotten.body.revision as number, events: forgotten.body.events as string[] });
    const atErasure = await relayLease();
    // The precondition of the erasure check, read from the table, not from a clock: still the dead term.
    expect(atErasure).toMatchObject({ term: firstLease.term, holder: firstLease.holder });
    leads.push(erasedLead);

    const second = await holder();
    expect(second).not.toBe(first);
    const secondLease = await relayLease();
    expect(secondLease.term).toBeGreaterThan(firstLease.term);
    await during;
    await publishedUnder(secondLease.term);

    // Phase 3: kill -9 the new holder too; the last instance takes over alone.
    const more = load((2 * LEADS) / 3, LEADS - 4, 2);
    await sleep(300);
    await second.kill();
    const third = await holder();
    expect([first, second]).not.toContain(third);
    await more;

    // Phase 4: both dead instances start again on their data folders and ports; the last load.
    await Promise.all([first.start(240_000), second.start(240_000)]);
    await load(LEADS - 4, LEADS);
    const final = await relayLease();

    // No acknowledged command lost: each 2xx answer's events are in the lead's stream at its revisions.
    const streams = new Map<string, HistoryEvent[]>();
    for (const leadId of leads) streams.set(leadId, await history(fleet[0], leadId));
    for (const ack of acknowledged) {
      const stream = streams.get(ack.leadId)!.filter((e) => e.streamId === `lead-${ack.leadId}`);
      const written = stream.filter((e) => e.revision > ack.revision - ack.events.length && e.revision <= ack.revision).map((e) => e.type);
      expect({ lead: ack.leadId, revision: ack.revision, events: written }).toEqual({ lead: ack.leadId, revision: ack.revision, events: ack.events });
    }

    // Every event on Kafka at least once; duplicates dropped by ce_id.
    const everyEvent = [...streams.values()].flat();
    await reader.start();
    const ids = new Set(everyEvent.map((e) => e.eventId));
    await reader.waitFor((messages) => [...ids].every((id) => messages.some((m) => m.headers.ce_id === id)), 240_000, 'every event of the fleet on the topic');
    const distinct = reader.distinct();
    const duplicates = reader.messages.length - distinct.length;

    // Per lead, the first arrival of each event is in the lead's order (its history is in global order).
    for (const [leadId, events] of streams) {
      const order = distinct.filter((m) => m.key === leadId).map((m) => m.headers.ce_id);
      expect({ leadId, order }).toEqual({ leadId, order: events.map((e) => e.eventId) });
    }

    // One publisher per lease term: every message names the holder and term it was sent under.
    const ours = reader.messages.filter((m) => ids.has(m.headers.ce_id));
    expect(ours.filter((m) => !m.headers.ce_llpublisher || !m.headers.ce_llterm)).toEqual([]);
    const publishers = new Map<string, Set<string>>();
    for (const m of ours) publishers.set(m.headers.ce_llterm, (publishers.get(m.headers.ce_llterm) ?? new Set()).add(m.headers.ce_llpublisher));
    expect([...publishers].filter(([, who]) => who.size > 1)).toEqual([]);
    // At least the three tenures the kills forced, each by another instance.
    const instancesByTerm = [...publishers].map(([term, who]) => [Number(term), [...who][0].split('/')[0]] as const).sort((a, b) => a[0] - b[0]);
    process.stdout.write(`[fleet-failover] publishers by term: ${JSON.stringify([...publishers].map(([t, w]) => [t, [...w]]))}; holders ${first.name} ${second.name} ${third.name}; final ${JSON.stringify(final)}\n`);
    expect(new Set(instancesByTerm.map(([, instance]) => instance)).size).toBeGreaterThanOrEqual(3);
    expect(Math.max(...instancesByTerm.map(([term]) => term))).toBeLessThanOrEqual(final.term);

    // The erasure: every instance, its export, the store and the topic show it erased.
    for (const p of fleet) {
      const lead = await call(p, 'GET', `/v1/leads/${erasedLead}`);
      expect({ instance: p.name, contact: lead.body.contact }).toEqual({ instance: p.name, contact: { erased: true } });
      const csv = await call(p, 'GET', `/v1/leads/${erasedLead}/history?format=csv`);
      expect(csv.status).toBe(200);
      expect(csv.text).not.toContain(erasedEmail);
      expect((await history(p, erasedLead))[0].data.contact).toEqual({ erased: true });
    }
    const erasedMessages = reader.messages.filter((m) => m.key === erasedLead);
    expect(erasedMessages.map((m) => m.headers.ce_type)).toEqual(expect.arrayContaining(['lead-lifecycle.LeadCaptured.v1', 'lead-lifecycle.PersonalDataErased.v1']));
    for (const m of erasedMessages) {
      expect(Number(m.headers.ce_llterm)).toBeGreaterThan(firstLease.term);
      expect(m.rawValue).not.toContain(erasedEmail);
      if (m.headers.ce_type.includes('LeadCaptured')) expect((m.value as { contact: unknown }).contact).toEqual({ erased: true });
    }

    // The three instances answer the same funnel and KPIs: the read models are in the shared database
    // (READ_MODELS=postgres), folded by whichever instance holds each projection's lease. Read-your-writes
    // behind a load balancer: the consistency-token key is the fleet's (DATABASE_URL), so the token of a
    // write on one instance opens on every instance, and each answers once it has folded that write.
    const last = await call(fleet[2], 'POST', `/v1/leads/${leads[0]}/activities`, { type: 'page_view' });
    expect(last.status).toBe(200);
    const token = encodeURIComponent(last.body.position as string);
    for (const p of fleet) await readModels(p, token);
    const reference = await readModels(fleet[2]);
    expect((reference.funnel as { groups: unknown[] }).groups.length).toBeGreaterThan(0);
    for (const p of fleet.slice(0, 2)) expect({ instance: p.name, ...(await readModels(p)) }).toEqual({ instance: p.name, ...reference });
    caughtUp = reference;

    process.stdout.write(
      `[fleet-failover] ${acknowledged.length} acknowledged commands (${refused.length} not: killed instances), ${everyEvent.length} events, ` +
        `${reader.messages.length} messages (${duplicates} duplicates), terms ${instancesByTerm.map(([t, i]) => `${t}:${i}`).join(' ')}, ` +
        `store ${esdb.mode}\n`,
    );
  });

  it('a fourth instance started later on an empty data folder answers the same funnel and KPIs at once, without a rebuild', async () => {
    if (!caughtUp) throw new Error('the failover test did not get to its funnel and KPIs: nothing to compare with');
    const late = await ApiProcess.create('api-4', env());
    fleet.push(late);
    await late.start(240_000);
    // Its first answers, as soon as it listens: the shared tables, not a fold of its own from position zero.
    expect((await call(late, 'GET', '/health/ready')).status).toBe(200);
    expect(await readModels(late)).toEqual(caughtUp);
  });
});
