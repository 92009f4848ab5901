import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  LEAD_EVENT_SCHEMA_VERSIONS,
  LEAD_EVENT_TYPES,
  OPPORTUNITY_EVENT_SCHEMA_VERSIONS,
  OPPORTUNITY_EVENT_TYPES,
  TEAM_EVENT_SCHEMA_VERSIONS,
  TEAM_EVENT_TYPES,
} from '@lead-lifecycle/domain';

/** Folder of the committed JSON Schemas, one file per event type and version: `<Type>.v<N>.json`. */
export const SCHEMA_DIR = resolve(__dirname, '../../../../schemas/events');
export const PUBLISHED_EVENT_TYPES: readonly string[] = [...LEAD_EVENT_TYPES, ...OPPORTUNITY_EVENT_TYPES, ...TEAM_EVENT_TYPES];
/** The version each type is published in today (stored older versions are upcast before publishing). */
export const PUBLISHED_SCHEMA_VERSIONS: Readonly<Record<string, number>> = { ...LEAD_EVENT_SCHEMA_VERSIONS, ...OPPORTUNITY_EVENT_SCHEMA_VERSIONS, ...TEAM_EVENT_SCHEMA_VERSIONS };

export const schemaFileName = (type: string, version: number) => `${type}.v${version}.json`;
export const schemaId = (type: string, version: number) => `urn:lead-lifecycle:event:${type}:v${version}`;

/**
 * Generates every event's schema from the TypeScript payload types in event-payloads.ts: each version
 * from 1 to today's, so consumers can still validate messages published before a version change.
 */
export function generateEventSchemas(): Map<string, object> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand: the generator pulls in the TypeScript compiler, which only tooling and tests need
  const { createGenerator } = require('ts-json-schema-generator') as typeof import('ts-json-schema-generator');
  const generator = createGenerator({
    path: join(__dirname, 'event-payloads.ts'),
    tsconfig: resolve(__dirname, '../../../../tsconfig.json'),
    skipTypeCheck: true,
    additionalProperties: false,
    expose: 'none',
    topRef: false,
  });
  const schemas = new Map<string, object>();
  for (const type of PUBLISHED_EVENT_TYPES) for (let version = 1; version <= PUBLISHED_SCHEMA_VERSIONS[type]; version++) {
    const schema = generator.createSchema(`${type}V${version}`) as Record<string, unknown>;
    schemas.set(schemaFileName(type, version), {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: schemaId(type, version),
      title: `${type} v${version}`,
      description: `Payload (CloudEvents data) of ${type}, schema version ${version}. Kafka header ce_type: lead-lifecycle.${type}.v${version}`,
      ...withoutDraft(schema),
    });
  }
  return schemas;
}

function withoutDraft(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

/** The committed schemas, by file name. */
export function loadEventSchemas(): Map<string, object> {
  return new Map(
    readdirSync(SCHEMA_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f, JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')) as object]),
  );
}
