import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngineConfig } from '@lead-lifecycle/lifecycle';
import { KafkaConfig } from '@lead-lifecycle/kafka-relay';
import { ProjectionsConfig } from '@lead-lifecycle/projections';
import { API_KEY_STORE, type ApiKeyStore, AuthConfig } from '@lead-lifecycle/identity';
import { createApp } from '../../api/src/bootstrap';
import { HttpConfig } from '../../api/src/config/http.config';
import { type DemoAnswer, playDemoScenario } from './demo-scenario';

/**
 * npm run demo: boots the API on the data folder `npm start` uses (DATA_DIR, default ./data), on a free
 * local port, plays the seeded sample funnel through its HTTP API, waits for the read models, and prints
 * keys to sign in to the dashboard with. Run it while the API is stopped, then `npm start`.
 * DEMO_LEADS (default 250) and DEMO_SEED (default 17) change the sample.
 */
async function main(): Promise<void> {
  const started = Date.now();
  // This process only: commands on the main thread (no worker start-up), no fsync per commit, and no
  // rate limit for the one client that plays the scenario. The API started afterwards uses its own settings.
  const env = { ...process.env, PROCESSORS_IN: 'main', SQLITE_DURABILITY: 'normal', RATE_LIMIT_PER_MINUTE: '1000000', KAFKA_BROKERS: '' };
  const engine = EngineConfig.fromEnv(env);
  const app = await createApp({
    lifecycle: { engine },
    projections: ProjectionsConfig.fromEnv(env),
    kafka: KafkaConfig.fromEnv(env),
    // Its PORT only names the address in the first-start message; this process listens on a free port.
    http: HttpConfig.fromEnv(env),
    auth: AuthConfig.fromEnv(env),
    logger: false,
  });
  await app.listen(0, '127.0.0.1');
  try {
    const base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
    const keys = app.get<ApiKeyStore>(API_KEY_STORE);
    const admin = await keys.create({ tenantId: 'default', roles: ['admin'], name: 'demo admin' }, new Date());
    const rep = await keys.create({ tenantId: 'default', roles: ['rep'], name: 'demo rep ana', ownerId: 'rep-ana' }, new Date());
    const marketing = await keys.create({ tenantId: 'default', roles: ['marketing'], name: 'demo marketing' }, new Date());
    const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${admin.key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as DemoAnswer };
    };
    const leads = Number(process.env.DEMO_LEADS ?? 250);
    const report = await playDemoScenario(call, {
      leads,
      seed: Number(process.env.DEMO_SEED ?? 17),
      onProgress: (done, total) => done % 50 === 0 && process.stdout.write(`  ${done}/${total} leads\n`),
    });
    // The read models follow the log; wait until they hold everything, so the first look is complete.
    for (let i = 0; i < 200; i++) {
      const { body } = await call('GET', '/v1/projections');
      if ((body.processors ?? []).filter((p) => p.name.startsWith('projection:')).every((p) => p.eventsBehind === 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      [
        '',
        `Demo data: ${report.leadIds.length} leads through ${report.requests} API requests in ${seconds} s, in ${engine.DATA_DIR}.`,
        'Start the API (npm start) and open the dashboard:',
        `  http://localhost:${HttpConfig.fromEnv(env).PORT}/dashboard`,
        'Sign in with one of these keys (shown this once):',
        `  admin     ${admin.key}`,
        `  rep       ${rep.key}   (owner rep-ana: sees its own and unassigned leads)`,
        `  marketing ${marketing.key}`,
        '',
      ].join('\n'),
    );
  } finally {
    await app.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
