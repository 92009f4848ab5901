import fc from 'fast-check';
import { LEAD_UPCASTERS } from '../lead/lead.upcasters';
import { LEAD_EVENT_TYPES } from '../lead/lead.events';
import { OPPORTUNITY_UPCASTERS } from '../opportunity/opportunity.upcasters';
import { OPPORTUNITY_EVENT_TYPES } from '../opportunity/opportunity.events';
import { parseBusinessTime } from './business-time';
import { normaliseLegacyDate, normaliseLegacyTime } from './legacy-iso-time';
import { type UpcastableEvent, type Upcaster, UpcasterRegistry } from './upcaster';

describe('legacy ISO 8601 times (stored before business times were RFC 3339)', () => {
  it.each([
    // the forms of issue 11
    ['2026-W05-1', '2026-01-26T00:00:00.000Z'],
    ['2026-001', '2026-01-01T00:00:00.000Z'],
    ['20260201', '2026-02-01T00:00:00.000Z'],
    ['2026-01', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T00Z', '2026-01-01T00:00:00.000Z'],
    ['2026-02-01', '2026-02-01T00:00:00.000Z'],
    ['2026-02-01T10:00:00', '2026-02-01T10:00:00.000Z'],
    // more of what @IsISO8601({ strict: true }) accepted
    ['2026', '2026-01-01T00:00:00.000Z'],
    ['2026-W05', '2026-01-26T00:00:00.000Z'],
    ['2026W057', '2026-02-01T00:00:00.000Z'],
    ['2026-W01-1', '2025-12-29T00:00:00.000Z'],
    ['2026-W53-7', '2027-01-03T00:00:00.000Z'],
    ['2026032', '2026-02-01T00:00:00.000Z'],
    ['2024-366', '2024-12-31T00:00:00.000Z'],
    ['2026-02-01T10:00Z', '2026-02-01T10:00:00.000Z'],
    ['2026-02-01T1030', '2026-02-01T10:30:00.000Z'],
    ['2026-02-01 10:00', '2026-02-01T10:00:00.000Z'],
    ['2026-02-01T10,5', '2026-02-01T10:30:00.000Z'],
    ['2026-02-01T10:00.25Z', '2026-02-01T10:00:15.000Z'],
    ['2026-02-01T24:00', '2026-02-02T00:00:00.000Z'],
    ['2026-02-01T10:30+01', '2026-02-01T09:30:00.000Z'],
    ['2026-02-01T10:30-0130', '2026-02-01T12:00:00.000Z'],
    ['20260201T103000.123456Z', '2026-02-01T10:30:00.123Z'],
    ['2026-02-01T', '2026-02-01T00:00:00.000Z'],
    // current forms pass through the RFC 3339 parser
    ['2026-02-01T11:00:00+01:00', '2026-02-01T10:00:00.000Z'],
    ['2026-02-01T10:00:00.000Z', '2026-02-01T10:00:00.000Z'],
  ])('reads %s as %s', (legacy, expected) => {
    expect(normaliseLegacyTime(legacy)).toBe(expected);
  });

  it.each([
    '2026-02-30',
    '2025-W53-1',
    '2026-W00-1',
    '2025-366',
    '2026-000',
    '2026-02-01T24:30',
    '2026-02-01T10:60',
    '2026-02-01T10:00:60Z',
    '2026-02-01T10:00+24:00',
    '-2026-01-01',
    '9999-12-31T23:00-05:00',
    '0000-01-01T00:00+01:00',
    'yesterday',
    '',
    '2026-02-01X10:00',
  ])('cannot interpret %j: left for the read side to treat as poison', (value) => {
    expect(normaliseLegacyTime(value)).toBeUndefined();
  });

  it('reads the basic format as the extended one, for any valid time', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.integer({ min: -23 * 60, max: 23 * 60 }),
        (instant, offset) => {
          const local = new Date(instant.getTime() + offset * 60_000);
          const sign = offset < 0 ? '-' : '+';
          const o = Math.abs(offset);
          const date = `${pad(local.getUTCFullYear(), 4)}${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())}`;
          const time = `${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}`;
          const basic = `${date}T${time}${sign}${pad(Math.floor(o / 60))}${pad(o % 60)}`;
          expect(normaliseLegacyTime(basic)).toBe(instant.toISOString());
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    ['2026-12-31', '2026-12-31'],
    ['2026-W53-4', '2026-12-31'],
    ['2026-365', '2026-12-31'],
    ['20261231', '2026-12-31'],
    ['2026-12', '2026-12-01'],
    // the date as its writer meant it: the offset does not move it to another day
    ['2026-12-31T23:00:00-05:00', '2026-12-31'],
    ['2026-12-31T00:30:00+02:00', '2026-12-31'],
  ])('reads the calendar date %s as %s', (legacy, expected) => {
    expect(normaliseLegacyDate(legacy)).toBe(expected);
  });

  it.each(['2026-02-30', 'soon', '2025-W53'])('cannot interpret the calendar date %j', (value) => {
    expect(normaliseLegacyDate(value)).toBeUndefined();
  });
});

const stored = (type: string, data: Record<string, unknown>, metadata: Record<string, unknown> = {}, schemaVersion = 1): UpcastableEvent => ({
  type,
  schemaVersion,
  data,
  metadata: { tenantId: 't', occurredAt: data.occurredAt, ...metadata },
});

describe('upcasters of stored events', () => {
  const registry = new UpcasterRegistry([...LEAD_UPCASTERS, ...OPPORTUNITY_UPCASTERS]);

  it('covers every event type at schema version 1; only LeadAssigned moves on (to v2)', () => {
    expect([...LEAD_UPCASTERS.map((u) => u.type)].sort()).toEqual([...LEAD_EVENT_TYPES].sort());
    expect(OPPORTUNITY_UPCASTERS.map((u) => u.type)).toEqual(OPPORTUNITY_EVENT_TYPES);
    expect([...LEAD_UPCASTERS, ...OPPORTUNITY_UPCASTERS].every((u) => u.fromVersion === 1)).toBe(true);
    expect([...LEAD_UPCASTERS, ...OPPORTUNITY_UPCASTERS].filter((u) => (u.toVersion ?? 1) !== 1).map((u) => [u.type, u.toVersion])).toEqual([['LeadAssigned', 2]]);
  });

  it('upcasts LeadAssigned v1 to v2 as a manual assignment, its legacy times normalised', () => {
    const event = stored('LeadAssigned', { leadId: 'l', ownerId: 'o', occurredAt: '2026-W05-1' });
    expect(registry.upcast(event)).toEqual({
      ...event,
      schemaVersion: 2,
      data: { leadId: 'l', ownerId: 'o', reason: 'manual', occurredAt: '2026-01-26T00:00:00.000Z' },
      metadata: { ...event.metadata, occurredAt: '2026-01-26T00:00:00.000Z' },
    });
  });

  it('rewrites legacy times in the data and the metadata, and nothing else', () => {
    const event = stored('EngagementRecorded', { leadId: 'l', activityType: 'page_view', points: 1, occurredAt: '2026-W05-1', properties: { at: '2026-W05-1' } });
    const upcast = registry.upcast(event);
    expect(upcast).toEqual({
      ...event,
      data: { ...event.data, occurredAt: '2026-01-26T00:00:00.000Z' },
      metadata: { ...event.metadata, occurredAt: '2026-01-26T00:00:00.000Z' },
    });
    // the stored event is not touched
    expect(event.data.occurredAt).toBe('2026-W05-1');
    expect(event.metadata.occurredAt).toBe('2026-W05-1');
  });

  it('rewrites expectedCloseDate to a calendar date on both opportunity events', () => {
    for (const type of ['OpportunityOpenedForLead', 'OpportunityOpened']) {
      const upcast = registry.upcast(stored(type, { opportunityId: 'o', amount: 1, currency: 'EUR', expectedCloseDate: '2026-W53-4', occurredAt: '20260201' }));
      expect(upcast.data).toMatchObject({ expectedCloseDate: '2026-12-31', occurredAt: '2026-02-01T00:00:00.000Z' });
    }
  });

  it('returns the very same event when its times are current', () => {
    const event = stored('LeadRecycled', { leadId: 'l', fromStage: 'lead', occurredAt: '2026-02-01T10:00:00.000Z' });
    expect(registry.upcast(event)).toBe(event);
    const current = stored('LeadAssigned', { leadId: 'l', ownerId: 'o', reason: 'rule', occurredAt: '2026-02-01T10:00:00.000Z' }, {}, 2);
    expect(registry.upcast(current)).toBe(current);
  });

  it('leaves a time it cannot interpret as it was written', () => {
    const event = stored('LeadRecycled', { leadId: 'l', fromStage: 'lead', occurredAt: '2026-02-30' });
    expect(registry.upcast(event)).toBe(event);
  });

  it('leaves events of other types and versions alone', () => {
    const other = stored('LeadIdentityReserved', { occurredAt: '2026-02-01' });
    const newer = stored('LeadAssigned', { occurredAt: '2026-02-01' }, {}, 3);
    expect(registry.upcast(other)).toBe(other);
    expect(registry.upcast(newer)).toBe(newer);
  });

  it('every upcast time is a normalised business time or the stored value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9W:T.,+Z -]{4,30}$/)), (time) => {
        const upcast = registry.upcast(stored('LeadRecycled', { leadId: 'l', fromStage: 'lead', occurredAt: time }));
        const out = upcast.data.occurredAt as string;
        expect(out === time || parseBusinessTime(out) === out).toBe(true);
        expect(upcast.metadata.occurredAt).toBe(out);
      }),
      { numRuns: 1000 },
    );
  });

  it('chains upcasters from version to version', () => {
    const v1to2: Upcaster = { type: 'X', fromVersion: 1, toVersion: 2, upcast: ({ data, metadata }) => ({ data: { ...data, b: data.a }, metadata }) };
    const v2: Upcaster = { type: 'X', fromVersion: 2, upcast: ({ data, metadata }) => ({ data: { ...data, c: 1 }, metadata }) };
    expect(new UpcasterRegistry([v1to2, v2]).upcast(stored('X', { a: 'x' }))).toMatchObject({ schemaVersion: 2, data: { a: 'x', b: 'x', c: 1 } });
  });

  it('refuses two upcasters for one type and version', () => {
    const u: Upcaster = { type: 'X', fromVersion: 1, upcast: (e) => e };
    expect(() => new UpcasterRegistry([u, u])).toThrow('two upcasters for X v1');
  });
});
