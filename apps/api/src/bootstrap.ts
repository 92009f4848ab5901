import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import { LeadLifecycleModuleOptions } from '@lead-lifecycle/lifecycle';
import { KafkaConfig } from '@lead-lifecycle/kafka-relay';
import { ProjectionsConfig } from '@lead-lifecycle/projections';
import { AppModule } from './app.module';
import { ErrorFilter } from './http/error.filter';
import { buildOpenApiDocument } from './http/openapi-document';
import { createValidationPipe } from './http/validation.pipe';

export interface AppOptions {
  readonly lifecycle?: LeadLifecycleModuleOptions;
  readonly projections?: ProjectionsConfig;
  readonly kafka?: KafkaConfig;
  /** false silences Nest's logger (tests). */
  readonly logger?: false;
}

/** Builds the API application (not listening yet): used by main.ts and by the end-to-end tests. */
export async function createApp(options: AppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(options.lifecycle, options.projections, options.kafka), {
    logger: options.logger === false ? false : ['log', 'warn', 'error'],
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
