import fc from 'fast-check';
import { DEFAULT_LIFECYCLE_CONFIG } from '../config/lifecycle-config';
import { ExtensionError, type FitScorer } from '../scoring/fit-scorer';
import { DomainErrorCode, InvalidCommandError } from '../shared/domain-error';
import { type CaptureLead, decideLead } from './lead.decider';
import { decodeLeadEvent, LEAD_EVENT_SCHEMA_VERSIONS } from './lead-event.decoder';
import { ENRICHMENT_LIMITS, enrichmentResultOf, type LeadEnrichment } from './lead-enrichment';
import { type LeadEvent } from './lead.events';
import { foldLead, initialLeadState } from './lead.state';

const config = DEFAULT_LIFECYCLE_CONFIG;
const AT = '2026-01-01T00:00:00.000Z';
const capture: CaptureLead = {
  type: 'CaptureLead',
  leadId: 'lead-1',
  tenantId: 'tenant-a',
  contact: { email: 'dana@example.org' },
  source: { channel: 'web_form' },
  occurredAt: AT,
};
const enrichment: LeadEnrichment = {
  source: 'firmographics-directory',
  attributes: { industry: 'software', employees: 420, publiclyListed: false },
  enrichedAt: '2026-01-01T00:00:00.250Z',
};
const enriched = { ...capture, enrichment };
const types = (events: readonly LeadEvent[]) => events.map((e) => e.type);
/** As the store keeps it and replay reads it. */
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const refusal = expect.objectContaining({ code: DomainErrorCode.InvalidConfiguration, details: expect.objectContaining({ extension: 'enrichment.atCapture' }) });

describe('a capture with the host’s enrichment (CaptureLead.enrichment)', () => {
  it('changes nothing without one: the engine’s defaults', () => {
    expect(types(decideLead(capture, initialLeadState, config))).toEqual(['LeadCaptured']);
  });

  it('records LeadEnriched right after LeadCaptured, in the same decision, and the state keeps it', () => {
    const events = decideLead(enriched, initialLeadState, config);
    expect(types(events)).toEqual(['LeadCaptured', 'LeadEnriched']);
    expect(events[1].data).toEqual({ leadId: 'lead-1', ...enrichment, occurredAt: AT });
    const state = foldLead(roundTrip(events));
    expect(state.stage !== 'none' && state.enrichment).toEqual(enrichment);
  });

  it('keeps the enrichment through later stages and an erasure of the personal data (it is company-level)', () => {
    const events = decideLead(enriched, initialLeadState, config);
    const later: LeadEvent[] = [
      { type: 'QualifiedAsMQL', data: { leadId: 'lead-1', score: 60, threshold: 50, occurredAt: AT } },
      { type: 'PersonalDataErased', data: { leadId: 'lead-1', reason: 'request', occurredAt: AT } },
    ];
    const state = foldLead([...events, ...later]);
    expect(state.stage === 'mql' && state.enrichment).toEqual(enrichment);
  });

  it('lets a host fit scorer read it; the recorded ScoreChanged is what replay and rescores use', () => {
    let calls = 0;
    const bySize: FitScorer = (profile) => {
      calls++;
      const employees = profile.enrichment?.attributes.employees;
      return typeof employees === 'number' && employees >= 200 ? { points: 60, reasons: [`host: ${employees} employees (+60)`] } : { points: 0, reasons: [] };
    };
    const events = decideLead(enriched, initialLeadState, config, { fitScorer: bySize });
    expect(types(events)).toEqual(['LeadCaptured', 'LeadEnriched', 'ScoreChanged', 'QualifiedAsMQL']);
    expect(events[2].type === 'ScoreChanged' && events[2].data.reasons).toEqual(['host: 420 employees (+60)']);
    expect(calls).toBe(1);

    const state = foldLead(roundTrip(events));
    const rescored = decideLead({ type: 'RescoreLead', occurredAt: '2026-01-02T00:00:00.000Z', force: true }, state, config, { fitScorer: bySize });
    expect(calls).toBe(1);
    expect(rescored[0]?.type === 'ScoreChanged' && rescored[0].data.current.fit).toBe(60);
  });

  it('gives a fit scorer a copy: writing to it does not change what LeadEnriched records', () => {
    const vandal: FitScorer = (profile) => {
      (profile.enrichment!.attributes as Record<string, unknown>).industry = 'changed';
      return { points: 0, reasons: [] };
    };
    const events = decideLead(enriched, initialLeadState, config, { fitScorer: vandal });
    expect(events[1].type === 'LeadEnriched' && events[1].data.attributes.industry).toBe('software');
  });

  it('is ignored on a recapture: the lead was enriched (or not) when it was created', () => {
    const state = foldLead(decideLead(capture, initialLeadState, config));
    expect(types(decideLead({ ...enriched, matchedOn: ['email'] }, state, config))).toEqual(['LeadRecaptured']);
  });

  it('records enrichedAt in UTC and refuses one that is not a business time', () => {
    const local = decideLead({ ...capture, enrichment: { ...enrichment, enrichedAt: '2026-01-01T01:00:00+01:00' } }, initialLeadState, config);
    expect(local[1].type === 'LeadEnriched' && local[1].data.enrichedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(() => decideLead({ ...capture, enrichment: { ...enrichment, enrichedAt: 'yesterday' } }, initialLeadState, config)).toThrow(InvalidCommandError);
  });

  it('records nothing for an answer without attributes', () => {
    expect(types(decideLead({ ...capture, enrichment: { ...enrichment, attributes: {} } }, initialLeadState, config))).toEqual(['LeadCaptured']);
  });

  it('reads a stored LeadEnriched v1 back as written, and refuses a version this code does not know', () => {
    const [, event] = decideLead(enriched, initialLeadState, config);
    expect(LEAD_EVENT_SCHEMA_VERSIONS.LeadEnriched).toBe(1);
    const stored = { type: 'LeadEnriched', schemaVersion: 1, data: roundTrip(event.data), metadata: { tenantId: 'tenant-a', occurredAt: AT } };
    expect(decodeLeadEvent(stored)).toEqual({ type: 'LeadEnriched', data: event.data });
    expect(() => decodeLeadEvent({ ...stored, schemaVersion: 2 })).toThrow();
  });
});

// --- the hook's answer, checked (enrichmentResultOf) -----------------------------------------------

const attributeName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,20}$/);
const attributeValue = fc.oneof(
  fc.string({ maxLength: ENRICHMENT_LIMITS.maxStringLength }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
);
const source = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/);
const validAnswer = fc.record({ source, attributes: fc.dictionary(attributeName, attributeValue, { minKeys: 1, maxKeys: ENRICHMENT_LIMITS.maxAttributes }) });

class Firmographics {
  readonly industry = 'software';
}
const notPlainObject = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.anything()),
  fc.date(),
  fc.constant(new Map([['industry', 'software']])),
  fc.constant(new Firmographics()),
  fc.constant(() => ({ source: 's', attributes: {} })),
);
const badValue = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.bigInt(),
  fc.array(fc.anything(), { minLength: 0, maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
  fc.date(),
  fc.constant(Symbol('s')),
  fc.constant(() => 'value'),
  fc.string({ minLength: ENRICHMENT_LIMITS.maxStringLength + 1, maxLength: ENRICHMENT_LIMITS.maxStringLength + 50 }),
  fc.constantFrom('\uD800', 'abc\uDC00', '\uDBFFx'),
);
const badName = fc.oneof(
  fc.constantFrom('', '__proto__', 'constructor x', '1st', '-x', 'a'.repeat(65), 'industry\n', 'naïve', '=cmd'),
  fc.string().filter((name) => !/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(name)),
);
const badSource = fc.oneof(
  fc.constantFrom('', '   ', 'x'.repeat(ENRICHMENT_LIMITS.maxSourceLength + 1), '\uD800'),
  fc.integer(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string()),
);
/** Attributes given as a dictionary that sets `__proto__` as an own key, which a literal cannot. */
const withOwnKey = (record: Record<string, unknown>, name: string, value: unknown) => {
  const copy = { ...record };
  Object.defineProperty(copy, name, { value, enumerable: true, configurable: true, writable: true });
  return copy;
};
const hostileAnswer = fc.oneof(
  notPlainObject,
  validAnswer.chain((a) => fc.tuple(fc.string().filter((k) => k !== 'source' && k !== 'attributes'), fc.anything()).map(([k, v]) => withOwnKey(a, k, v))),
  fc.tuple(validAnswer, badSource).map(([a, s]) => ({ ...a, source: s })),
  fc.tuple(validAnswer, notPlainObject).map(([a, attributes]) => ({ ...a, attributes })),
  fc.tuple(validAnswer, attributeName, badValue).map(([a, name, value]) => ({ ...a, attributes: withOwnKey(a.attributes, name, value) })),
  fc.tuple(validAnswer, badName, attributeValue).map(([a, name, value]) => ({ ...a, attributes: withOwnKey(a.attributes, name, value) })),
  fc
    .integer({ min: ENRICHMENT_LIMITS.maxAttributes + 1, max: ENRICHMENT_LIMITS.maxAttributes + 40 })
    .map((n) => ({ source: 'directory', attributes: Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, i])) })),
);

describe('the hook’s answer, checked (enrichmentResultOf)', () => {
  it('takes any answer of the documented shape, as a copy that reads back from JSON unchanged', () => {
    fc.assert(
      fc.property(validAnswer, (answer) => {
        const result = enrichmentResultOf(answer);
        expect(result).toBeDefined();
        expect(roundTrip(result)).toEqual(result);
        expect(result!.attributes).not.toBe(answer.attributes);
      }),
    );
  });

  it('refuses every answer of another shape with ExtensionError INVALID_CONFIGURATION, and so does the decider', () => {
    fc.assert(
      fc.property(hostileAnswer, (answer) => {
        expect(() => enrichmentResultOf(answer)).toThrow(ExtensionError);
        expect(() => enrichmentResultOf(answer)).toThrow(refusal);
        const command = { ...capture, enrichment: { ...(answer as object), enrichedAt: AT } as LeadEnrichment };
        if (typeof answer === 'object' && answer !== null && !Array.isArray(answer) && !(answer instanceof Map) && !(answer instanceof Date)) {
          expect(() => decideLead(command, initialLeadState, config)).toThrow(refusal);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses an answer whose values cannot be read (a getter or a proxy that throws)', () => {
    const getter = { source: 'directory', attributes: Object.defineProperty({}, 'industry', { enumerable: true, get: () => { throw new Error('boom'); } }) };
    const proxy = { source: 'directory', attributes: new Proxy({}, { ownKeys: () => { throw new Error('boom'); } }) };
    expect(() => enrichmentResultOf(getter)).toThrow(refusal);
    expect(() => enrichmentResultOf(proxy)).toThrow(refusal);
  });

  it('reads undefined, null and an empty answer as nothing found, and -0 as 0', () => {
    expect(enrichmentResultOf(undefined)).toBeUndefined();
    expect(enrichmentResultOf(null)).toBeUndefined();
    expect(enrichmentResultOf({ source: 'directory', attributes: {} })).toBeUndefined();
    expect(Object.is(enrichmentResultOf({ source: 'directory', attributes: { delta: -0 } })!.attributes.delta, 0)).toBe(true);
  });
});
