import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIFECYCLE_CONFIG } from '@lead-lifecycle/domain';
import { ManualClock } from '../../../test/support/domain/manual-clock';
import { LeaseConfig, PostgresConfig, Processors } from '@lead-lifecycle/eventing';
import { EngineConfig, LeadLifecycleModule } from '@lead-lifecycle/lifecycle';
import { freshDatabase, type FreshDatabase } from '../../../test/support/postgres/fresh-database';
import { AutomationModule } from './automation.module';

jest.setTimeout(60_000);

const REACTIONS = ['reaction:routing', 'reaction:sla', 'reaction:aging'];

async function automationApp(dataDir: string, databaseUrl: string, instanceId: string): Promise<INestApplicationContext> {
  const eventing = LeadLifecycleModule.eventing({ engine: EngineConfig.fromEnv({ DATA_DIR: dataDir }) });
  const module = {
    module: class FleetAutomationModule {},
    imports: [
      eventing,
      AutomationModule.forRoot({
        eventing,
        lifecycleConfig: DEFAULT_LIFECYCLE_CONFIG,
        dataDir,
        clock: new ManualClock(new Date('2026-03-01T00:00:00Z')),
        runReactions: true,
        sweepIntervalMs: 60_000,
        postgres: PostgresConfig.fromEnv({ DATABASE_URL: databaseUrl }),
        lease: LeaseConfig.fromEnv({ LEASE_TTL_MS: '600', INSTANCE_ID: instanceId }),
      }),
    ],
  };
  const app = await NestFactory.createApplicationContext(module, { logger: false });
  await app.init();
  return app;
}

describe('the automation reactions with DATABASE_URL (local PostgreSQL server)', () => {
  let db: FreshDatabase;
  const dirs: string[] = [];
  beforeAll(async () => (db = await freshDatabase()));
  afterAll(async () => {
    await db.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const holders = (apps: INestApplicationContext[], name: string) => apps.filter((app) => app.get(Processors).runner(name)!.status().lease?.held);

  it('runs each stateful reaction on exactly one of three instances; the holders hand them over at a clean shutdown', async () => {
    const apps = await Promise.all(['a', 'b', 'c'].map((id) => {
      const dir = mkdtempSync(join(tmpdir(), `automation-fleet-${id}-`));
      dirs.push(dir);
      return automationApp(dir, db.url, id);
    }));
    try {
      const deadline = Date.now() + 10_000;
      while (!REACTIONS.every((name) => holders(apps, name).length === 1)) {
        if (Date.now() > deadline) throw new Error('timed out waiting for one holder of every reaction');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const name of REACTIONS) {
        expect(holders(apps, name)).toHaveLength(1);
        // A reaction not held here is not running here.
        for (const app of apps.filter((a) => !holders(apps, name).includes(a))) expect(app.get(Processors).runner(name)!.status().state).toBe('idle');
      }
      const routingHolder = holders(apps, 'reaction:routing')[0];
      await routingHolder.close();
      apps.splice(apps.indexOf(routingHolder), 1);
      const later = Date.now() + 10_000;
      while (holders(apps, 'reaction:routing').length !== 1) {
        if (Date.now() > later) throw new Error('timed out waiting for the routing reaction to move');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(holders(apps, 'reaction:routing')[0].get(Processors).runner('reaction:routing')!.status()).toMatchObject({
        state: 'running',
        lease: { held: true, term: 2 },
      });
    } finally {
      for (const app of apps) await app.close();
    }
  });
});
