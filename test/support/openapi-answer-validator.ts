import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIV3 } from 'openapi-types';

/** An HTTP answer as the contract test received it: the body as raw text, the headers lower-cased. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** What a media type's body is checked with beyond its schema (e.g. each line of NDJSON, the rows of a CSV). */
export type BodyCheck = (text: string, media: OpenAPIV3.MediaTypeObject, validator: OpenApiAnswerValidator) => string[];

const OPENAPI_ONLY = new Set(['nullable', 'example', 'examples', 'xml', 'externalDocs', 'discriminator', 'readOnly', 'writeOnly', 'deprecated']);

/**
 * An OpenAPI 3.0 schema (dereferenced) as JSON Schema for ajv: `nullable` becomes a union with null,
 * OpenAPI-only keywords go. With `closed`, every object schema with properties that does not say
 * otherwise gets `additionalProperties: false`, so an answer with an undocumented field fails.
 */
export function toJsonSchema(schema: unknown, closed: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((s) => toJsonSchema(s, closed));
  if (!schema || typeof schema !== 'object') return schema;
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (OPENAPI_ONLY.has(key) || key.startsWith('x-')) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, s]) => [name, toJsonSchema(s, closed)]));
    } else if (['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'].includes(key) && typeof value === 'object') {
      out[key] = toJsonSchema(value, closed);
    } else {
      out[key] = value;
    }
  }
  if (closed && out.properties && !('additionalProperties' in source)) out.additionalProperties = false;
  return source.nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

/** Validates real answers against the responses a (dereferenced) operation documents. */
export class OpenApiAnswerValidator {
  private readonly ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  private readonly compiled = { closed: new Map<object, ValidateFunction>(), open: new Map<object, ValidateFunction>() };

  constructor(private readonly bodyChecks: Record<string, BodyCheck> = {}) {}

  /** Compiles (once) the JSON Schema of an OpenAPI schema, closed or open (see toJsonSchema). Answers are checked closed. */
  validator(schema: OpenAPIV3.SchemaObject, closed: boolean): ValidateFunction {
    const cache = closed ? this.compiled.closed : this.compiled.open;
    let validate = cache.get(schema);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema, closed) as object);
      cache.set(schema, validate);
    }
    return validate;
  }

  errorsText(validate: ValidateFunction): string {
    return this.ajv.errorsText(validate.errors, { separator: '; ' });
  }

  /** Every way the answer departs from the operation's documented responses; empty when it conforms. */
  check(operation: OpenAPIV3.OperationObject, answer: RawAnswer): string[] {
    const response = operation.responses?.[String(answer.status)] as OpenAPIV3.ResponseObject | undefined;
    if (!response) return [`status ${answer.status} is not documented (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`];
    const problems: string[] = [];
    const mediaType = String(answer.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const content = response.content ?? {};
    if (Object.keys(content).length === 0) {
      if (answer.text.length) problems.push(`status ${answer.status} documents no body, got ${mediaType}`);
      return problems;
    }
    const media = content[mediaType];
    if (!media) return [`status ${answer.status} answered ${mediaType || 'no content type'}; documented: ${Object.keys(content).join(', ')}`];
    const schema = media.schema as OpenAPIV3.SchemaObject | undefined;
    if (!schema) return [`status ${answer.status} ${mediaType} has no schema`];
    let body: unknown = answer.text;
    if (mediaType === 'application/json') {
      try {
        body = JSON.parse(answer.text);
      } catch {
        return [`status ${answer.status}: the body is not JSON: ${answer.text.slice(0, 200)}`];
      }
    }
    const validate = this.validator(schema, true);
    if (!validate(body)) problems.push(`status ${answer.status} ${mediaType}: ${this.ajv.errorsText(validate.errors, { separator: '; ' })}`);
    const extra = this.bodyChecks[mediaType];
    if (extra) problems.push(...extra(answer.text, media, this).map((p) => `status ${answer.status} ${mediaType}: ${p}`));
    for (const name of Object.keys(answer.headers)) {
      if (name === 'idempotent-replayed' && !Object.keys(response.headers ?? {}).some((h) => h.toLowerCase() === name)) {
        problems.push(`status ${answer.status} carries the undocumented header ${name}`);
      }
    }
    return problems;
  }
}
