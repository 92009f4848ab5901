import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { customStagesOf, type LifecycleConfig } from '@lead-lifecycle/domain';
import { BEARER_SCHEME } from '@lead-lifecycle/identity';
import { LIFECYCLE_CONFIG } from '@lead-lifecycle/lifecycle';
import { ErrorResponseDto } from './error-response.dto';
import { withHostStages } from './host-stages.openapi';
import { ApiOpenObject, openMarkedSchemas } from './open-object.decorator';

// Error answers may carry details beyond the common fields (currentStage, attemptedMove, retryable, …).
ApiOpenObject()(ErrorResponseDto);

/**
 * Operation ids from the controller and the handler method, e.g. `leads_capture`: stable as long as the
 * code keeps its names, unique because a controller's methods are, and what generated clients call.
 */
export const operationId = (controllerKey: string, methodKey: string): string =>
  `${controllerKey.replace(/Controller$/, '').replace(/^./, (c) => c.toLowerCase())}_${methodKey}`;

/**
 * The API's OpenAPI 3 document, from the controllers' decorators and the configured host stages. Served at /docs/openapi.json; the
 * contract test (test/e2e/openapi-contract.e2e-spec.ts) checks every answer of every route against it.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Lead Lifecycle')
    .setDescription(
      'Event-sourced lead lifecycle: capture, scoring, MQL/SQL qualification, opportunities, customers. ' +
        'Every error answer has one shape (ErrorResponseDto); switch on its `code`.',
    )
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('http://localhost:3000', 'the default listener (PORT, HOST)')
    .addTag('leads', 'capture leads and move them through the lifecycle; their state and history')
    .addTag('opportunities', 'the opportunities opened for SQL leads')
    .addTag('teams', 'teams of owners for routing, their availability, and the routing queue')
    .addTag('read models', 'funnel, scoring list and KPIs, read your own writes with minPosition; processor lag')
    .addTag('response SLAs', 'open SLAs with their due times, breaches by policy and owner, time to first touch')
    .addTag('operations', 'health')
    .addTag('admin', 'API keys of every tenant, for the platform key')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'an API key (`llk_…`), the platform key, or a JWT of the configured identity provider' },
      BEARER_SCHEME,
    )
    .build();
  const lifecycle = app.get<LifecycleConfig>(LIFECYCLE_CONFIG, { strict: false });
  return withHostStages(openMarkedSchemas(SwaggerModule.createDocument(app, config, { operationIdFactory: operationId })), customStagesOf(lifecycle));
}
