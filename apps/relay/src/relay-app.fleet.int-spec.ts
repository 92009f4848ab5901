import type { INestApplicationContext } from '@nestjs/common';
import { ProcessorHost } from '@lead-lifecycle/eventing';
import { KafkaConfig, KafkaRelayModule, KafkaRelayProcessor } from '@lead-lifecycle/kafka-relay';
import { EngineConfig, LeadLifecycleModule } from '@lead-lifecycle/lifecycle';
import { FleetFixture, fleetSettings, until } from '../../../test/support/postgres/fleet-fixture';

jest.setTimeout(60_000);

describe('the relay app with DATABASE_URL (local PostgreSQL server)', () => {
  const fleet = new FleetFixture();
  beforeAll(() => fleet.setUp());
  afterAll(() => fleet.tearDown());

  /** A relay app as main.ts builds it, with the fleet's settings given instead of read from the environment. */
  function relayApp(instanceId: string): Promise<INestApplicationContext> {
    const engine = EngineConfig.fromEnv({ DATA_DIR: fleet.dataDir(`relay-fleet-${instanceId}`) });
    const eventing = LeadLifecycleModule.eventing({ engine });
    // No event is in the store, so the relay never connects to this (absent) broker.
    const config = KafkaConfig.fromEnv({ KAFKA_BROKERS: '127.0.0.1:1' });
    return fleet.boot({
      module: class FleetRelayModule {},
      imports: [eventing, KafkaRelayModule.forRoot({ eventing, config, inProcess: true, ...fleetSettings(fleet.db.url, instanceId) })],
    });
  }

  const leaseOf = (app: INestApplicationContext) => app.get(ProcessorHost).runner(app.get(KafkaRelayProcessor).name)!.status().lease;

  it('runs the relay on one of two instances under the PostgreSQL lease; a clean shutdown hands it to the other at once', async () => {
    const apps = await Promise.all(['one', 'two'].map(relayApp));
    try {
      await until(() => apps.some((app) => leaseOf(app)?.held), 'a holder');
      const holder = apps.find((app) => leaseOf(app)?.held)!;
      const standby = apps.find((app) => app !== holder)!;
      expect(leaseOf(holder)).toEqual({ name: 'relay:kafka', held: true, term: 1 });
      expect(leaseOf(standby)).toEqual({ name: 'relay:kafka', held: false });
      const row = await fleet.db.pool.query<{ holder: string }>("SELECT holder FROM leases WHERE name = 'relay:kafka'");
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
