import 'reflect-metadata';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplicationContext, Logger } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { NestFactory } from '@nestjs/core';
import { DomainErrorCode, type EnrichmentHook, type EnrichmentRequest, type EnrichmentResult, ExtensionError, type FitScorer } from '@lead-lifecycle/domain';
import type { EventStore } from '@lead-lifecycle/eventing';
import { illTyped } from '../../../../test/support/domain/ill-typed';
import {
  CaptureEnricher,
  CaptureLeadCommand,
  EngineConfig,
  EVENT_STORE,
  GetLeadHistoryQuery,
  GetLeadQuery,
  LeadLifecycleModule,
  type LeadLifecycleModuleOptions,
} from '@lead-lifecycle/lifecycle';

const NOW = '2026-03-02T10:00:00.000Z';
const clock = { now: () => new Date(NOW) };
const context = { tenantId: 'tenant-a', actor: 'spec', correlationId: 'c-1', causationId: 'c-1' };
const input = (email: string) => ({ contact: { email }, source: { channel: 'partner' as const }, occurredAt: NOW });
const ACME: EnrichmentResult = { source: 'test-directory', attributes: { industry: 'software', employees: 420, listed: false } };

describe('LeadLifecycleModule.forRoot enrichment.atCapture (a host enrichment hook)', () => {
  let dataDir: string;
  let app: INestApplicationContext | undefined;
  let requests: EnrichmentRequest[];
  const directory: EnrichmentHook = async (lead) => {
    requests.push(lead);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return lead.emailDomain === 'acme.example' ? ACME : undefined;
  };

  const start = async (options: Partial<LeadLifecycleModuleOptions>) => {
    const engine = EngineConfig.fromEnv({ DATA_DIR: dataDir, PROCESSORS_IN: 'main' });
    app = await NestFactory.createApplicationContext(LeadLifecycleModule.forRoot({ engine, clock, runReactions: false, ...options }), { logger: false, abortOnError: false });
    return app;
  };
  const restart = async (options: Partial<LeadLifecycleModuleOptions>) => {
    await app?.close();
    app = undefined;
    return start(options);
  };
  const capture = (nest: INestApplicationContext, email: string) => nest.get(CommandBus).execute(new CaptureLeadCommand(input(email), context));
  const lead = (nest: INestApplicationContext, leadId: string, asOf?: { businessTime: string }) => nest.get(QueryBus).execute(new GetLeadQuery('tenant-a', leadId, asOf));

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-enrichment-ext-'));
    requests = [];
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await app?.close();
    app = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('records the answer as LeadEnriched at capture, shows it, and a fresh app reads it back without calling the hook', async () => {
    const nest = await start({ enrichment: { atCapture: directory } });
    const { leadId } = await capture(nest, 'Dana@ACME.example');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ tenantId: 'tenant-a', leadId, emailDomain: 'acme.example', contact: { email: 'dana@acme.example' } });

    const history = await nest.get(QueryBus).execute(new GetLeadHistoryQuery('tenant-a', leadId));
    expect(history.events.map((e) => e.type)).toEqual(['LeadCaptured', 'LeadEnriched']);
    expect(history.events[1]).toMatchObject({ schemaVersion: 1, data: { leadId, ...ACME, enrichedAt: NOW, occurredAt: NOW } });

    const replayed = await restart({ enrichment: { atCapture: directory } });
    expect(await lead(replayed, leadId)).toMatchObject({ enrichment: { ...ACME, enrichedAt: NOW } });
    expect(await lead(replayed, leadId, { businessTime: NOW })).toMatchObject({ enrichment: { ...ACME, enrichedAt: NOW } });
    expect(requests).toHaveLength(1);
  });

  it('lets the host fit scorer score what the hook found; replay reads the recorded score and calls neither', async () => {
    let scored = 0;
    const bySize: FitScorer = (profile) => {
      scored++;
      return Number(profile.enrichment?.attributes.employees ?? 0) >= 200 ? { points: 55, reasons: ['host: 200+ employees (+55)'] } : { points: 0, reasons: [] };
    };
    const nest = await start({ enrichment: { atCapture: directory }, scoring: { fit: bySize } });
    const { leadId } = await capture(nest, 'dana@acme.example');
    const calls = { hook: requests.length, scorer: scored };
    expect(await lead(nest, leadId)).toMatchObject({ stage: 'mql', score: { fit: 55 }, fitReasons: ['host: 200+ employees (+55)'] });

    const replayed = await restart({ enrichment: { atCapture: directory }, scoring: { fit: bySize } });
    expect(await lead(replayed, leadId)).toMatchObject({ stage: 'mql', score: { fit: 55 } });
    expect({ hook: requests.length, scorer: scored }).toEqual(calls);
  });

  it('does not call the hook for a capture recorded on an existing lead (LeadRecaptured)', async () => {
    const nest = await start({ enrichment: { atCapture: directory } });
    const first = await capture(nest, 'dana@acme.example');
    const again = await capture(nest, 'dana@acme.example');
    expect(again).toMatchObject({ leadId: first.leadId, deduplicated: true });
    expect(requests).toHaveLength(1);
  });

  it('shows no enrichment, and writes none, when the hook found nothing or there is no hook', async () => {
    const nest = await start({ enrichment: { atCapture: directory } });
    const { leadId } = await capture(nest, 'dana@elsewhere.example');
    expect(await lead(nest, leadId)).toMatchObject({ enrichment: null });
    const plain = await restart({});
    const other = await capture(plain, 'eve@acme.example');
    expect(await lead(plain, other.leadId)).toMatchObject({ enrichment: null });
    expect(requests).toHaveLength(1);
  });

  const rejects: EnrichmentHook = () => Promise.reject(new Error('directory is down'));
  const throwsAtOnce: EnrichmentHook = () => {
    throw new Error('bad code');
  };
  it.each([
    ['rejects', rejects, 'directory is down'],
    ['throws synchronously', throwsAtOnce, 'bad code'],
  ])('captures the lead without enrichment when the hook %s, and logs it', async (_what, hook, message) => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const nest = await start({ enrichment: { atCapture: hook } });
    const { leadId } = await capture(nest, 'dana@acme.example');
    expect(await lead(nest, leadId)).toMatchObject({ stage: 'lead', enrichment: null });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(message));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(leadId));
  });

  it('stops waiting after timeoutMs, aborts the hook’s signal, and captures without enrichment', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    let aborted = false;
    const slow: EnrichmentHook = (_lead, { signal }) =>
      new Promise((resolve) => {
        signal.addEventListener('abort', () => (aborted = true));
        setTimeout(() => resolve(ACME), 2_000).unref();
      });
    const nest = await start({ enrichment: { atCapture: slow, timeoutMs: 50 } });
    const started = Date.now();
    const { leadId } = await capture(nest, 'dana@acme.example');
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(aborted).toBe(true);
    expect(await lead(nest, leadId)).toMatchObject({ enrichment: null });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('no answer within 50 ms'));
  });

  it('refuses the capture for an answer of another shape, with ExtensionError INVALID_CONFIGURATION, and writes nothing', async () => {
    let answer: unknown;
    const nest = await start({ enrichment: { atCapture: () => illTyped<EnrichmentResult>(answer) } });
    const store = nest.get<EventStore>(EVENT_STORE);
    const hostile = fc.oneof(
      fc.anything().filter((v) => v !== undefined && v !== null && !(typeof v === 'object' && !Array.isArray(v))),
      fc.record({ source: fc.constant('directory'), attributes: fc.dictionary(fc.constantFrom('a', 'b'), fc.oneof(fc.object(), fc.constant(null), fc.array(fc.string())), { minKeys: 1 }) }),
      fc.record({ source: fc.constant(''), attributes: fc.constant({ a: 1 }) }),
      fc.record({ source: fc.constant('directory'), attributes: fc.constant({ a: 'x'.repeat(501) }) }),
      fc.record({ source: fc.constant('directory'), attributes: fc.constant(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]))) }),
      fc.record({ source: fc.constant('directory'), attributes: fc.constant({ a: 1 }), extra: fc.anything() }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostile, async (bad) => {
        answer = bad;
        const refused = capture(nest, `hostile-${n++}@acme.example`);
        await expect(refused).rejects.toBeInstanceOf(ExtensionError);
        await expect(refused).rejects.toMatchObject({ code: DomainErrorCode.InvalidConfiguration, details: { extension: 'enrichment.atCapture' } });
      }),
      { numRuns: 40 },
    );
    // Not even the identity reservations: the answer is checked before anything is written.
    expect(await store.readAll()).toEqual([]);
  });

  it('fails at start for a hook that is not a function or a timeout out of range', () => {
    const clockOnly = { now: () => new Date(NOW) };
    expect(() => new CaptureEnricher({ atCapture: illTyped<EnrichmentHook>('directory') }, clockOnly)).toThrow(
      expect.objectContaining({ code: DomainErrorCode.InvalidConfiguration, details: expect.objectContaining({ extension: 'enrichment.atCapture' }) }),
    );
    for (const timeoutMs of [0, -1, 1.5, 30_001, Number.NaN, illTyped<number>('2000')]) {
      expect(() => new CaptureEnricher({ atCapture: directory, timeoutMs }, clockOnly)).toThrow(ExtensionError);
    }
    expect(new CaptureEnricher(undefined, clockOnly).enabled).toBe(false);
  });

  it('refuses the start of a module given such options', async () => {
    await expect(start({ enrichment: { atCapture: illTyped<EnrichmentHook>(42) } })).rejects.toThrow(ExtensionError);
  });
});
