import {
  createEventDecoder,
  decodeLeadEvent,
  decodeOpportunityEvent,
  type DomainEvent,
  EventDecodingError,
  isLeadEventType,
  LEAD_EVENT_SCHEMA_VERSIONS,
  LEAD_EVENT_TYPES,
  UpcasterRegistry,
} from '@lead-lifecycle/domain';

const stored = (type: string, schemaVersion: number, data: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({ type, schemaVersion, data, metadata });
const captured = (occurredAt: string) => ({
  leadId: 'L1',
  tenantId: 't',
  contact: { email: 'jane@acme.io' },
  source: { channel: 'web_form' },
  occurredAt,
});

describe('decodeLeadEvent', () => {
  it('reads a current event as the typed event, unchanged', () => {
    const data = captured('2026-02-01T10:00:00.000Z');
    const event = decodeLeadEvent(stored('LeadCaptured', 1, data));
    expect(event).toEqual({ type: 'LeadCaptured', data });
    if (event.type !== 'LeadCaptured') throw new Error('narrowed wrongly');
    expect(event.data.contact.email).toBe('jane@acme.io');
  });

  it('upcasts an old event from the schema version it was stored in (legacy v1 times become UTC RFC 3339)', () => {
    const event = decodeLeadEvent(stored('OpportunityOpenedForLead', 1, {
      leadId: 'L1',
      opportunityId: 'O1',
      amount: 10,
      currency: 'EUR',
      expectedCloseDate: '2026-W05-1',
      occurredAt: '2026-02-01T10:00:00',
    }));
    expect(event.data).toMatchObject({ occurredAt: '2026-02-01T10:00:00.000Z', expectedCloseDate: '2026-01-26' });
  });

  it('refuses a type outside the catalogue with a typed error', () => {
    expect(isLeadEventType('LeadTeleported')).toBe(false);
    const error = catchError(() => decodeLeadEvent(stored('LeadTeleported', 1, { leadId: 'L1', occurredAt: '2026-02-01T10:00:00.000Z' })));
    expect(error).toBeInstanceOf(EventDecodingError);
    expect(error).toMatchObject({ problem: 'unknown-type', catalogue: 'lead', eventType: 'LeadTeleported' });
    // An opportunity event is not a lead event either.
    expect(() => decodeLeadEvent(stored('OpportunityWon', 1, {}))).toThrow(EventDecodingError);
    expect(() => decodeOpportunityEvent(stored('LeadCaptured', 1, captured('2026-02-01T10:00:00.000Z')))).toThrow(EventDecodingError);
  });

  it('refuses a version from the future (written by a newer release) instead of misreading it', () => {
    const error = catchError(() => decodeLeadEvent(stored('LeadCaptured', 2, captured('2026-02-01T10:00:00.000Z'))));
    expect(error).toBeInstanceOf(EventDecodingError);
    expect(error).toMatchObject({ problem: 'unknown-version', eventType: 'LeadCaptured', schemaVersion: 2 });
    expect((error as Error).message).toMatch(/newer version/);
  });

  it('knows a current version for every lead event type', () => {
    expect(Object.keys(LEAD_EVENT_SCHEMA_VERSIONS).sort()).toEqual([...LEAD_EVENT_TYPES].sort());
  });
});

describe('createEventDecoder', () => {
  type Renamed = DomainEvent<'Renamed', { name: string; occurredAt: string }>;
  // v1 called the field `title`; v2 renamed it to `name`.
  const decoder = createEventDecoder<Renamed>({
    name: 'thing',
    schemaVersions: { Renamed: 2 },
    upcasters: new UpcasterRegistry([
      { type: 'Renamed', fromVersion: 1, toVersion: 2, upcast: ({ data: { title, ...rest }, metadata }) => ({ data: { ...rest, name: title }, metadata }) },
    ]),
  });

  it('chains the upcasters from the stored version to the current one', () => {
    expect(decoder.decode(stored('Renamed', 1, { title: 'x', occurredAt: 'now' }))).toEqual({ type: 'Renamed', data: { name: 'x', occurredAt: 'now' } });
    expect(decoder.decode(stored('Renamed', 2, { name: 'y', occurredAt: 'now' }))).toEqual({ type: 'Renamed', data: { name: 'y', occurredAt: 'now' } });
  });

  it('refuses an old version that no upcaster brings to the current one', () => {
    expect(catchError(() => decoder.decode(stored('Renamed', 0, { occurredAt: 'now' })))).toMatchObject({ problem: 'unknown-version', schemaVersion: 0 });
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
