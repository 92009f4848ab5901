/**
 * The ISO 8601 forms that the old `@IsISO8601({ strict: true })` accepted and that are not RFC 3339
 * date-times with an offset (issue 11). One list for every test that must see them refused.
 */
export const LEGACY_ISO_TIME_FORMS: readonly string[] = [
  '2026-W05-1',
  '2026-001',
  '20260201',
  '2026-01',
  '2026-01-01T00Z',
  '2026-02-01',
  '2026-02-01T10:00:00',
  '2026-01-01T10:00Z',
];
