import type { INestApplicationContext } from '@nestjs/common';
import { DEFAULT_LIFECYCLE_CONFIG } from '@lead-lifecycle/domain';
import { Processors } from '@lead-lifecycle/eventing';
import { EngineConfig, LeadLifecycleModule } from '@lead-lifecycle/lifecycle';
import { ManualClock } from '../../../test/support/domain/manual-clock';
import { FleetFixture, fleetSettings, until } from '../../../test/support/postgres/fleet-fixture';
import { AutomationModule } from './automation.module';

jest.setTimeout(60_000);

const REACTIONS = ['reaction:routing', 'reaction:sla', 'reaction:aging'];

describe('the automation reactions with DATABASE_URL (local PostgreSQL server)', () => {
  const fleet = new FleetFixture();
  beforeAll(() => fleet.setUp());
  afterAll(() => fleet.tearDown());

  function automationApp(instanceId: string): Promise<INestApplicationContext> {
    const dataDir = fleet.dataDir(`automation-fleet-${instanceId}`);
    const eventing = LeadLifecycleModule.eventing({ engine: EngineConfig.fromEnv({ DATA_DIR: dataDir }) });
    const clock = new ManualClock(new Date('2026-03-01T00:00:00Z'));
    return fleet.boot({
      module: class FleetAutomationModule {},
      imports: [
        eventing,
        AutomationModule.forRoot({
          eventing,
          lifecycleConfig: DEFAULT_LIFECYCLE_CONFIG,
          dataDir,
          clock,
          runReactions: true,
          sweepIntervalMs: 60_000,
          ...fleetSettings(fleet.db.url, instanceId),
        }),
      ],
    });
  }

  const statusIn = (app: INestApplicationContext, name: string) => app.get(Processors).runner(name)!.status();
  const holders = (apps: INestApplicationContext[], name: string) => apps.filter((app) => statusIn(app, name).lease?.held);

  it('runs each stateful reaction on exactly one of three instances; the holders hand them over at a clean shutdown', async () => {
    const apps = await Promise.all(['a', 'b', 'c'].map(automationApp));
    try {
      await until(() => REACTIONS.every((name) => holders(apps, name).length === 1), 'one holder of every reaction');
      for (const name of REACTIONS) {
        expect(holders(apps, name)).toHaveLength(1);
        // A reaction not held here is not running here.
        for (const app of apps.filter((a) => !holders(apps, name).includes(a))) expect(statusIn(app, name).state).toBe('idle');
      }
      const routingHolder = holders(apps, 'reaction:routing')[0];
      await routingHolder.close();
      apps.splice(apps.indexOf(routingHolder), 1);
      await until(() => holders(apps, 'reaction:routing').length === 1, 'the routing reaction to move');
      expect(statusIn(holders(apps, 'reaction:routing')[0], 'reaction:routing')).toMatchObject({ state: 'running', lease: { held: true, term: 2 } });
    } finally {
      for (const app of apps) await app.close();
    }
  });
});
