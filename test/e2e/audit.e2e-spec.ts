import { AUTOMATION_SWEEPS } from '@lead-lifecycle/automation';
import type { SweepScheduler } from '@lead-lifecycle/eventing';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  decideLead,
  decodeLeadEvent,
  DEFAULT_LIFECYCLE_CONFIG,
  evolveLead,
  type ExistingLead,
  foldLead,
  initialLeadState,
  type LeadState,
  leadStreamId,
  SEALED_STREAM_PREFIXES,
  decideTeam,
  foldTeam,
  initialTeamState,
  teamStreamId,
} from '@lead-lifecycle/domain';
import { HashChainingEventStore, SqliteEventStore, verifyIntegrity } from '@lead-lifecycle/eventing';
import { removeDataDir, startTestApp, type TestApp } from '../support/test-app';
import { brokersForTests, TopicReader } from '../support/topic-reader';

jest.setTimeout(120_000);
const run = promisify(execFile);

/** Runs the auditors' CLI as a separate process on a data folder. */
async function audit(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, '../../apps/audit/src/main.ts'), ...args],
      { env: { ...process.env, DATA_DIR: dataDir, EVENT_STORE: 'sqlite', TS_NODE_TRANSPILE_ONLY: 'true' }, maxBuffer: 64 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const DAY = 24 * 3600 * 1000;
const start = Date.parse('2026-03-01T09:00:00.000Z');
const at = (days: number) => new Date(start + days * DAY).toISOString();
const activities = ['email_open', 'page_view', 'email_click', 'content_download', 'webinar_attended', 'pricing_page_view'];

describe('for auditors: replay, time travel, exports, tamper evidence and erasure', () => {
  let t: TestApp;
  let leadId: string;
  const email = `${randomUUID()}@audited.test`;

  beforeAll(async () => {
    t = await startTestApp();
    // The history is backdated by months, so the decay sweep (aging) would append a ScoreChanged at any
    // moment of the test; the assertions compare reads of one history, so no sweep runs here.
    await t.app.get<SweepScheduler>(AUTOMATION_SWEEPS).stop();
    leadId = (
      await t.http
        .post('/v1/leads')
        .set('X-Actor', 'crm-sync')
        .send({ contact: { email, phone: '+49 30 1234567', firstName: 'Ada', lastName: 'Lovelace' }, jobTitle: 'Head of Data', company: { size: 250 }, source: { channel: 'web_form', cost: 30 }, occurredAt: at(0) })
        .expect(201)
    ).body.leadId;
    // A long history: 60 activities over 60 days, with decay doing its work between them.
    for (let day = 1; day <= 60; day++) {
      await t.http.post(`/v1/leads/${leadId}/activities`).send({ type: activities[day % activities.length], occurredAt: at(day) }).expect(200);
    }
    await t.http.post(`/v1/leads/${leadId}/assign`).set('X-Actor', 'manager-1').send({ ownerId: 'rep-9' }).expect(200);
  });

  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  /** The expected state, folded independently from the events the store returns. */
  async function foldUpTo(accept: (e: { revision: bigint; occurredAt: string; recordedAt: string }) => boolean): Promise<LeadState> {
    const events = await t.store.readStream(leadStreamId(leadId));
    const kept = events.filter((e) => accept({ revision: e.revision, occurredAt: e.metadata.occurredAt, recordedAt: e.metadata.recordedAt }));
    return foldLead(kept.map(decodeLeadEvent));
  }

  it('returns the state as of any revision and any business or recorded time of a long history', async () => {
    const stream = await t.store.readStream(leadStreamId(leadId));
    expect(stream.length).toBeGreaterThan(100);
    for (const revision of [0, 1, 10, 57, stream.length - 1]) {
      const body = (await t.http.get(`/v1/leads/${leadId}?revision=${revision}`).expect(200)).body;
      const expected = (await foldUpTo((e) => e.revision <= BigInt(revision))) as ExistingLead;
      expect(body).toMatchObject({ revision, stage: expected.stage, score: expected.score, ownerId: expected.ownerId ?? null });
    }
    const mqlAt = stream.find((e) => e.type === 'QualifiedAsMQL')!.metadata.occurredAt;
    const justBefore = new Date(Date.parse(mqlAt) - 1).toISOString();
    expect((await t.http.get(`/v1/leads/${leadId}?asOf=${justBefore}`).expect(200)).body.stage).toBe('lead');
    expect((await t.http.get(`/v1/leads/${leadId}?asOf=${mqlAt}`).expect(200)).body.stage).toBe('mql');
    const day30 = (await t.http.get(`/v1/leads/${leadId}?asOf=${at(30.5)}`).expect(200)).body;
    const expected30 = (await foldUpTo((e) => e.occurredAt <= at(30.5))) as ExistingLead;
    expect(day30.score).toEqual(expected30.score);
    expect(day30.score.engagement).toBeGreaterThan(0);
    // Recorded time: every event was recorded today, so a recorded-time cut before now shows nothing yet.
    await t.http.get(`/v1/leads/${leadId}?asOf=2020-01-01T00:00:00.000Z&asOfTime=recorded`).expect(404);
    const recordedNow = (await t.http.get(`/v1/leads/${leadId}?asOf=${new Date().toISOString()}&asOfTime=recorded`).expect(200)).body;
    expect(recordedNow.revision).toBe(stream.length - 1);
  });

  it('shows for each event who, when, why and what it changed, as JSON, NDJSON and CSV', async () => {
    const json = (await t.http.get(`/v1/leads/${leadId}/history`).expect(200)).body;
    const captured = json.events[0];
    expect(captured).toMatchObject({ type: 'LeadCaptured', transition: { stage: { before: 'none', after: 'lead' } }, metadata: { actor: expect.stringMatching(/^apikey:/), onBehalfOf: 'crm-sync', command: 'CaptureLead' } });
    const qualified = json.events.find((e: { type: string }) => e.type === 'QualifiedAsMQL');
    expect(qualified.transition).toEqual({ stage: { before: 'lead', after: 'mql' } });
    const scored = json.events.find((e: { type: string }) => e.type === 'ScoreChanged');
    expect(scored.transition.score).toEqual({ before: 0, after: scored.data.current.total });

    const ndjson = await t.http.get(`/v1/leads/${leadId}/history?format=ndjson`).expect(200).expect('Content-Type', /application\/x-ndjson/);
    const lines = ndjson.text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.eventId)).toEqual(json.events.map((e: { eventId: string }) => e.eventId));

    const csv = await t.http.get(`/v1/leads/${leadId}/history?format=csv`).expect(200).expect('Content-Type', /text\/csv/);
    const rows = csv.text.trimEnd().split('\n');
    expect(rows[0].split(',').slice(0, 5)).toEqual(['position', 'streamId', 'revision', 'eventId', 'type']);
    expect(rows).toHaveLength(json.events.length + 1);
    expect(rows[1]).toContain(',LeadCaptured,');
    expect(rows[1]).toContain(',none,lead,');
    // Who did it (the credential) and whom it said it acted for (X-Actor), side by side.
    const header = rows[0].split(',');
    expect(header.slice(header.indexOf('actor'), header.indexOf('actor') + 3)).toEqual(['actor', 'actorName', 'onBehalfOf']);
    expect(rows[1]).toContain(`,${captured.metadata.actor},${captured.metadata.actorName},crm-sync,`);
    await t.http.get(`/v1/leads/${leadId}/history?format=xml`).expect(400);
  });

  it('keeps personal data encrypted at rest: the event file never holds the email', () => {
    const raw = new Database(join(t.dataDir, 'events.sqlite'), { readonly: true });
    const rows = raw.prepare("SELECT data FROM events WHERE type IN ('LeadCaptured', 'LeadRecaptured')").all() as Array<{ data: string }>;
    raw.close();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.data).not.toContain(email);
      expect(JSON.parse(row.data).contact.$encrypted).toMatchObject({ alg: 'A256GCM' });
    }
  });

  it('erases personal data without rewriting history: reads, replays, exports and Kafka show no contact; funnel, KPIs and chains unchanged', async () => {
    const brokers = brokersForTests();
    const funnelBefore = (await t.http.get(`/v1/funnel?minPosition=${t.token('default', await t.store.headPosition())}`).expect(200)).body;
    const kpisBefore = (await t.http.get('/v1/kpis').expect(200)).body;
    const eventsBefore = (await t.http.get(`/v1/leads/${leadId}/history`).expect(200)).body.events.length;

    const erased = await t.http.post(`/v1/leads/${leadId}/forget`).set('X-Actor', 'dpo').send({ reason: 'erasure request 42' }).expect(200);
    expect(erased.body.events).toEqual(['PersonalDataErased']);
    // Idempotent: a second request records nothing new.
    expect((await t.http.post(`/v1/leads/${leadId}/forget`).send({ reason: 'again' }).expect(200)).body.events).toEqual([]);
    await t.http.post(`/v1/leads/${leadId}/forget`).send({}).expect(400);

    const lead = (await t.http.get(`/v1/leads/${leadId}`).expect(200)).body;
    expect(lead.contact).toEqual({ erased: true });
    expect(lead).toMatchObject({ stage: 'mql', ownerId: 'rep-9' });
    // Replay as of a time before the erasure: the contact is gone there too.
    expect((await t.http.get(`/v1/leads/${leadId}?revision=0`).expect(200)).body.contact).toEqual({ erased: true });
    const history = await t.http.get(`/v1/leads/${leadId}/history`).expect(200);
    expect(history.body.events).toHaveLength(eventsBefore + 1);
    for (const text of [history.text, (await t.http.get(`/v1/leads/${leadId}/history?format=csv`)).text]) {
      expect(text).not.toContain(email);
      expect(text).not.toContain('Lovelace');
      expect(text).not.toContain('1234567');
    }
    expect(history.body.events[0].data.contact).toEqual({ erased: true });

    expect((await t.http.get(`/v1/funnel?minPosition=${erased.body.position}`).expect(200)).body.groups).toEqual(funnelBefore.groups);
    const kpisAfter = (await t.http.get(`/v1/kpis?minPosition=${erased.body.position}`).expect(200)).body;
    expect(kpisAfter.overall).toEqual(kpisBefore.overall);
    const integrity = await verifyIntegrity(t.store, { prefixes: SEALED_STREAM_PREFIXES });
    expect(integrity).toMatchObject({ ok: true, broken: [], unsealed: [] });

    // Kafka: a relay publishing this log now (a replay to a new topic) carries no readable personal data.
    const topic = `erased-${randomUUID()}`;
    const replay = await startTestApp({ dataDir: t.dataDir, env: { KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '1' } });
    const reader = new TopicReader(brokers, topic);
    try {
      const mine = (await replay.store.readAll({ maxCount: 100000 })).filter((e) => e.streamId === leadStreamId(leadId));
      await replay.http.get('/health').expect(200);
      await new Promise((r) => setTimeout(r, 500));
      await reader.start();
      await reader.waitFor((m) => m.filter((x) => x.key === leadId).length >= mine.length, 60_000, "the erased lead's events");
      const published = reader.messages.filter((m) => m.key === leadId);
      expect(JSON.stringify(published)).not.toContain(email);
      expect(published.find((m) => m.headers.ce_type === 'lead-lifecycle.LeadCaptured.v1')!.value).toMatchObject({ contact: { erased: true } });
      expect(published.some((m) => m.headers.ce_type === 'lead-lifecycle.PersonalDataErased.v1')).toBe(true);
    } finally {
      await reader.stop();
      await replay.close();
    }
  });

  describe('the audit CLI', () => {
    let dataDir: string;
    let otherLead: string;
    beforeAll(async () => {
      // A separate data folder: the CLI reads it while no API holds it.
      const app = await startTestApp();
      dataDir = app.dataDir;
      otherLead = (await app.http.post('/v1/leads').set('X-Tenant-Id', 'acme').send({ contact: { email: `${randomUUID()}@cli.test` }, jobTitle: 'CEO', company: { size: 3000, industry: 'saas' }, source: { channel: 'seo' }, occurredAt: at(0) })).body.leadId;
      await app.http.post(`/v1/leads/${otherLead}/activities`).set('X-Tenant-Id', 'acme').send({ type: 'demo_request', occurredAt: at(2) }).expect(200);
      for (let i = 0; i < 5; i++) await app.http.post('/v1/leads').set('X-Tenant-Id', 'acme').send({ contact: { email: `${randomUUID()}@bulk.test` }, source: { channel: 'import' } });
      await app.http.post('/v1/leads').set('X-Tenant-Id', 'other').send({ contact: { email: `${randomUUID()}@other.test` }, source: { channel: 'import' } });
      await app.http.post('/v1/teams').send({ teamId: 'inbound', name: 'Inbound' }).expect(201);
      await app.http.post('/v1/teams/inbound/members').send({ ownerId: 'rep-1', capacity: 5 }).expect(201);
      await app.http.post('/v1/teams/inbound/members/rep-1/availability').send({ available: false }).expect(200);
      await app.close();
    });
    afterAll(() => removeDataDir(dataDir));

    it('prints a timeline for people and JSON for machines', async () => {
      const human = await audit(dataDir, 'history', otherLead);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain(`Lead ${otherLead} (tenant acme)`);
      expect(human.stdout).toMatch(/LeadCaptured[\s\S]*stage none → lead/);
      expect(human.stdout).toMatch(/QualifiedAsMQL[\s\S]*stage lead → mql/);
      const machine = await audit(dataDir, 'history', otherLead, '--json');
      const parsed = JSON.parse(machine.stdout);
      expect(parsed.events.map((e: { type: string }) => e.type)).toEqual(['LeadCaptured', 'ScoreChanged', 'QualifiedAsMQL', 'EngagementRecorded', 'ScoreChanged']);
    });

    it('prints the state as of a time, by business or recorded time, or a revision', async () => {
      const before = await audit(dataDir, 'state', otherLead, '--as-of', at(1), '--json');
      expect(JSON.parse(before.stdout)).toMatchObject({ stage: 'mql', score: { engagement: 0 }, revision: 2 });
      const after = await audit(dataDir, 'state', otherLead, '--as-of', at(3));
      expect(after.stdout).toMatch(/stage\s+mql/);
      expect(after.stdout).toMatch(/engagement 2\d/);
      const byRevision = JSON.parse((await audit(dataDir, 'state', otherLead, '--revision', '0', '--json')).stdout);
      expect(byRevision).toMatchObject({ stage: 'lead', revision: 0 });
      const bad = await audit(dataDir, 'state', otherLead, '--as-of', 'yesterday');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--as-of must be an ISO 8601 time');
    });

    it('exports one lead or a whole tenant to NDJSON, with a progress bar', async () => {
      const out = join(dataDir, 'acme.ndjson');
      const exported = await audit(dataDir, 'export', '--tenant', 'acme', '--out', out);
      expect(exported.code).toBe(0);
      expect(exported.stderr).toMatch(/\[#+\] 100%/);
      const lines = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(new Set(lines.map((l) => l.metadata.tenantId))).toEqual(new Set(['acme']));
      expect(lines.filter((l) => l.type === 'LeadCaptured')).toHaveLength(6);
      expect(lines.every((l) => l.transition !== undefined)).toBe(true);
      const one = await audit(dataDir, 'export', '--lead', otherLead);
      expect(one.stdout.trimEnd().split('\n')).toHaveLength(5);
      expect((await audit(dataDir, 'export')).code).toBe(2);
    });

    it('verifies every chain, and pinpoints an event edited in the database', async () => {
      const ok = await audit(dataDir, 'verify', '--json');
      expect(ok.code).toBe(0);
      // 7 leads and the team's stream: every one sealed and verified.
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, broken: [], unsealed: [], streams: 8, verified: 8 });

      const db = new Database(join(dataDir, 'events.sqlite'));
      const target = db.prepare("SELECT position, event_id, data FROM events WHERE stream_id = ? AND type = 'EngagementRecorded'").get(leadStreamId(otherLead)) as {
        position: number;
        event_id: string;
        data: string;
      };
      const forged = { ...JSON.parse(target.data), points: 500 };
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(forged), target.position);
      db.close();

      const human = await audit(dataDir, 'verify');
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(`BROKEN  lead-${otherLead}: first broken link at revision 3, position ${target.position}, event ${target.event_id}`);
      expect(human.stdout).toContain('FAILED');
      const machine = JSON.parse((await audit(dataDir, 'verify', '--lead', otherLead, '--json')).stdout);
      expect(machine.broken[0].firstProblem).toMatchObject({ eventId: target.event_id, problem: 'hash-mismatch', position: String(target.position) });
    });

    it("seals team streams and pinpoints a team event edited in the database", async () => {
      const db = new Database(join(dataDir, 'events.sqlite'));
      const target = db.prepare("SELECT stream_id, stream_revision, position, event_id, data, metadata FROM events WHERE type = 'TeamMemberAdded'").get() as {
        stream_id: string;
        stream_revision: number;
        position: number;
        event_id: string;
        data: string;
        metadata: string;
      };
      expect(target.stream_id).toMatch(/^team-.+\.inbound$/);
      expect(JSON.parse(target.metadata).integrity).toMatchObject({ alg: 'sha256-chain-v1' });
      // A forged capacity: the member could take more leads than it was given.
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify({ ...JSON.parse(target.data), capacity: 500 }), target.position);
      db.close();
      const human = await audit(dataDir, 'verify');
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(`BROKEN  ${target.stream_id}: first broken link at revision ${target.stream_revision}, position ${target.position}, event ${target.event_id}`);
    });

    it('reports team events written before team streams were sealed as unsealed, and verifies the chain from the first sealed event on', async () => {
      const raw = new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') });
      const streamId = teamStreamId('legacy', 'old-team');
      const meta = () => ({ tenantId: 'legacy', occurredAt: at(0), actor: 'v0', correlationId: randomUUID(), causationId: randomUUID() });
      const legacy = [
        ...decideTeam({ type: 'CreateTeam', teamId: 'old-team', tenantId: 'legacy', name: 'Old', occurredAt: at(0) }, initialTeamState),
      ];
      const created = foldTeam(legacy);
      legacy.push(...decideTeam({ type: 'AddTeamMember', teamId: 'old-team', ownerId: 'rep-old', occurredAt: at(0) }, created));
      // Written straight to the raw store, as a version that did not seal team streams would have.
      await raw.appendToStream(streamId, legacy.map((e) => ({ eventId: randomUUID(), type: e.type, schemaVersion: 1, data: e.data, metadata: meta() })), 'no_stream');
      // Then today's store seals what follows.
      const sealed = new HashChainingEventStore(raw, SEALED_STREAM_PREFIXES);
      const later = [
        ...decideTeam({ type: 'AddTeamMember', teamId: 'old-team', ownerId: 'rep-new', occurredAt: at(1) }, foldTeam(legacy)),
      ];
      await sealed.appendToStream(streamId, later.map((e) => ({ eventId: randomUUID(), type: e.type, schemaVersion: 1, data: e.data, metadata: meta() })), 1n);
      await raw.close();

      const report = JSON.parse((await audit(dataDir, 'verify', '--json')).stdout);
      expect(report.ok).toBe(false);
      const verdict = report.unsealed.find((v: { streamId: string }) => v.streamId === streamId);
      expect(verdict).toMatchObject({ status: 'unsealed', events: 3, unsealedEvents: 2, firstProblem: { revision: '0', problem: 'unsealed' } });
      expect(report.broken.map((v: { streamId: string }) => v.streamId)).not.toContain(streamId);
      const human = await audit(dataDir, 'verify');
      expect(human.stdout).toContain(`UNSEALED ${streamId}: 2 event(s) written before hash chaining, first at revision 0`);

      // The sealed part is verified: editing the event after the unsealed ones breaks the chain there.
      const db = new Database(join(dataDir, 'events.sqlite'));
      const target = db.prepare('SELECT position, data FROM events WHERE stream_id = ? AND stream_revision = 2').get(streamId) as { position: number; data: string };
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify({ ...JSON.parse(target.data), weight: 9 }), target.position);
      db.close();
      const after = JSON.parse((await audit(dataDir, 'verify', '--json')).stdout);
      expect(after.broken.find((v: { streamId: string }) => v.streamId === streamId)).toMatchObject({ unsealedEvents: 2, firstProblem: { revision: '2', problem: 'hash-mismatch' } });
    });

    it('reports events written before hash chaining as unsealed, never as verified', async () => {
      const store = new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') });
      const legacyLead = randomUUID();
      // Written straight to the raw store, as a version without chaining would have.
      const events = decideLead(
        { type: 'CaptureLead', leadId: legacyLead, tenantId: 'legacy', contact: { email: 'old@legacy.test' }, source: { channel: 'other' }, occurredAt: at(0) },
        initialLeadState,
        DEFAULT_LIFECYCLE_CONFIG,
      );
      await store.appendToStream(
        leadStreamId(legacyLead),
        events.map((e) => ({ eventId: randomUUID(), type: e.type, schemaVersion: 1, data: e.data, metadata: { tenantId: 'legacy', occurredAt: at(0), actor: 'v0', correlationId: randomUUID(), causationId: randomUUID() } })),
        'no_stream',
      );
      await store.close();
      const report = JSON.parse((await audit(dataDir, 'verify', '--lead', legacyLead, '--json')).stdout);
      expect(report).toMatchObject({ ok: false, verified: 0 });
      expect(report.unsealed[0]).toMatchObject({ streamId: leadStreamId(legacyLead), status: 'unsealed', unsealedEvents: 1 });
      expect(evolveLead(initialLeadState, events[0]).stage).toBe('lead');
    });
  });
});
