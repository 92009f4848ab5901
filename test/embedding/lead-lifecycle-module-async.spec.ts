/**
 * LeadLifecycleModule.forRootAsync (README, Embedding, Async configuration) wires the same services as
 * forRoot: the same providers, exports and imports, and a command through the buses lands in the store.
 */
import 'reflect-metadata';
import { type DynamicModule, type INestApplicationContext, Injectable, Module, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIFECYCLE_CONFIG, leadStreamId } from '@lead-lifecycle/domain';
import { EVENT_STORE, type EventStore, EventingModule, ProcessorHost } from '@lead-lifecycle/eventing';
import {
  CaptureLeadCommand,
  CLOCK,
  ENGINE_CONFIG,
  EngineConfig,
  LeadLifecycleModule,
  type LeadLifecycleModuleOptions,
  LIFECYCLE_CONFIG,
  LIFECYCLE_MODULE_OPTIONS,
} from '@lead-lifecycle/lifecycle';

const NOW = '2026-03-02T10:00:00.000Z';
const clock = { now: () => new Date(NOW) };

/** A host's own configuration service, the kind forRootAsync's factory reads. */
@Injectable()
class HostSettings {
  constructor(readonly dataDir: string) {}
}

function settingsModule(dataDir: string): DynamicModule {
  @Module({})
  class SettingsModule {}
  return { module: SettingsModule, providers: [{ provide: HostSettings, useValue: new HostSettings(dataDir) }], exports: [HostSettings] };
}

const optionsFor = (dataDir: string): LeadLifecycleModuleOptions => ({
  engine: EngineConfig.fromEnv({ DATA_DIR: dataDir, PROCESSORS_IN: 'main' }),
  lifecycleConfig: DEFAULT_LIFECYCLE_CONFIG,
  clock,
});

const tokenOf = (provider: Provider): unknown => (typeof provider === 'function' ? provider : provider.provide);
const describeModule = (module: DynamicModule) => ({
  module: module.module,
  providers: (module.providers ?? []).map(tokenOf).filter((token) => token !== LIFECYCLE_MODULE_OPTIONS),
  exports: (module.exports ?? []).length,
  imports: (module.imports ?? []).map((imported) => (imported as DynamicModule).module),
});

describe('LeadLifecycleModule.forRootAsync', () => {
  const dirs: string[] = [];
  const apps: INestApplicationContext[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifecycle-async-'));
    dirs.push(dir);
    return dir;
  };
  const boot = async (module: DynamicModule) => {
    @Module({ imports: [module] })
    class HostModule {}
    const app = await NestFactory.createApplicationContext(HostModule, { logger: false, abortOnError: false });
    apps.push(app);
    return app;
  };

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('declares the same providers and exports as forRoot, its options from a provider module', () => {
    const dir = tempDir();
    const sync = LeadLifecycleModule.forRoot(optionsFor(dir));
    const async = LeadLifecycleModule.forRootAsync({ imports: [settingsModule(dir)], inject: [HostSettings], useFactory: (s: HostSettings) => optionsFor(s.dataDir) });
    const { imports: syncImports, ...syncRest } = describeModule(sync);
    const { imports: asyncImports, ...asyncRest } = describeModule(async);
    expect(asyncRest).toEqual(syncRest);
    expect(asyncImports.filter((module) => module !== syncImports[0] && !syncImports.includes(module))).toHaveLength(1); // the options module
    expect(asyncImports).toEqual(expect.arrayContaining(syncImports));
    expect(syncImports).toContain(EventingModule);
  });

  it('resolves the factory’s options (awaited) into the engine’s services and runs a command into the store', async () => {
    const dir = tempDir();
    const factory = jest.fn(async (settings: HostSettings) => optionsFor(settings.dataDir));
    const app = await boot(LeadLifecycleModule.forRootAsync({ imports: [settingsModule(dir)], inject: [HostSettings], useFactory: factory }));

    expect(factory).toHaveBeenCalledTimes(1);
    expect(app.get<EngineConfig>(ENGINE_CONFIG).DATA_DIR).toBe(dir);
    expect(app.get(LIFECYCLE_CONFIG)).toBe(DEFAULT_LIFECYCLE_CONFIG);
    expect(app.get(CLOCK)).toBe(clock);
    expect(app.get(ProcessorHost)).toBeInstanceOf(ProcessorHost);

    const context = { tenantId: 'acme', actor: 'user:alice', correlationId: 'c-1', causationId: 'c-1', command: 'CaptureLead' };
    const input = { contact: { email: 'dana@example.org' }, source: { channel: 'web_form' as const }, occurredAt: NOW };
    const { leadId } = await app.get(CommandBus).execute(new CaptureLeadCommand(input, context));
    const store = app.get<EventStore>(EVENT_STORE);
    const events = await store.readStream(leadStreamId(leadId));
    expect(events[0]?.type).toBe('LeadCaptured');
  });

  it('shares one factory run and one eventing module with eventingAsync, as forRoot shares eventing()', async () => {
    const dir = tempDir();
    const factory = jest.fn((settings: HostSettings) => optionsFor(settings.dataDir));
    const asyncOptions = { imports: [settingsModule(dir)], inject: [HostSettings], useFactory: factory };
    const eventing = LeadLifecycleModule.eventingAsync(asyncOptions);
    @Module({ imports: [eventing], providers: [{ provide: 'other store', useFactory: (store: EventStore) => store, inject: [EVENT_STORE] }], exports: ['other store'] })
    class OtherModule {}
    @Module({})
    class BothModule {}
    const app = await boot({ module: BothModule, imports: [OtherModule, LeadLifecycleModule.forRootAsync({ ...asyncOptions, eventing })] });

    expect(factory).toHaveBeenCalledTimes(1);
    expect(app.get('other store')).toBe(app.get(EVENT_STORE));
  });

  it('fails the start when the factory returns an eventing module (it could not be imported)', async () => {
    const dir = tempDir();
    const eventing = LeadLifecycleModule.eventing(optionsFor(dir));
    const module = LeadLifecycleModule.forRootAsync({ useFactory: () => ({ ...optionsFor(dir), eventing }) as LeadLifecycleModuleOptions });
    await expect(boot(module)).rejects.toThrow(/cannot return `eventing`/);
  });
});
