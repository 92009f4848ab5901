import type { OpenAPIObject } from '@nestjs/swagger';

const openSchemas = new Set<string>();

/**
 * Marks a response class whose objects may carry properties beyond the documented ones (event metadata,
 * error details): its schema gets `additionalProperties: true`. Every other response schema is closed,
 * which the contract test enforces, so an undocumented field in an answer fails the test.
 */
export function ApiOpenObject(): ClassDecorator {
  return (target) => {
    openSchemas.add(target.name);
  };
}

/** Writes `additionalProperties: true` into the component schema of every class marked with ApiOpenObject. */
export function openMarkedSchemas(document: OpenAPIObject): OpenAPIObject {
  for (const name of openSchemas) {
    const schema = document.components?.schemas?.[name];
    if (schema && !('$ref' in schema)) schema.additionalProperties = true;
  }
  return document;
}
