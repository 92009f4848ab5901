import type { FieldProblem } from '../shared/domain-error';

/** Personal data of a lead, kept in one object so it can be encrypted or erased in one place. */
export interface Contact {
  readonly email?: string;
  readonly phone?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  /** Set in place of the fields once the personal data was erased (crypto-shredded). */
  readonly erased?: true;
}

export type IdentityKind = 'email' | 'phone' | 'externalId';

export interface LeadIdentity {
  readonly kind: IdentityKind;
  readonly value: string;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Phone numbers become "+" and digits with the country code. "+" or "00" means the country code is
 * already there; otherwise a national trunk "0" is dropped and the configured default code prepended.
 */
export function normalisePhone(phone: string, defaultCountryCode: string): string {
  const trimmed = phone.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('+')) return `+${digits}`;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  if (digits.startsWith('0')) return `+${defaultCountryCode}${digits.slice(1)}`;
  if (digits.startsWith(defaultCountryCode) && digits.length > 10) return `+${digits}`;
  return `+${defaultCountryCode}${digits}`;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function contactProblems(contact: Contact, externalId: string | undefined): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!contact.email && !contact.phone && !externalId) {
    problems.push({ field: 'contact', reason: 'at least one of contact.email, contact.phone or externalId is required' });
  }
  if (contact.email !== undefined && !EMAIL.test(contact.email.trim())) {
    problems.push({ field: 'contact.email', reason: 'must be an email address' });
  }
  if (contact.phone !== undefined && contact.phone.replace(/\D/g, '').length < 6) {
    problems.push({ field: 'contact.phone', reason: 'must contain at least 6 digits' });
  }
  return problems;
}

export function normaliseContact(contact: Contact, defaultCountryCode: string): Contact {
  return {
    ...contact,
    ...(contact.email !== undefined ? { email: normaliseEmail(contact.email) } : {}),
    ...(contact.phone !== undefined ? { phone: normalisePhone(contact.phone, defaultCountryCode) } : {}),
  };
}

/** The keys that make two captures the same lead within a tenant, strongest first. */
export function identitiesOf(contact: Contact, externalId: string | undefined): LeadIdentity[] {
  const identities: LeadIdentity[] = [];
  if (contact.email) identities.push({ kind: 'email', value: contact.email });
  if (contact.phone) identities.push({ kind: 'phone', value: contact.phone });
  if (externalId) identities.push({ kind: 'externalId', value: externalId });
  return identities;
}
