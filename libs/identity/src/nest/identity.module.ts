import { DynamicModule, Inject, Module, OnModuleDestroy, Optional, Provider } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { Clock, systemClock } from '@lead-lifecycle/domain';
import { CLOCK, ENGINE_CONFIG, EngineConfig } from '@lead-lifecycle/lifecycle';
import type { ApiKeyStore } from '../api-key.store';
import { AuthConfig } from '../auth.config';
import { Authenticator, CredentialAuthenticator, ResolverAuthenticator } from '../authenticator';
import { JwtVerifier } from '../jwt-verifier';
import { ensurePlatformKey, firstStartMessage, PlatformKeySetup } from '../platform-key';
import type { PrincipalResolver } from '../principal';
import { openApiKeyStore } from '../open-api-key-store';
import { PostgresConfig } from '@lead-lifecycle/eventing';
import { AuthGuard } from './auth.guard';
import { CredentialThrottlerGuard, rateLimitOptions } from './credential-throttler.guard';
import { API_KEY_STORE, AUTH_CONFIG, AUTHENTICATOR, IDENTITY_CLOCK, IDENTITY_OPTIONS, PLATFORM_KEY_SETUP } from './identity.tokens';
import { RouteAccessCheck } from './route-access.check';

export interface IdentityModuleOptions {
  /** Defaults to AuthConfig.fromEnv(). */
  readonly config?: AuthConfig;
  /**
   * A host application's own authentication (embedding). With it, no API keys, platform key or JWTs
   * of ours are used; the guard and the role table stay the same.
   */
  readonly resolver?: PrincipalResolver;
  /** Folder of identity.sqlite and admin-api-key; defaults to the engine's DATA_DIR, else ./data. */
  readonly dataDir?: string;
  /**
   * Defaults to a PostgresApiKeyStore with `postgres.DATABASE_URL` (shared by every instance), else a
   * SqliteApiKeyStore in dataDir; closed with the module.
   */
  readonly apiKeyStore?: ApiKeyStore;
  /** The PostgreSQL server the instances share (DATABASE_URL); defaults to PostgresConfig.fromEnv(). */
  readonly postgres?: PostgresConfig;
  /** Defaults to the lifecycle module's CLOCK when present, else the system clock. */
  readonly clock?: Clock;
  /** Where the first start's credentials are printed, once; defaults to standard output. */
  readonly announce?: (lines: string[]) => void;
  /** Where the API answers, for the first start's example request (default http://localhost:3000). */
  readonly baseUrl?: string;
  /** Register the AuthGuard (and the rate limit) for every route of the application (default true). */
  readonly globalGuard?: boolean;
  /** Per-credential rate limiting with @nestjs/throttler, after the AuthGuard (default true with the global guard). */
  readonly rateLimit?: boolean;
}

/**
 * Identity for a Nest application: authentication (API keys, platform key, JWTs, or the host's
 * resolver), the AuthGuard on every route with the start-up check that every route declares an access
 * rule, and the per-credential rate limit. Not global: import it in the application's root module.
 */
@Module({})
export class IdentityModule implements OnModuleDestroy {
  constructor(
    @Inject(IDENTITY_OPTIONS) private readonly options: IdentityModuleOptions,
    @Optional() @Inject(API_KEY_STORE) private readonly store: ApiKeyStore | null,
  ) {}

  static forRoot(options: IdentityModuleOptions = {}): DynamicModule {
    const config = options.config ?? AuthConfig.fromEnv();
    const globalGuard = options.globalGuard ?? true;
    const rateLimit = globalGuard && (options.rateLimit ?? true);
    const providers: Provider[] = [
      { provide: IDENTITY_OPTIONS, useValue: options },
      { provide: AUTH_CONFIG, useValue: config },
      {
        provide: IDENTITY_CLOCK,
        inject: [{ token: CLOCK, optional: true }],
        useFactory: (lifecycleClock?: Clock) => options.clock ?? lifecycleClock ?? systemClock,
      },
      {
        provide: API_KEY_STORE,
        inject: [{ token: ENGINE_CONFIG, optional: true }],
        // Its migrations run here, before the application serves.
        useFactory: async (engine?: EngineConfig): Promise<ApiKeyStore | null> =>
          options.resolver
            ? null
            : (options.apiKeyStore ??
              (await openApiKeyStore(dataDirOf(options, engine), options.postgres ?? PostgresConfig.fromEnv(), `lead-lifecycle api-keys ${process.pid}`))),
      },
      {
        provide: PLATFORM_KEY_SETUP,
        inject: [API_KEY_STORE, IDENTITY_CLOCK, { token: ENGINE_CONFIG, optional: true }],
        useFactory: async (store: ApiKeyStore | null, clock: Clock, engine?: EngineConfig): Promise<PlatformKeySetup | null> => {
          if (!store) return null;
          const setup = await ensurePlatformKey({ dataDir: dataDirOf(options, engine), adminApiKey: config.ADMIN_API_KEY, store, now: clock.now() });
          const lines = firstStartMessage(setup, options.baseUrl);
          if (lines.length) (options.announce ?? ((l: string[]) => process.stdout.write(`${l.join('\n')}\n`)))(lines);
          return setup;
        },
      },
      {
        provide: AUTHENTICATOR,
        inject: [API_KEY_STORE, PLATFORM_KEY_SETUP, IDENTITY_CLOCK],
        useFactory: (store: ApiKeyStore | null, setup: PlatformKeySetup | null, clock: Clock): Authenticator =>
          options.resolver
            ? new ResolverAuthenticator(options.resolver)
            : new CredentialAuthenticator({ store: store!, clock, platformKey: setup?.platformKey, jwt: JwtVerifier.fromConfig(config) }),
      },
      AuthGuard,
      ...(globalGuard ? [RouteAccessCheck, { provide: APP_GUARD, useExisting: AuthGuard }] : []),
      // Registered after the AuthGuard: global guards run in this order, and the limit is per principal.
      ...(rateLimit ? [CredentialThrottlerGuard, { provide: APP_GUARD, useExisting: CredentialThrottlerGuard }] : []),
    ];
    return {
      module: IdentityModule,
      imports: [DiscoveryModule, ...(rateLimit ? [ThrottlerModule.forRoot(rateLimitOptions(config))] : [])],
      providers,
      exports: [AUTH_CONFIG, API_KEY_STORE, AUTHENTICATOR, IDENTITY_CLOCK, AuthGuard],
    };
  }

  async onModuleDestroy(): Promise<void> {
    if (this.store && !this.options.apiKeyStore) await this.store.close();
  }
}

function dataDirOf(options: IdentityModuleOptions, engine?: EngineConfig): string {
  return options.dataDir ?? engine?.DATA_DIR ?? './data';
}
