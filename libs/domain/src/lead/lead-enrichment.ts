import { type Contact } from '../contact/contact';
import { ExtensionError } from '../scoring/fit-scorer';
import { readBusinessTime } from '../shared/business-time';
import { InvalidCommandError } from '../shared/domain-error';
import { type CompanyProfile, type LeadSource } from './lead.events';

/**
 * What a host's enrichment found about a lead's company: flat, plain values only. Firmographic
 * (company-level) facts such as industry, employee count or country; not facts about the person, which
 * the store would not encrypt here (only the lead's `contact` is personal data, see the README).
 */
export type EnrichmentAttributes = Readonly<Record<string, string | number | boolean>>;

/** The answer of a host's enrichment hook (LeadLifecycleModule.forRoot `enrichment.atCapture`). */
export interface EnrichmentResult {
  /** Who answered, for auditors: the directory or vendor, e.g. `firmographics-directory`. */
  readonly source: string;
  readonly attributes: EnrichmentAttributes;
}

/** An enrichment as a capture carries it into the decision: the hook's checked answer and when it came. */
export interface LeadEnrichment extends EnrichmentResult {
  /** When the lookup answered (the engine's clock), RFC 3339. */
  readonly enrichedAt: string;
}

/** What the hook is told about the lead being captured. */
export interface EnrichmentRequest {
  readonly tenantId: string;
  readonly leadId: string;
  /** The normalised (lower case) domain of the contact's email, when it has one: the usual lookup key. */
  readonly emailDomain?: string;
  /** The normalised contact: personal data, for the host's own lookup only; none of it is recorded by the enrichment. */
  readonly contact: Contact;
  readonly jobTitle?: string;
  readonly company?: CompanyProfile;
  readonly source: LeadSource;
}

/**
 * A host's enrichment at capture: asynchronous (it may look something up), called once per new lead,
 * before anything is written. Its answer is recorded as LeadEnriched, so replay, as-of queries and
 * rescores read it from the log and never call the hook again. `signal` aborts when the engine stops
 * waiting (the timeout); a host passes it to its HTTP client. `undefined` means nothing was found.
 */
export type EnrichmentHook = (lead: EnrichmentRequest, options: { readonly signal: AbortSignal }) => Promise<EnrichmentResult | undefined> | EnrichmentResult | undefined;

/** The bounds of a recorded enrichment, so a lookup cannot bloat every lead's stream. */
export const ENRICHMENT_LIMITS = Object.freeze({
  /** Attributes per enrichment. */
  maxAttributes: 50,
  /** Characters of a string value. */
  maxStringLength: 500,
  /** Characters of `source`. */
  maxSourceLength: 64,
});

/** Attribute names: a letter, then letters, digits, `_`, `-` or `.`, at most 64 characters (no `__proto__`). */
export const ENRICHMENT_ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

const EXTENSION = 'enrichment.atCapture';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The hook's answer as the engine records it: a fresh copy, each value read once; undefined when it
 * found nothing (undefined, null, or no attributes). Anything else than the documented shape throws
 * ExtensionError (INVALID_CONFIGURATION): the host's code is wrong, and the capture is refused with
 * nothing written rather than recorded with data no reader expects.
 */
export function enrichmentResultOf(answer: unknown): EnrichmentResult | undefined {
  try {
    return checked(answer);
  } catch (error) {
    if (error instanceof ExtensionError) throw error;
    // A getter or proxy that throws while being read is a bad answer too.
    throw new ExtensionError(EXTENSION, `the result cannot be read (${(error as Error)?.message ?? String(error)})`);
  }
}

function checked(answer: unknown): EnrichmentResult | undefined {
  if (answer === undefined || answer === null) return undefined;
  const bad = (problem: string) => new ExtensionError(EXTENSION, problem);
  if (!isPlainObject(answer)) throw bad('must return { source, attributes } or undefined');
  const extra = Object.keys(answer).filter((key) => key !== 'source' && key !== 'attributes');
  if (extra.length) throw bad(`unknown fields ${extra.slice(0, 5).join(', ')}; only source and attributes`);
  const { source, attributes } = answer as { source: unknown; attributes: unknown };
  if (typeof source !== 'string' || !source.trim() || source.length > ENRICHMENT_LIMITS.maxSourceLength || LONE_SURROGATE.test(source)) {
    throw bad(`source must be a non-empty string of at most ${ENRICHMENT_LIMITS.maxSourceLength} characters`);
  }
  if (!isPlainObject(attributes)) throw bad('attributes must be a plain object');
  const names = Object.keys(attributes);
  if (names.length > ENRICHMENT_LIMITS.maxAttributes) throw bad(`at most ${ENRICHMENT_LIMITS.maxAttributes} attributes (got ${names.length})`);
  const copy: Record<string, string | number | boolean> = {};
  for (const name of names) {
    if (!ENRICHMENT_ATTRIBUTE_NAME.test(name)) throw bad(`attribute name ${JSON.stringify(name.slice(0, 80))} must match ${ENRICHMENT_ATTRIBUTE_NAME.source}`);
    const value: unknown = (attributes as Record<string, unknown>)[name];
    copy[name] = attributeValue(name, value, bad);
  }
  if (names.length === 0) return undefined;
  return { source: source.trim(), attributes: copy };
}

function attributeValue(name: string, value: unknown, bad: (problem: string) => ExtensionError): string | number | boolean {
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw bad(`attribute ${name} must be a finite number (got ${String(value)})`);
      // JSON has no -0: what is stored must equal what replay reads.
      return value === 0 ? 0 : value;
    case 'string':
      if (value.length > ENRICHMENT_LIMITS.maxStringLength) throw bad(`attribute ${name} is longer than ${ENRICHMENT_LIMITS.maxStringLength} characters`);
      if (LONE_SURROGATE.test(value)) throw bad(`attribute ${name} is not well-formed Unicode`);
      return value;
    default:
      throw bad(`attribute ${name} must be a string, a number or a boolean (got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value})`);
  }
}

/**
 * A capture's enrichment checked again by the decider, which takes it as data (whoever built the
 * command): the same shape as the hook's answer, and `enrichedAt` a business time (normalised to UTC).
 */
export function checkedLeadEnrichment(enrichment: LeadEnrichment): LeadEnrichment | undefined {
  const { enrichedAt, ...answer } = enrichment;
  const at = readBusinessTime(enrichedAt);
  if (!at.ok) throw new InvalidCommandError([{ field: 'enrichment.enrichedAt', reason: at.reason }]);
  const result = enrichmentResultOf(answer);
  return result && { ...result, enrichedAt: at.value };
}

/** The normalised email's domain, the usual key of a firmographic lookup. */
export function emailDomainOf(contact: Contact): string | undefined {
  const at = contact.email?.lastIndexOf('@') ?? -1;
  return at > 0 ? contact.email!.slice(at + 1) : undefined;
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
