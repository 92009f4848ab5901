import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { CrmService } from './crm.service';
import { type HostUser } from './host-authenticator';
import { PARTNER_WEBINAR } from './host-lifecycle.rules';
import { HostModule } from './host.module';

/** This program's output: what the example shows. */
const print = (line: string) => process.stdout.write(`${line}\n`);

/** The example end to end (npm start): a temporary DATA_DIR, one user, a lead, an activity, the reads. */
async function main(): Promise<void> {
  const dataDir = process.env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'lead-lifecycle-host-'));
  const users = new Map<string, HostUser>([['token-alice', { id: 'alice', name: 'Alice', workspace: 'acme', roles: ['sales', 'viewer'] }]]);
  const app = await NestFactory.createApplicationContext(HostModule.forRoot({ dataDir, users }), { logger: ['error', 'warn'] });
  try {
    const crm = app.get(CrmService);
    const now = new Date().toISOString();
    const { leadId } = await crm.captureLead('token-alice', {
      contact: { email: 'dana@example.org', firstName: 'Dana' },
      jobTitle: 'Senior Platform Engineer',
      company: { name: 'Example Org', size: 250, country: 'DE' },
      source: { channel: 'partner', campaign: 'kubecon' },
      occurredAt: now,
    });
    const activity = await crm.recordActivity('token-alice', leadId, PARTNER_WEBINAR, now);
    const lead = await crm.lead('token-alice', leadId);
    const history = await crm.history('token-alice', leadId);
    const funnel = await crm.funnel('token-alice', activity.position);
    print(JSON.stringify({ dataDir, lead: { leadId, stage: lead.stage, score: lead.score, fitReasons: lead.fitReasons } }, null, 2));
    print(`history: ${history.events.map((e) => `${e.type} by ${String(e.metadata.actor)}`).join(', ')}`);
    print(`funnel (anyPath): ${JSON.stringify(funnel.groups[0]?.reached.anyPath)}`);
  } finally {
    await app.close();
    if (!process.env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
