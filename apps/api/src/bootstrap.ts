import type { Server } from 'node:http';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { type LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import { type KafkaConfig } from '@lead-lifecycle/kafka-relay';
import { type ProjectionsConfig } from '@lead-lifecycle/projections';
import { applySecurityHeaders, AuthConfig } from '@lead-lifecycle/identity';
import { AppModule } from './app.module';
import { HttpConfig } from './config/http.config';
import { answerClientErrorsInShape } from './http/client-error.handler';
import { ErrorFilter } from './http/error.filter';
import { createFastifyAdapter, prepareFastifyEdge } from './http/fastify-edge';
import { methodNotAllowed } from './http/method-not-allowed.middleware';
import { requestInput } from './http/request-input.middleware';
import { RouteTable } from './http/route-table';
import { buildOpenApiDocument } from './http/openapi-document';
import { createValidationPipe } from './http/validation.pipe';

export interface AppOptions {
  readonly lifecycle?: LeadLifecycleModuleOptions;
  readonly projections?: ProjectionsConfig;
  readonly kafka?: KafkaConfig;
  /** Body limit, JSON depth and HTTP server (HTTP_ADAPTER) of the edge; the defaults when absent. */
  readonly http?: HttpConfig;
  /** Credentials, rate limits and CORS; AuthConfig.fromEnv() when absent. */
  readonly auth?: AuthConfig;
  /** false silences Nest's logger (tests). */
  readonly logger?: false;
}

/**
 * Builds the API application (not listening yet): used by main.ts and by the end-to-end tests. The same
 * module, pipes, guards, filter and interceptors on either HTTP server; only the edge differs in how it
 * is plugged in (Express middleware, or Fastify hooks and a content-type parser).
 */
export async function createApp(options: AppOptions = {}): Promise<INestApplication> {
  const http = options.http ?? HttpConfig.fromEnv({});
  const auth = options.auth ?? AuthConfig.fromEnv();
  const module = AppModule.register(options.lifecycle, options.projections, options.kafka, auth, http, options.logger === false);
  const nestOptions = {
    logger: options.logger === false ? (false as const) : (['log', 'warn', 'error'] as ('log' | 'warn' | 'error')[]),
    // Nest's parsers would take urlencoded forms and any JSON; ours takes JSON only, bounded.
    bodyParser: false,
  };
  const fastify = http.HTTP_ADAPTER === 'fastify';
  // Without an adapter Nest uses Express, whose server is Node's http.Server.
  const app = fastify
    ? await NestFactory.create<NestFastifyApplication>(module, createFastifyAdapter(http), nestOptions)
    : await NestFactory.create<INestApplication<Server>>(module, nestOptions);
  // First, so that every answer (a refusal of the edge too) carries the security headers and no X-Powered-By.
  applySecurityHeaders(app, auth);
  if (fastify) {
    // Hooks and parser ahead of every route (fastify-edge.ts); the route table records routes as Nest adds them.
    prepareFastifyEdge((app as NestFastifyApplication).getHttpAdapter().getInstance(), http);
  } else {
    // Registered before init, so ahead of every route; they read the route table at request time, once Nest has filled it.
    const routes = RouteTable.of(app);
    app.use(methodNotAllowed(routes));
    app.use(requestInput(http, routes));
    answerClientErrorsInShape(app.getHttpServer());
  }
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorFilter(app.getHttpAdapter()));
  app.enableShutdownHooks();
  // The UI's assets need @fastify/static on Fastify, which is not installed: there, the document only.
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json', ui: !fastify });
  return app;
}
