import { type OpenAPIObject } from '@nestjs/swagger';
import { type CustomStages, funnelPathOf } from '@lead-lifecycle/domain';

type SchemaObject = { properties?: Record<string, unknown>; required?: string[] };

/**
 * The host's own stages (lifecycleConfig.stages) in the read-model answers' schemas: the funnel counts a
 * host's stage by its name beside the built-in ones (reached by any path, current), converts between
 * consecutive stages of the whole path (`subscriber_to_lead`, `customer_to_evangelist`), and the KPIs
 * time it. The answer schemas are closed, so the document of a deployment names the stages it counts;
 * the decorators cannot, since the stages are configuration.
 */
export function withHostStages(document: OpenAPIObject, stages: CustomStages): OpenAPIObject {
  const custom = [...stages.beforeLead, ...stages.afterCustomer];
  if (custom.length === 0) return document;
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaObject>;
  const add = (schema: string, name: string, property: unknown, required: boolean) => {
    const target = schemas[schema];
    if (!target) throw new Error(`the OpenAPI document has no ${schema} schema to add the host's stage ${name} to`);
    target.properties = { ...target.properties, [name]: property };
    if (required) target.required = [...new Set([...(target.required ?? []), name])];
  };
  for (const stage of custom) {
    add('StageCountsResponse', stage, { type: 'integer', minimum: 0, description: "leads in the host's stage (lifecycleConfig.stages)" }, true);
    add('StageDurationsResponse', stage, { $ref: '#/components/schemas/DurationResponse' }, true);
  }
  // Only the any-path rates cross the host's stages; the in-order ones keep the built-in path, so optional.
  const path = funnelPathOf(stages);
  for (let i = 0; i + 1 < path.length; i++) {
    if (!custom.includes(path[i]) && !custom.includes(path[i + 1])) continue;
    add('ConversionRatesResponse', `${path[i]}_to_${path[i + 1]}`, { type: 'number', nullable: true, minimum: 0, description: `${path[i + 1]} / ${path[i]}, any path; null when nothing to divide by` }, false);
  }
  return document;
}
