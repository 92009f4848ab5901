import type { OpenAPIV3 } from 'openapi-types';
import { OpenApiAnswerValidator, type RawAnswer } from './openapi-answer-validator';

/** The contract test is only as good as its validator: it must refuse what the document does not allow. */
describe('OpenApiAnswerValidator', () => {
  const thing: OpenAPIV3.SchemaObject = {
    type: 'object',
    required: ['id', 'owner', 'at', 'tags'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      owner: { type: 'string', nullable: true },
      at: { type: 'string', format: 'date-time' },
      tags: { type: 'array', items: { type: 'string' } },
      extra: { type: 'object', additionalProperties: true },
      child: { nullable: true, allOf: [{ type: 'object', properties: { n: { type: 'integer' } } }] } as OpenAPIV3.SchemaObject,
    },
  };
  const error: OpenAPIV3.SchemaObject = {
    type: 'object',
    required: ['code'],
    additionalProperties: true,
    properties: { code: { type: 'string', enum: ['NOPE'] } },
  };
  const operation: OpenAPIV3.OperationObject = {
    responses: {
      200: { description: 'ok', content: { 'application/json': { schema: thing } } },
      404: { description: 'no', content: { 'application/json': { schema: error } } },
      204: { description: 'nothing' },
    },
  };
  const json = (status: number, body: unknown, contentType = 'application/json; charset=utf-8'): RawAnswer => ({
    status,
    headers: { 'content-type': contentType },
    text: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const good = { id: '0b6c8a52-3f0e-4c55-9a39-27c1c8f5e7d1', owner: null, at: '2026-02-01T10:00:00.000Z', tags: [], extra: { any: 1 }, child: null };
  const validator = new OpenApiAnswerValidator();

  it('accepts an answer as documented, null where nullable', () => {
    expect(validator.check(operation, json(200, good))).toEqual([]);
    expect(validator.check(operation, json(200, { ...good, owner: 'x', child: { n: 1 } }))).toEqual([]);
    expect(validator.check(operation, json(404, { code: 'NOPE', details: 'open schemas take more' }))).toEqual([]);
  });

  it.each([
    ['an undocumented field', { ...good, surprise: true }],
    ['an undocumented field in a nested object', { ...good, child: { n: 1, surprise: true } }],
    ['a missing field', { ...good, tags: undefined }],
    ['null where not nullable', { ...good, at: null }],
    ['a time without a zone', { ...good, at: '2026-02-01T10:00:00' }],
    ['a date for a date-time', { ...good, at: '2026-02-01' }],
    ['an id that is not a uuid', { ...good, id: '42' }],
    ['a number for an integer', { ...good, child: { n: 1.5 } }],
  ])('refuses %s', (_name, body) => {
    expect(validator.check(operation, json(200, body))).not.toEqual([]);
  });

  it('refuses an undocumented status, an undocumented content type, a body that is not JSON, a value outside the enum', () => {
    expect(validator.check(operation, json(418, good))[0]).toMatch(/status 418 is not documented/);
    expect(validator.check(operation, json(200, 'a,b', 'text/csv'))[0]).toMatch(/answered text\/csv/);
    expect(validator.check(operation, json(200, '{"id":', 'application/json'))[0]).toMatch(/not JSON/);
    expect(validator.check(operation, json(404, { code: 'OTHER' }))).not.toEqual([]);
    expect(validator.check(operation, json(204, 'unexpected'))).not.toEqual([]);
  });

  it('refuses a replay header a status does not document', () => {
    const answer = { ...json(200, good), headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' } };
    expect(validator.check(operation, answer)[0]).toMatch(/undocumented header idempotent-replayed/);
  });
});
