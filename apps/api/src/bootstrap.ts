import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import type { LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import type { KafkaConfig } from '@lead-lifecycle/kafka-relay';
import type { ProjectionsConfig } from '@lead-lifecycle/projections';
import { applySecurityHeaders, AuthConfig } from '@lead-lifecycle/identity';
import { AppModule } from './app.module';
import { HttpConfig } from './config/http.config';
import { answerClientErrorsInShape } from './http/client-error.handler';
import { ErrorFilter } from './http/error.filter';
import { methodNotAllowed } from './http/method-not-allowed.middleware';
import { requestInput } from './http/request-input.middleware';
import { RouteTable } from './http/route-table';
import { buildOpenApiDocument } from './http/openapi-document';
import { createValidationPipe } from './http/validation.pipe';

export interface AppOptions {
  readonly lifecycle?: LeadLifecycleModuleOptions;
  readonly projections?: ProjectionsConfig;
  readonly kafka?: KafkaConfig;
  /** Body limit and JSON depth of the edge; the defaults when absent. */
  readonly http?: HttpConfig;
  /** Credentials, rate limits and CORS; AuthConfig.fromEnv() when absent. */
  readonly auth?: AuthConfig;
  /** false silences Nest's logger (tests). */
  readonly logger?: false;
}

/** Builds the API application (not listening yet): used by main.ts and by the end-to-end tests. */
export async function createApp(options: AppOptions = {}): Promise<INestApplication> {
  const http = options.http ?? HttpConfig.fromEnv({});
  const auth = options.auth ?? AuthConfig.fromEnv();
  const app = await NestFactory.create(AppModule.register(options.lifecycle, options.projections, options.kafka, auth, http), {
    logger: options.logger === false ? false : ['log', 'warn', 'error'],
    // Nest's parsers would take urlencoded forms and any JSON; ours takes JSON only, bounded (request-input.middleware.ts).
    bodyParser: false,
  });
  // First, so that every answer (a refusal of the edge too) carries the security headers and no X-Powered-By.
  applySecurityHeaders(app, auth);
  // Registered before init, so ahead of every route; they read the route table at request time, once Nest has filled it.
  const routes = RouteTable.of(app);
  app.use(methodNotAllowed(routes));
  app.use(requestInput(http, routes));
  answerClientErrorsInShape(app.getHttpServer() as Server);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
