import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { DEFAULT_LIFECYCLE_CONFIG, decideLead, initialLeadState } from '@lead-lifecycle/domain';
import { generateEventSchemas, loadEventSchemas, PUBLISHED_EVENT_TYPES, schemaFileName } from './event-schemas';

describe('event JSON Schemas', () => {
  it('match the TypeScript event definitions (run npm run schemas:generate after changing an event)', () => {
    const generated = generateEventSchemas();
    const committed = loadEventSchemas();
    expect([...committed.keys()].sort()).toEqual([...generated.keys()].sort());
    for (const [file, schema] of generated) expect({ file, schema: committed.get(file) }).toEqual({ file, schema });
  }, 30000);

  it('cover every published event type, one file per type and version', () => {
    const committed = loadEventSchemas();
    for (const type of PUBLISHED_EVENT_TYPES) expect(committed.has(schemaFileName(type, 1))).toBe(true);
  });

  it('accept what the deciders produce and refuse a payload that breaks the contract', () => {
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    const schemas = loadEventSchemas();
    const events = decideLead(
      {
        type: 'CaptureLead',
        leadId: '0b6f7c1e-7a52-4a3c-9d7a-1e1f1c1d1e1f',
        tenantId: 't',
        contact: { email: 'ceo@acme.test' },
        jobTitle: 'CEO',
        company: { size: 5000, industry: 'software', country: 'US' },
        source: { channel: 'web_form', campaign: 'c', cost: 10 },
        occurredAt: '2026-01-01T00:00:00.000Z',
      },
      initialLeadState,
      DEFAULT_LIFECYCLE_CONFIG,
    );
    expect(events.map((e) => e.type)).toEqual(['LeadCaptured', 'ScoreChanged', 'QualifiedAsMQL']);
    for (const event of events) {
      const validate = ajv.compile(schemas.get(schemaFileName(event.type, 1))!);
      expect({ type: event.type, valid: validate(JSON.parse(JSON.stringify(event.data))), errors: validate.errors }).toEqual({
        type: event.type,
        valid: true,
        errors: null,
      });
    }
    const captured = ajv.compile(schemas.get('LeadCaptured.v1.json')!);
    expect(captured({ ...events[0].data, source: { channel: 'carrier_pigeon' } })).toBe(false);
    expect(captured({ ...events[0].data, unexpected: 1 })).toBe(false);
  });
});
