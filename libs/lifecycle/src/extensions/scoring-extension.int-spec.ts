import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { NestFactory } from '@nestjs/core';
import { DomainErrorCode, ExtensionError, type FitScorer } from '@lead-lifecycle/domain';
import { illTyped } from '../../../../test/support/domain/ill-typed';
import { CaptureLeadCommand, EngineConfig, GetLeadQuery, LeadLifecycleModule, leadDecisionExtensionsOf, type LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';

const NOW = '2026-03-02T10:00:00.000Z';
const clock = { now: () => new Date(NOW) };
const context = { tenantId: 'tenant-a', actor: 'spec', correlationId: 'c-1', causationId: 'c-1' };
const input = { contact: { email: 'dana@example.org' }, jobTitle: 'Platform Engineer', source: { channel: 'partner' as const }, occurredAt: NOW };

describe('LeadLifecycleModule.forRoot scoring.fit (a host fit scorer)', () => {
  let dataDir: string;
  let app: INestApplicationContext | undefined;
  let calls = 0;
  const scorer: FitScorer = (profile) => {
    calls++;
    return /platform/i.test(profile.jobTitle ?? '') ? { points: 55, reasons: ['host: platform team (+55)'] } : { points: 0, reasons: [] };
  };

  const start = async (options: Partial<LeadLifecycleModuleOptions>) => {
    const engine = EngineConfig.fromEnv({ DATA_DIR: dataDir, PROCESSORS_IN: 'main' });
    app = await NestFactory.createApplicationContext(LeadLifecycleModule.forRoot({ engine, clock, runReactions: false, ...options }), { logger: false });
    return app;
  };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-scoring-ext-'));
    calls = 0;
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('scores the capture with the host’s points, recorded, and reads them back without calling it again', async () => {
    const nest = await start({ scoring: { fit: scorer } });
    const { leadId } = await nest.get(CommandBus).execute(new CaptureLeadCommand(input, context));
    const callsAtCapture = calls;
    expect(callsAtCapture).toBeGreaterThan(0);
    await nest.close();
    app = undefined;
    // A fresh process folds the stored events: the recorded score, the scorer never called.
    const replayed = await start({ scoring: { fit: scorer } });
    const view = await replayed.get(QueryBus).execute(new GetLeadQuery('tenant-a', leadId));
    expect(view).toMatchObject({ stage: 'mql', score: { fit: 55, total: 55 } });
    expect(calls).toBe(callsAtCapture);
  });

  it('keeps the engine’s defaults without it', async () => {
    const nest = await start({});
    const { leadId } = await nest.get(CommandBus).execute(new CaptureLeadCommand(input, context));
    const view = await nest.get(QueryBus).execute(new GetLeadQuery('tenant-a', leadId));
    expect(view).toMatchObject({ stage: 'lead' });
  });

  it('refuses a scorer that is not a function with a typed error', () => {
    const bad = { scoring: { fit: illTyped<FitScorer>(42) } };
    expect(() => leadDecisionExtensionsOf(bad)).toThrow(ExtensionError);
    expect(() => leadDecisionExtensionsOf(bad)).toThrow(expect.objectContaining({ code: DomainErrorCode.InvalidConfiguration }));
  });
});
