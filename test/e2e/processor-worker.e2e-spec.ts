import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DEFAULT_LIFECYCLE_CONFIG } from '@lead-lifecycle/domain';
import { positionToString, ProcessorHost, Processors } from '@lead-lifecycle/eventing';
import { eventually, removeDataDir, startTestApp, type TestApp } from '../support/test-app';

/**
 * The API with its processors in a worker thread (PROCESSORS_IN=worker, the default outside the other
 * test suites): the projections, the relay and the durable reaction run there on their own connections,
 * their positions reach the main thread, a command's consistency token is honoured by a read, a crashed
 * worker is restarted and resumes from its checkpoints, and closing the app stops it with checkpoints saved.
 * The worker compiles its module graph with ts-node here, so each start takes seconds: long timeouts.
 */
describe('processors in a worker thread', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let closed = false;
  beforeAll(async () => {
    // One SLA policy, so that GET /v1/sla has something to read of the worker's reaction:sla.
    const sla = { ...DEFAULT_LIFECYCLE_CONFIG.sla, policies: [{ id: 'any', when: {}, firstTouchWithin: 'PT1H', calendar: '24x7' as const, onBreach: 'record' as const }] };
    t = await startTestApp({ env: { PROCESSORS_IN: 'worker', READ_WAIT_MAX_MS: '20000' }, module: { lifecycleConfig: { ...DEFAULT_LIFECYCLE_CONFIG, sla } } });
  });
  afterAll(async () => {
    if (!t) return;
    if (!closed) await t.close();
    removeDataDir(t.dataDir);
  });

  const processors = () => t.app.get(Processors);
  const capture = async (tenant = 'wk') =>
    (await t.http.post('/v1/leads').set('X-Tenant-Id', tenant).send({ contact: { email: `${randomUUID()}@worker.test` }, source: { channel: 'seo' } }).expect(201))
      .body as { leadId: string; position: string };
  const kpis = async (token: string, tenant = 'wk') => (await t.http.get(`/v1/kpis?minPosition=${token}`).set('X-Tenant-Id', tenant).expect(200)).body;

  it('runs the projections and the durable reaction in the worker, none on the command loop', () => {
    expect(processors().inWorker).toBe(true);
    expect(processors().worker?.thread?.threadId).toBeGreaterThan(0);
    expect(t.app.get(ProcessorHost).statuses()).toEqual([]);
    expect(processors().statuses().map((s) => s.name).sort()).toEqual(['projection:funnel', 'projection:kpi', 'projection:scoring', 'reaction:aging', 'reaction:opportunity-lifecycle', 'reaction:routing', 'reaction:sla']);
  });

  it('honours a command’s consistency token: the read waits for the worker’s position and sees the write', async () => {
    const first = await capture();
    const second = await capture();
    const list = (await t.http.get(`/v1/leads?minPosition=${second.position}`).set('X-Tenant-Id', 'wk').expect(200)).body;
    expect(list.items.map((i: { leadId: string }) => i.leadId).sort()).toEqual([first.leadId, second.leadId].sort());
    expect((await kpis(second.position)).overall.leadsCaptured).toBe(2);
  });

  it('answers GET /v1/sla on the main thread from the state the worker’s reaction:sla writes', async () => {
    const { leadId } = await capture('wk-sla');
    await t.http.post(`/v1/leads/${leadId}/assign`).set('X-Tenant-Id', 'wk-sla').send({ ownerId: 'rep-1' }).expect(200);
    const open = async () => (await t.http.get('/v1/sla').set('X-Tenant-Id', 'wk-sla').expect(200)).body.open as Array<{ leadId: string }>;
    await eventually(async () => (await open()).length === 1, 20_000, 'the SLA the worker started');
    expect(await open()).toEqual([expect.objectContaining({ leadId, ownerId: 'rep-1', policyId: 'any', overdue: false })]);
  });

  it('reports the worker’s positions to the main thread and at /v1/projections', async () => {
    const head = positionToString(await t.store.headPosition());
    await eventually(async () => processors().statuses().every((s) => positionToString(s.position) === head), 20_000, 'the worker’s positions');
    const status = (await t.http.get('/v1/projections').expect(200)).body;
    const scoring = status.processors.find((p: { name: string }) => p.name === 'projection:scoring');
    expect(scoring).toMatchObject({ position: head, headPosition: head, eventsBehind: 0, state: expect.stringMatching(/running|idle/) });
  });

  it('restarts a crashed worker, shows it in the status, and resumes from the checkpoints (each event counted once)', async () => {
    const worker = processors().worker!;
    const crashed = worker.thread!;
    await crashed.terminate();
    await eventually(async () => processors().statuses().every((s) => s.state === 'retrying' && /processor worker exited/.test(s.lastError ?? '')), 10_000, 'the crash in the statuses');
    const status = (await t.http.get('/v1/projections').expect(200)).body;
    expect(status.processors.find((p: { name: string }) => p.name === 'projection:funnel').lastError).toMatch(/processor worker exited/);

    // Written while the worker is down: the restarted worker picks it up from the checkpoint.
    const third = await capture();
    await eventually(async () => worker.restarts === 1 && worker.thread !== undefined && worker.thread !== crashed, 150_000, 'the restarted worker');
    expect((await kpis(third.position)).overall.leadsCaptured).toBe(3);
    await eventually(async () => processors().statuses().every((s) => s.state !== 'retrying'), 20_000, 'the restarted processors');
  });

  it('stops the worker with the app: processors stopped, checkpoints saved at the head, thread ended', async () => {
    const fourth = await capture();
    await kpis(fourth.position);
    const head = positionToString(await t.store.headPosition());
    const worker = processors().worker!;
    const thread = worker.thread!;
    const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
    await t.close();
    closed = true;
    expect(await exited).toBe(0);
    expect(worker.thread).toBeUndefined();
    const db = new Database(join(t.dataDir, 'read-models.sqlite'), { readonly: true });
    try {
      const rows = db.prepare("SELECT name, position FROM checkpoints WHERE name LIKE 'projection:%' ORDER BY name").all();
      expect(rows).toEqual([
        { name: 'projection:funnel', position: head },
        { name: 'projection:kpi', position: head },
        { name: 'projection:scoring', position: head },
      ]);
    } finally {
      db.close();
    }
  });
});
