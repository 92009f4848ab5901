import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeaseConfig, PostgresConfig, ProcessorHost } from '@lead-lifecycle/eventing';
import { KafkaConfig, KafkaRelayModule, KafkaRelayProcessor } from '@lead-lifecycle/kafka-relay';
import { EngineConfig, LeadLifecycleModule } from '@lead-lifecycle/lifecycle';
import { freshDatabase, type FreshDatabase } from '../../../test/support/postgres/fresh-database';

jest.setTimeout(60_000);

/** A relay app as main.ts builds it, with the fleet's settings given instead of read from the environment. */
async function relayApp(dataDir: string, databaseUrl: string, instanceId: string): Promise<INestApplicationContext> {
  const engine = EngineConfig.fromEnv({ DATA_DIR: dataDir });
  const eventing = LeadLifecycleModule.eventing({ engine });
  const module = {
    module: class FleetRelayModule {},
    imports: [
      eventing,
      KafkaRelayModule.forRoot({
        eventing,
        // No event is in the store, so the relay never connects to this (absent) broker.
        config: KafkaConfig.fromEnv({ KAFKA_BROKERS: '127.0.0.1:1' }),
        inProcess: true,
        postgres: PostgresConfig.fromEnv({ DATABASE_URL: databaseUrl }),
        lease: LeaseConfig.fromEnv({ LEASE_TTL_MS: '600', INSTANCE_ID: instanceId }),
      }),
    ],
  };
  const app = await NestFactory.createApplicationContext(module, { logger: false });
  await app.init();
  return app;
}

describe('the relay app with DATABASE_URL (local PostgreSQL server)', () => {
  let db: FreshDatabase;
  const dirs: string[] = [];
  beforeAll(async () => (db = await freshDatabase()));
  afterAll(async () => {
    await db.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const leaseOf = (app: INestApplicationContext) => app.get(ProcessorHost).runner(app.get(KafkaRelayProcessor).name)!.status().lease;
  async function until(predicate: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('runs the relay on one of two instances under the PostgreSQL lease; a clean shutdown hands it to the other at once', async () => {
    const apps = await Promise.all(['one', 'two'].map((id) => {
      const dir = mkdtempSync(join(tmpdir(), `relay-fleet-${id}-`));
      dirs.push(dir);
      return relayApp(dir, db.url, id);
    }));
    try {
      await until(() => apps.some((app) => leaseOf(app)?.held), 'a holder');
      const holder = apps.find((app) => leaseOf(app)?.held)!;
      const standby = apps.find((app) => app !== holder)!;
      expect(leaseOf(holder)).toEqual({ name: 'relay:kafka', held: true, term: 1 });
      expect(leaseOf(standby)).toEqual({ name: 'relay:kafka', held: false });
      const row = await db.pool.query<{ holder: string }>("SELECT holder FROM leases WHERE name = 'relay:kafka'");
      expect(row.rows[0].holder).toMatch(/^(one|two)\//);
      await holder.close();
      apps.splice(apps.indexOf(holder), 1);
      // Released at shutdown: the standby takes it at its next attempt, well before the TTL would run out.
      await until(() => leaseOf(standby)?.held === true, 'the standby to take over');
      expect(leaseOf(standby)).toEqual({ name: 'relay:kafka', held: true, term: 2 });
    } finally {
      for (const app of apps) await app.close();
    }
  });
});
