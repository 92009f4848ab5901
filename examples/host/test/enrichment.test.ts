import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DomainErrorCode, type EnrichmentHook, type EnrichmentResult, ExtensionError } from '@lead-lifecycle/domain';
import { CrmService } from '../src/crm.service';
import { type HostUser } from '../src/host-authenticator';
import { FIRMOGRAPHICS_SOURCE, firmographicsLookup, HOST_FIRMOGRAPHICS } from '../src/host-enrichment';
import { CLOUD_NATIVE_POINTS, CLOUD_NATIVE_REASON } from '../src/host-scoring';
import { HostModule, type HostModuleOptions } from '../src/host.module';

const NOW = '2026-03-02T10:00:00.000Z';
const clock = { now: () => new Date(NOW) };
const USERS = new Map<string, HostUser>([['t-alice', { id: 'alice', name: 'Alice', workspace: 'acme', roles: ['sales', 'viewer'] }]]);
const fromKube = (email: string) => ({ contact: { email }, source: { channel: 'partner' as const }, occurredAt: NOW });
const KUBE = HOST_FIRMOGRAPHICS.get('kube.example');

void describe('the host’s firmographic lookup (forRoot enrichment.atCapture)', () => {
  const signal = new AbortController().signal;
  const request = (emailDomain?: string) => ({ tenantId: 'acme', leadId: 'l-1', emailDomain, contact: {}, source: { channel: 'partner' as const } });

  void it('answers the directory’s attributes for a known domain, nothing for another', async () => {
    assert.deepEqual(await firmographicsLookup()(request('kube.example'), { signal }), { source: FIRMOGRAPHICS_SOURCE, attributes: KUBE });
    assert.equal(await firmographicsLookup()(request('example.org'), { signal }), undefined);
    assert.equal(await firmographicsLookup()(request(undefined), { signal }), undefined);
  });
});

void describe('enrichment at capture, embedded in the host', () => {
  let dataDir: string;
  let app: INestApplicationContext | undefined;
  let calls: number;
  const counted: EnrichmentHook = (lead, options) => {
    calls++;
    return firmographicsLookup()(lead, options);
  };
  const start = async (options: Partial<HostModuleOptions> = {}) => {
    app = await NestFactory.createApplicationContext(HostModule.forRoot({ dataDir, users: USERS, clock, enrichment: counted, ...options }), { logger: false });
    return app.get(CrmService);
  };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-host-enrich-'));
    calls = 0;
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  void it('records LeadEnriched right after LeadCaptured, shows it, and the host’s fit scorer scores the enriched industry', async () => {
    const crm = await start();
    const { leadId } = await crm.captureLead('t-alice', fromKube('ops@Kube.example'));
    assert.equal(calls, 1);
    const history = await crm.history('t-alice', leadId);
    assert.deepEqual(history.events.map((e) => e.type).slice(0, 2), ['LeadCaptured', 'LeadEnriched']);
    assert.deepEqual(history.events[1].data, { leadId, source: FIRMOGRAPHICS_SOURCE, attributes: KUBE, enrichedAt: NOW, occurredAt: NOW });
    const lead = await crm.lead('t-alice', leadId);
    assert.deepEqual(lead.enrichment, { source: FIRMOGRAPHICS_SOURCE, attributes: KUBE, enrichedAt: NOW });
    assert.equal(lead.score.fit, CLOUD_NATIVE_POINTS);
    assert.deepEqual(lead.fitReasons, [CLOUD_NATIVE_REASON]);
  });

  void it('shows the enrichment in a fresh app on the same data without calling the hook again', async () => {
    const first = await start();
    const { leadId } = await first.captureLead('t-alice', fromKube('ops@kube.example'));
    await app!.close();
    app = undefined;
    const fresh = await start();
    const lead = await fresh.lead('t-alice', leadId);
    assert.deepEqual(lead.enrichment?.attributes, KUBE);
    assert.equal(lead.score.fit, CLOUD_NATIVE_POINTS, 'the recorded fit, not a new one');
    assert.equal(calls, 1, 'replay never calls the hook');
  });

  void it('still captures the lead, without enrichment, when the hook throws', async () => {
    const down: EnrichmentHook = () => {
      calls++;
      throw new Error('directory unavailable');
    };
    const crm = await start({ enrichment: down });
    const { leadId } = await crm.captureLead('t-alice', fromKube('ops@kube.example'));
    assert.equal(calls, 1);
    const lead = await crm.lead('t-alice', leadId);
    assert.equal(lead.stage, 'lead');
    assert.equal(lead.enrichment, null);
    assert.deepEqual((await crm.history('t-alice', leadId)).events.map((e) => e.type), ['LeadCaptured']);
  });

  void it('refuses the capture with the engine’s typed error when the hook answers another shape', async () => {
    // As a host might pass a vendor's answer through unmapped.
    const nested: unknown = { source: 'vendor', attributes: { address: { city: 'Berlin' } } };
    const crm = await start({ enrichment: () => nested as EnrichmentResult });
    await assert.rejects(
      crm.captureLead('t-alice', fromKube('ops@kube.example')),
      (error: unknown) => error instanceof ExtensionError && error.code === DomainErrorCode.InvalidConfiguration,
    );
  });
});
