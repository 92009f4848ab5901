import { contactProblems, identitiesOf, normaliseContact, normaliseEmail, normalisePhone } from '@lead-lifecycle/domain';

describe('contact', () => {
  describe('normaliseEmail', () => {
    it.each([
      ['Jane.Doe@Example.COM', 'jane.doe@example.com'],
      ['  jane@example.com \n', 'jane@example.com'],
      ['\tJANE+tag@Sub.Example.org ', 'jane+tag@sub.example.org'],
      ['jane@example.com', 'jane@example.com'],
    ])('%j becomes %j', (input, expected) => {
      expect(normaliseEmail(input)).toBe(expected);
    });
  });

  describe('normalisePhone', () => {
    it.each([
      // "+" means the country code is already there: keep the digits only.
      ['+44 20 7946 0958', '1', '+442079460958'],
      ['+1 (555) 123-4567', '44', '+15551234567'],
      [' +49-30-1234567 ', '1', '+49301234567'],
      // "00" is the international prefix: replaced by "+".
      ['0044 20 7946 0958', '1', '+442079460958'],
      ['00 49 30 1234567', '44', '+49301234567'],
      // A national trunk "0" is dropped and the default code prepended.
      ['020 7946 0958', '44', '+442079460958'],
      ['07911 123456', '44', '+447911123456'],
      ['030 1234567', '49', '+49301234567'],
      // No prefix at all: the default code is prepended.
      ['(555) 123-4567', '1', '+15551234567'],
      ['555.123.4567', '1', '+15551234567'],
      ['7911 123456', '44', '+447911123456'],
      // Already written with the default code (no "+"): not doubled.
      ['1 555 123 4567', '1', '+15551234567'],
      ['15551234567', '1', '+15551234567'],
      ['44 7911 123456', '44', '+447911123456'],
    ])('%j with default code %s becomes %j', (input, code, expected) => {
      expect(normalisePhone(input, code)).toBe(expected);
    });

    it('a 10-digit national number that happens to start with the default code still gets the code', () => {
      // 10 digits or fewer cannot already include the code, so "1" here is part of the national number.
      expect(normalisePhone('1234567890', '1')).toBe('+11234567890');
    });

    it('is idempotent on its own output', () => {
      for (const [input, code] of [
        ['0044 20 7946 0958', '1'],
        ['020 7946 0958', '44'],
        ['(555) 123-4567', '1'],
      ]) {
        const once = normalisePhone(input, code);
        expect(normalisePhone(once, code)).toBe(once);
      }
    });
  });

  describe('normaliseContact', () => {
    it('normalises email and phone and keeps the names as given', () => {
      expect(
        normaliseContact({ email: ' Jane@Example.com ', phone: '(555) 123-4567', firstName: 'Jane', lastName: 'Doe' }, '1'),
      ).toEqual({ email: 'jane@example.com', phone: '+15551234567', firstName: 'Jane', lastName: 'Doe' });
    });

    it('does not invent missing fields', () => {
      const normalised = normaliseContact({ firstName: 'Jane' }, '1');
      expect(normalised).toStrictEqual({ firstName: 'Jane' });
    });

    it('uses the given default country code', () => {
      expect(normaliseContact({ phone: '07911 123456' }, '44')).toEqual({ phone: '+447911123456' });
    });
  });

  describe('contactProblems', () => {
    it('accepts an email only, a phone only or an external id only', () => {
      expect(contactProblems({ email: 'jane@example.com' }, undefined)).toEqual([]);
      expect(contactProblems({ phone: '+44 20 7946 0958' }, undefined)).toEqual([]);
      expect(contactProblems({}, 'crm-42')).toEqual([]);
    });

    it('requires at least one of email, phone or external id', () => {
      expect(contactProblems({ firstName: 'Jane' }, undefined)).toEqual([
        { field: 'contact', reason: 'at least one of contact.email, contact.phone or externalId is required' },
      ]);
      expect(contactProblems({}, '')).toEqual([expect.objectContaining({ field: 'contact' })]);
    });

    it.each(['not-an-email', 'jane@', '@example.com', 'jane@example', 'jane doe@example.com'])('refuses email %j', (email) => {
      expect(contactProblems({ email }, undefined)).toEqual([{ field: 'contact.email', reason: 'must be an email address' }]);
    });

    it('accepts an email with surrounding spaces (it is trimmed before use)', () => {
      expect(contactProblems({ email: '  jane@example.com ' }, undefined)).toEqual([]);
    });

    it('refuses a phone with fewer than 6 digits', () => {
      expect(contactProblems({ phone: '+1 234' }, undefined)).toEqual([
        { field: 'contact.phone', reason: 'must contain at least 6 digits' },
      ]);
      expect(contactProblems({ phone: '12-34-56' }, undefined)).toEqual([]);
    });

    it('reports every problem at once', () => {
      expect(contactProblems({ email: 'nope', phone: '12' }, 'x').map((p) => p.field)).toEqual(['contact.email', 'contact.phone']);
    });
  });

  describe('identitiesOf', () => {
    it('lists the identities strongest first: email, phone, external id', () => {
      expect(identitiesOf({ email: 'jane@example.com', phone: '+15551234567' }, 'crm-42')).toEqual([
        { kind: 'email', value: 'jane@example.com' },
        { kind: 'phone', value: '+15551234567' },
        { kind: 'externalId', value: 'crm-42' },
      ]);
    });

    it('skips the missing ones', () => {
      expect(identitiesOf({ phone: '+15551234567' }, undefined)).toEqual([{ kind: 'phone', value: '+15551234567' }]);
      expect(identitiesOf({}, undefined)).toEqual([]);
    });
  });
});
