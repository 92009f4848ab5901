import { Controller, Get, INestApplication, Post, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ManualClock } from './domain/manual-clock';
import { AuthConfig, AuthGuard, applySecurityHeaders, CurrentPrincipal, IdentityModule, IdentityModuleOptions, Principal, Public, Requires } from '@lead-lifecycle/identity';
import { ApiKeysController } from '../../apps/api/src/admin/api-keys.controller';
import { ErrorFilter } from '../../apps/api/src/http/error.filter';
import { createValidationPipe } from '../../apps/api/src/http/validation.pipe';

/** Counts handler calls, so tests can show that a refused request never reached its handler. */
export const probeCalls = { count: 0 };

/** Routes standing in for the API's: one public, one read, one write. */
@Controller('probe')
export class ProbeController {
  @Get('open')
  @Public()
  open(@CurrentPrincipal() principal?: Principal) {
    return { principal: principal ?? null };
  }

  @Get('leads')
  @Requires('lead:read')
  read(@CurrentPrincipal() principal: Principal) {
    probeCalls.count += 1;
    return { principal };
  }

  @Post('leads')
  @Requires('lead:capture')
  capture(@CurrentPrincipal() principal: Principal) {
    probeCalls.count += 1;
    return { actor: principal.actor };
  }
}

/** A route that forgot its access rule. */
@Controller('forgotten')
export class ForgottenController {
  @Get()
  forgotten() {
    probeCalls.count += 1;
    return { reached: true };
  }
}

/** The same forgotten route, guarded explicitly (for an application that does not use the global guard). */
@Controller('forgotten-guarded')
@UseGuards(AuthGuard)
export class ForgottenGuardedController {
  @Get()
  forgotten() {
    probeCalls.count += 1;
    return { reached: true };
  }
}

export interface IdentityTestApp {
  readonly app: INestApplication;
  readonly http: ReturnType<typeof request>;
  readonly clock: ManualClock;
  /** What the first start printed. */
  readonly announced: string[];
  close(): Promise<void>;
}

/**
 * A small Nest application with the identity module, the API's pipe and error filter, the admin key
 * routes and the probe routes: the identity parts as the API will use them, before they are wired in.
 */
export async function startIdentityTestApp(options: {
  env?: Record<string, string>;
  dataDir: string;
  controllers?: Array<new (...args: never[]) => object>;
  module?: Partial<IdentityModuleOptions>;
}): Promise<IdentityTestApp> {
  const config = AuthConfig.fromEnv(options.env ?? {});
  const clock = new ManualClock('2026-03-01T12:00:00Z');
  const announced: string[] = [];
  const moduleRef = await Test.createTestingModule({
    imports: [IdentityModule.forRoot({ config, dataDir: options.dataDir, clock, announce: (lines) => announced.push(...lines), ...options.module })],
    controllers: options.controllers ?? [ProbeController, ApiKeysController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  applySecurityHeaders(app, config);
  await app.init();
  return { app, http: request(app.getHttpServer()), clock, announced, close: () => app.close() };
}
