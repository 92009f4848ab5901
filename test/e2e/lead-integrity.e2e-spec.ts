import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { leadStreamId } from '@lead-lifecycle/domain';
import { removeDataDir, startTestApp, type TestApp } from '../support/test-app';

/** GET /v1/leads/:id/integrity: the audit CLI's per-lead verification, for the people who may read the history. */
describe('one lead’s hash chain over HTTP', () => {
  let t: TestApp;
  let leadId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const highFit = { jobTitle: 'VP Engineering', company: { name: 'Acme', size: 5000, industry: 'software', country: 'US' } };
    leadId = (await t.http.post('/v1/leads').send({ contact: { email: `${randomUUID()}@chain.test` }, source: { channel: 'seo' }, ...highFit }).expect(201)).body.leadId;
    await t.http.post(`/v1/leads/${leadId}/activities`).send({ type: 'demo_request' }).expect(200);
    await t.http.post(`/v1/leads/${leadId}/assign`).send({ ownerId: 'rep-1' }).expect(200);
    await t.http
      .post(`/v1/leads/${leadId}/sql`)
      .send({ bant: { budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } }, qualifiedBy: 'sdr' })
      .expect(200);
    await t.http.post(`/v1/leads/${leadId}/opportunities`).send({ amount: 1000, currency: 'EUR' }).expect(201);
  });

  afterAll(async () => {
    await t.close();
    removeDataDir(t.dataDir);
  });

  it("verifies the lead's stream and its opportunity's", async () => {
    const res = await t.http.get(`/v1/leads/${leadId}/integrity`).expect(200);
    expect(res.body).toMatchObject({ leadId, ok: true, streams: 2, verified: 2, broken: [], unsealed: [] });
    expect(res.body.streamIds[0]).toBe(leadStreamId(leadId));
    expect(res.body.streamIds[1]).toMatch(/^opportunity-/);
    expect(res.body.events).toBeGreaterThan(5);
  });

  it('answers 404 for a lead of another tenant and for a rep whose lead it is not, as for an unknown lead', async () => {
    await t.http.get(`/v1/leads/${leadId}/integrity`).set('X-Tenant-Id', 'globex').expect(404);
    const otherRep = (await t.createKey({ tenantId: 'default', roles: ['rep'], name: 'rep two', ownerId: 'rep-2' })).key;
    const refused = await t.anonymous.get(`/v1/leads/${leadId}/integrity`).set('Authorization', `Bearer ${otherRep}`).expect(404);
    expect(refused.body.code).toBe('LEAD_NOT_FOUND');
    const owner = (await t.createKey({ tenantId: 'default', roles: ['rep'], name: 'rep one', ownerId: 'rep-1' })).key;
    await t.anonymous.get(`/v1/leads/${leadId}/integrity`).set('Authorization', `Bearer ${owner}`).expect(200);
    const marketing = (await t.createKey({ tenantId: 'default', roles: ['marketing'], name: 'marketing' })).key;
    await t.anonymous.get(`/v1/leads/${leadId}/integrity`).set('Authorization', `Bearer ${marketing}`).expect(403);
  });

  it('pinpoints an event edited in the database behind the engine’s back', async () => {
    const db = new Database(join(t.dataDir, 'events.sqlite'));
    const target = db.prepare("SELECT position, event_id, stream_revision, data FROM events WHERE stream_id = ? AND type = 'EngagementRecorded'").get(leadStreamId(leadId)) as {
      position: number;
      event_id: string;
      stream_revision: number;
      data: string;
    };
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify({ ...JSON.parse(target.data), points: 500 }), target.position);
    db.close();
    const res = await t.http.get(`/v1/leads/${leadId}/integrity`).expect(200);
    expect(res.body).toMatchObject({ ok: false, verified: 1 });
    expect(res.body.broken).toHaveLength(1);
    expect(res.body.broken[0]).toMatchObject({ streamId: leadStreamId(leadId), status: 'broken' });
    expect(res.body.broken[0].firstProblem).toMatchObject({
      eventId: target.event_id,
      revision: String(target.stream_revision),
      position: String(target.position),
      problem: 'hash-mismatch',
    });
  });
});
