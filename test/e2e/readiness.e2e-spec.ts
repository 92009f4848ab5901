import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Processors, SqliteKeyStore } from '@lead-lifecycle/eventing';
import { createEventStore, EngineConfig } from '@lead-lifecycle/lifecycle';
import { FaultInjectingEventStore } from '../support/fault-injecting-event-store';
import { rawLeadEvent } from '../support/raw-lead-event';
import { removeDataDir, startTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(60_000);

async function appendLeads(t: TestApp, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const leadId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const event = rawLeadEvent('default', 'LeadAssigned', { leadId, ownerId: 'rep-1', occurredAt: '2026-03-01T00:00:00.000Z' });
    await t.store.appendToStream(`lead-${leadId}-${Date.now()}`, [event], 'any');
  }
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('GET /health/ready (readiness; GET /health stays liveness)', () => {
  describe('an instance whose read models keep up', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startTestApp()));
    afterAll(async () => {
      await t.close();
      removeDataDir(t.dataDir);
    });

    it('answers 200 with its checks once caught up; the leases it holds only to a caller that may see processor status', async () => {
      await appendLeads(t, 5);
      await eventually(async () => (await t.anonymous.get('/health/ready')).status === 200, 'ready');
      const open = await t.anonymous.get('/health/ready').expect(200);
      expect(open.body).toEqual({ status: 'ready', checks: [{ name: 'eventStore', ok: true }, { name: 'readModels', ok: true }] });
      const auditor = await t.createKey({ tenantId: 'default', roles: ['auditor'], name: 'ops' });
      const seen = await t.anonymous.get('/health/ready').set('Authorization', `Bearer ${auditor.key}`).expect(200);
      // The embedded default: the local lease of every leased processor of this process, always held, term 1.
      expect(seen.body.leases).toEqual(expect.arrayContaining([{ name: 'reaction:routing', term: 1 }]));
      const rep = await t.createKey({ tenantId: 'default', roles: ['rep'], name: 'rep', ownerId: 'rep-1' });
      expect((await t.anonymous.get('/health/ready').set('Authorization', `Bearer ${rep.key}`).expect(200)).body.leases).toBeUndefined();
    });
  });

  describe('an instance whose read model is behind the bound', () => {
    let t: TestApp;
    const before = process.env.READY_MAX_LAG_EVENTS;
    beforeAll(async () => {
      process.env.READY_MAX_LAG_EVENTS = '3';
      t = await startTestApp();
    });
    afterAll(async () => {
      if (before === undefined) delete process.env.READY_MAX_LAG_EVENTS;
      else process.env.READY_MAX_LAG_EVENTS = before;
      await t.close();
      removeDataDir(t.dataDir);
    });

    it('answers 503 NOT_READY naming readModels beyond READY_MAX_LAG_EVENTS, and 200 again once it caught up', async () => {
      const funnel = t.app.get(Processors).runner('projection:funnel')!;
      await funnel.stop();
      await appendLeads(t, 3);
      // Three events behind is within the bound of 3.
      await eventually(async () => (await t.anonymous.get('/health/ready')).status === 200, 'ready within the bound');
      await appendLeads(t, 1);
      const behind = await t.anonymous.get('/health/ready').expect(503);
      expect(behind.body).toMatchObject({
        statusCode: 503,
        error: 'SERVICE_UNAVAILABLE',
        code: 'NOT_READY',
        checks: [
          { name: 'eventStore', ok: true },
          { name: 'readModels', ok: false, reason: expect.stringContaining('projection:funnel is more than 3 events behind') },
        ],
      });
      funnel.start();
      await eventually(async () => (await t.anonymous.get('/health/ready')).status === 200, 'ready after catching up');
      // Liveness never looked at the read models.
      await t.anonymous.get('/health').expect(200);
    });
  });

  describe('an instance whose event store cannot be reached', () => {
    let t: TestApp;
    let faults: FaultInjectingEventStore;
    const warn = console.warn;
    beforeAll(async () => {
      jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
        if (!args.some((a) => String(a).includes('injected'))) warn(...args);
      });
      const dataDir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-ready-'));
      const env = { DATA_DIR: dataDir, SQLITE_DURABILITY: 'normal' };
      const keyStore = new SqliteKeyStore(join(dataDir, 'keys.sqlite'));
      faults = new FaultInjectingEventStore(createEventStore(EngineConfig.fromEnv(env), keyStore));
      t = await startTestApp({ dataDir, env, module: { eventStore: faults, keyStore } });
    });
    afterAll(async () => {
      faults.fault = 'none';
      await t.close();
      removeDataDir(t.dataDir);
      jest.restoreAllMocks();
    });

    it('answers 503 NOT_READY naming eventStore, whatever the fault, and 200 once the store is back', async () => {
      await eventually(async () => (await t.anonymous.get('/health/ready')).status === 200, 'ready');
      for (const fault of ['unavailable', 'broken'] as const) {
        faults.fault = fault;
        const down = await t.anonymous.get('/health/ready').expect(503);
        expect(down.body).toMatchObject({ statusCode: 503, code: 'NOT_READY', message: expect.stringContaining('eventStore') });
        expect(down.body.checks[0]).toMatchObject({ name: 'eventStore', ok: false, reason: expect.stringContaining('injected') });
      }
      faults.fault = 'none';
      await t.anonymous.get('/health/ready').expect(200);
    });
  });
});
