/**
 * ProjectionsModule.forRootAsync (README, Embedding, Async configuration) wires the same services as
 * forRoot from a factory over the host's own providers: the same providers and exports, the factory's
 * settings in the services, and a captured lead in the read models beside LeadLifecycleModule.forRootAsync.
 */
import 'reflect-metadata';
import { type DynamicModule, type INestApplicationContext, Injectable, Module, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIFECYCLE_CONFIG } from '@lead-lifecycle/domain';
import { CLOCK, PostgresConfig } from '@lead-lifecycle/eventing';
import { CaptureLeadCommand, EngineConfig, LeadLifecycleModule, type LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import {
  ListLeadsQuery,
  PROJECTIONS_CONFIG,
  PROJECTIONS_MODULE_OPTIONS,
  ProjectionsConfig,
  ProjectionsModule,
  type ProjectionsModuleOptions,
  ReadModels,
} from '@lead-lifecycle/projections';

const NOW = '2026-03-02T10:00:00.000Z';
const clock = { now: () => new Date(NOW) };

/** A host's own configuration service, the kind the factories read. */
@Injectable()
class HostSettings {
  constructor(
    readonly dataDir: string,
    readonly projections: ProjectionsConfig,
  ) {}
}

function settingsModule(settings: HostSettings): DynamicModule {
  @Module({})
  class SettingsModule {}
  return { module: SettingsModule, providers: [{ provide: HostSettings, useValue: settings }], exports: [HostSettings] };
}

const lifecycleOptions = (s: HostSettings): LeadLifecycleModuleOptions => ({
  engine: EngineConfig.fromEnv({ DATA_DIR: s.dataDir, PROCESSORS_IN: 'main' }),
  lifecycleConfig: DEFAULT_LIFECYCLE_CONFIG,
  clock,
});
const noPostgres = PostgresConfig.fromEnv({});

const tokenOf = (provider: Provider): unknown => (typeof provider === 'function' ? provider : provider.provide);
const describeModule = (module: DynamicModule) => ({
  module: module.module,
  providers: (module.providers ?? []).map(tokenOf),
  exports: module.exports,
  imports: module.imports,
});

describe('ProjectionsModule.forRootAsync', () => {
  const dirs: string[] = [];
  const apps: INestApplicationContext[] = [];
  const settings = (env: NodeJS.ProcessEnv = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'projections-async-'));
    dirs.push(dir);
    return new HostSettings(dir, ProjectionsConfig.fromEnv(env));
  };
  const boot = async (...modules: DynamicModule[]) => {
    @Module({ imports: modules })
    class HostModule {}
    const app = await NestFactory.createApplicationContext(HostModule, { logger: false, abortOnError: false });
    apps.push(app);
    return app;
  };

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('declares the same providers and exports as forRoot, and imports the host’s modules beside the eventing module', () => {
    const s = settings();
    const eventing = LeadLifecycleModule.eventing(lifecycleOptions(s));
    const host = settingsModule(s);
    const sync = describeModule(ProjectionsModule.forRoot({ eventing, config: s.projections, postgres: noPostgres }));
    const async = describeModule(ProjectionsModule.forRootAsync({ eventing, imports: [host], inject: [HostSettings], useFactory: (h: HostSettings) => ({ config: h.projections }) }));
    expect(async.module).toBe(sync.module);
    expect(async.providers).toEqual(sync.providers);
    expect(async.providers).toContain(PROJECTIONS_MODULE_OPTIONS);
    expect(async.exports).toEqual(sync.exports);
    expect(sync.imports).toEqual([eventing]);
    expect(async.imports).toEqual([eventing, host]);
  });

  it('resolves the factory’s options (awaited) into the services, and projects a lead captured through LeadLifecycleModule.forRootAsync', async () => {
    const s = settings({ PROJECTION_BATCH_SIZE: '7' });
    const lifecycleAsync = { imports: [settingsModule(s)], inject: [HostSettings], useFactory: lifecycleOptions };
    const eventing = LeadLifecycleModule.eventingAsync(lifecycleAsync);
    const factory = jest.fn(async (h: HostSettings): Promise<Omit<ProjectionsModuleOptions, 'eventing'>> => ({ config: h.projections, clock, postgres: noPostgres }));
    const app = await boot(
      LeadLifecycleModule.forRootAsync({ ...lifecycleAsync, eventing }),
      ProjectionsModule.forRootAsync({ eventing, imports: [settingsModule(s)], inject: [HostSettings], useFactory: factory }),
    );

    expect(factory).toHaveBeenCalledTimes(1);
    const config = app.get<ProjectionsConfig>(PROJECTIONS_CONFIG);
    expect(config).toBe(s.projections);
    expect(config.PROJECTION_BATCH_SIZE).toBe(7);
    expect(app.get(CLOCK, { strict: false })).toBe(clock);

    const context = { tenantId: 'acme', actor: 'user:alice', correlationId: 'c-1', causationId: 'c-1', command: 'CaptureLead' };
    const input = { contact: { email: 'dana@example.org' }, source: { channel: 'web_form' as const }, occurredAt: NOW };
    const { leadId, position } = await app.get(CommandBus).execute(new CaptureLeadCommand(input, context));
    const listed = await app.get(QueryBus).execute(new ListLeadsQuery({ tenantId: 'acme', minPosition: position }));
    expect(listed.items.map((item: { leadId: string }) => item.leadId)).toEqual([leadId]);
    expect(app.get(ReadModels)).toBeInstanceOf(ReadModels);
  });

  it('fails the start on a factory that returns an eventing module, or READ_MODELS=postgres without DATABASE_URL', async () => {
    const s = settings();
    const eventing = LeadLifecycleModule.eventing(lifecycleOptions(s));
    const withEventing = ProjectionsModule.forRootAsync({ eventing, useFactory: () => ({ config: s.projections, eventing }) as Omit<ProjectionsModuleOptions, 'eventing'> });
    await expect(boot(withEventing)).rejects.toThrow(/cannot return `eventing`/);
    const unreachable = ProjectionsModule.forRootAsync({ eventing, useFactory: () => ({ config: ProjectionsConfig.fromEnv({ READ_MODELS: 'postgres' }), postgres: noPostgres }) });
    await expect(boot(unreachable)).rejects.toThrow(/READ_MODELS=postgres needs DATABASE_URL/);
  });
});
