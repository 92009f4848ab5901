import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { LEGACY_ISO_TIME_FORMS } from './issue-11-time-forms';
import type { RawRequest } from './raw-http';

/**
 * Hostile requests for the fuzz test (test/e2e/hostile-input.e2e-spec.ts). Every request starts as a
 * valid one for its route and gets at least one defect that makes it certainly invalid, whatever the
 * state of the lead it names. Defects are tagged with the area that refuses them, so a failing class
 * says whose promise it breaks.
 */

/** Who refuses a defect: the HTTP edge, DTO validation, business times and amounts, read-your-writes. */
export type DefectArea = 'edge' | 'dto' | 'time' | 'amount' | 'read-your-writes';

/** A JSON token written as is (JSON.stringify cannot write 1e400 or a deep nest without building it). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Removes the field. */
export const DELETE = Symbol('delete');

type Json = unknown;

/** A request being built: JSON body and query as data, turned into bytes at the end. */
export interface Draft {
  method: string;
  /** The route as registered, e.g. `/v1/leads/:id/activities`. */
  routePath: string;
  /** The value put in place of `:id`, percent-encoded already. */
  id?: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body?: Json;
  /** Set by defects that write the bytes themselves; wins over `body`. */
  raw?: string | Buffer;
  /** Send no Content-Type at all (by default a body goes as application/json). */
  omitContentType?: boolean;
  chunked: boolean;
}

export interface Defect {
  /** The defect class, e.g. `occurredAt=2026-W05-1` or `content-type`. */
  readonly name: string;
  readonly area: DefectArea;
  /** Structured defects (0, 1) run before those that write bytes (2, 3). */
  readonly stage: number;
  apply(draft: Draft): void;
}

/** A bad value for one field: the value, and its area when that is not plain DTO validation. */
export interface BadValue {
  readonly value: Json | typeof DELETE;
  readonly area?: DefectArea;
  readonly label?: string;
}

/** What is known of a route beyond the router: a valid request and the bad values of its fields. */
export interface RouteTemplate {
  /** A valid body (POST), made fresh for every request. */
  readonly body?: () => Record<string, Json>;
  /** The route reads X-Tenant-Id, X-Actor and X-Correlation-Id (RequestContext). */
  readonly context: boolean;
  /** The route validates its query with a DTO, so an unknown parameter is refused. */
  readonly queryDto: boolean;
  /** Paths of nested DTO objects, where an unknown property is refused too. */
  readonly nestedDtos?: readonly string[];
  readonly fields?: Readonly<Record<string, readonly BadValue[]>>;
  readonly queryFields?: Readonly<Record<string, readonly BadValue[]>>;
  /** Valid query values; repeating one makes it an array, which no query field accepts. */
  readonly queryValues?: Readonly<Record<string, string>>;
}

const long = (n: number) => 'x'.repeat(n);
const v = (value: Json | typeof DELETE, area?: DefectArea, label?: string): BadValue => ({ value, area, label });
const values = (...list: Array<Json | typeof DELETE>): BadValue[] => list.map((value) => v(value));

/** Not strings, for a string field (null and absence are fine for an optional one). */
const NOT_STRINGS = values(5, true, {}, ['a'], 1.5);
const requiredString = (max?: number) => [...NOT_STRINGS, ...values(DELETE, null, ''), ...(max ? values(long(max + 1)) : [])];
const optionalString = (max: number) => [...NOT_STRINGS, ...values(long(max + 1))];
const NOT_OBJECTS = values('x', 5, true, [], [{}]);
const requiredObject = [...NOT_OBJECTS, ...values(DELETE, null)];
const optionalObject = NOT_OBJECTS;
/** Numbers JSON cannot hold, as JSON numbers and as strings, and other wrong types. */
const BAD_NUMBERS: BadValue[] = [
  ...values(new RawJson('1e400'), new RawJson('-1e400'), 'NaN', 'Infinity', '-Infinity', '1e308', '12', '', true, {}, [1]),
  v(-1),
  v(-0.01),
];

/** Business times the API must refuse: forms of ISO 8601 that are not RFC 3339 date-times, and times far in the future. */
export const NON_RFC3339_TIMES = [
  ...LEGACY_ISO_TIME_FORMS,
  '2026-02-01T10:00Z',
  '20260201T100000Z',
  '+002026-02-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
];
/** Times no reading of ISO 8601 accepts. */
const BROKEN_TIMES = ['yesterday', '2026-13-01T00:00:00Z', '2026-02-30T10:00:00Z', '2026-02-01T25:00:00Z', 'T', '', long(5000)];
/** Strings are for the time parser to refuse; other types for the DTO. */
const businessTime = [...values(20260201, true, {}, []), ...[...BROKEN_TIMES, ...NON_RFC3339_TIMES].map((t) => v(t, 'time'))];
// A far-future bound is a fair query ("until forever"), so 9999-12-31 is only refused as a business time.
const queryTime = [...BROKEN_TIMES, '2026-13-01', ...NON_RFC3339_TIMES.filter((t) => !t.startsWith('9999'))].map((t) => v(t, 'time'));
const POSITIONS: BadValue[] = [...values('-1', 'abc', '1/2/3', '1.5', '', ' 1', '0x10', long(500)), v('999999999999', 'read-your-writes', 'beyond the head')];

const allBant = () => ({ budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } });
const AMOUNT_RANGE: BadValue[] = [v(1e308, 'amount'), v(Number.MAX_VALUE, 'amount'), v(12.345, 'amount', 'more decimals than EUR has')];

/** Templates by `METHOD path`; a route without one is still fuzzed with the defects every route refuses. */
export const TEMPLATES: Readonly<Record<string, RouteTemplate>> = {
  'POST /v1/leads': {
    body: () => ({ contact: { email: `fuzz-${Math.random().toString(36).slice(2)}@valid.test` }, source: { channel: 'seo' } }),
    context: true,
    queryDto: false,
    nestedDtos: ['contact', 'source', 'company'],
    fields: {
      contact: requiredObject,
      'contact.email': [...NOT_STRINGS, ...values('not-an-email', 'a@b', '@x.test', `${long(300)}@e.test`, '')],
      'contact.phone': [...NOT_STRINGS, ...values('abc', '1', long(40), '+1 555 <script>')],
      'contact.firstName': optionalString(200),
      'contact.lastName': optionalString(200),
      externalId: [...NOT_STRINGS, ...values(null, '', long(201))],
      jobTitle: optionalString(200),
      company: optionalObject,
      'company.size': [...BAD_NUMBERS, ...values(0, 1.5, '10')],
      'company.country': [...NOT_STRINGS, ...values('XX', 'UK', 'USA', '')],
      'company.industry': optionalString(100),
      'company.name': optionalString(300),
      source: requiredObject,
      'source.channel': [...NOT_STRINGS, ...values(DELETE, null, 'carrier_pigeon', 'SEO', '', ' seo')],
      'source.campaign': optionalString(200),
      'source.cost': BAD_NUMBERS,
      attributes: values('x', 5, true, [], [1]),
      // No stage before lead is configured here: every stage is refused, on the field.
      stage: [...optionalString(40), ...values('subscriber', 'customer', '')],
      occurredAt: businessTime,
    },
  },
  'POST /v1/leads/:id/activities': {
    body: () => ({ type: 'page_view' }),
    context: true,
    queryDto: false,
    fields: {
      type: [...requiredString(), ...values('teleportation', 'PAGE_VIEW', long(100_000))],
      occurredAt: businessTime,
      properties: values('x', 5, true, [], [1]),
    },
  },
  'POST /v1/leads/:id/sql': {
    body: () => ({ bant: allBant(), qualifiedBy: 'sdr-1' }),
    context: true,
    queryDto: false,
    nestedDtos: ['bant', 'bant.budget', 'bant.need'],
    fields: {
      bant: requiredObject,
      'bant.budget': requiredObject,
      'bant.timeline': requiredObject,
      'bant.need.met': values(DELETE, null, 'true', 1, 'yes', {}),
      'bant.authority.met': values(DELETE, 'false', 0),
      'bant.authority.note': optionalString(2000),
      qualifiedBy: requiredString(200),
      occurredAt: businessTime,
    },
  },
  'POST /v1/leads/:id/assign': { body: () => ({ ownerId: 'rep-1' }), context: true, queryDto: false, fields: { ownerId: requiredString(200) } },
  'POST /v1/leads/:id/disqualify': {
    body: () => ({ reason: 'no_budget' }),
    context: true,
    queryDto: false,
    fields: { reason: [...requiredString(), ...values('bored', 'NO_BUDGET', ' no_budget')], note: optionalString(2000) },
  },
  'POST /v1/leads/:id/stage': { body: () => ({ stage: 'lead' }), context: true, queryDto: false, fields: { stage: requiredString(40) } },
  'POST /v1/leads/:id/recycle': { body: () => ({}), context: true, queryDto: false, fields: { reason: optionalString(2000) } },
  'POST /v1/leads/:id/opportunities': {
    body: () => ({ amount: 1000, currency: 'EUR' }),
    context: true,
    queryDto: false,
    fields: {
      amount: [...BAD_NUMBERS, ...values(DELETE, null), ...AMOUNT_RANGE],
      currency: [...requiredString(), ...values('eur', 'EURO', 'E1R', 'EU'), v('ABC', 'amount', 'not an ISO 4217 code')],
      name: optionalString(300),
      expectedCloseDate: values('soon', '2026-02-30', '31/12/2026', '2026-13-01', 5, true, {}, ''),
    },
  },
  'POST /v1/leads/:id/forget': { body: () => ({ reason: 'fuzz' }), context: true, queryDto: false, fields: { reason: requiredString(2000) } },
  'POST /v1/opportunities/:id/stage': {
    body: () => ({ stage: 'proposal' }),
    context: true,
    queryDto: false,
    fields: { stage: [...requiredString(), ...values('flying', 'PROPOSAL', long(100_000))] },
  },
  'POST /v1/opportunities/:id/win': {
    body: () => ({}),
    context: true,
    queryDto: false,
    fields: { amount: [...BAD_NUMBERS, ...AMOUNT_RANGE] },
  },
  'POST /v1/opportunities/:id/lose': {
    body: () => ({ reason: 'price' }),
    context: true,
    queryDto: false,
    fields: { reason: requiredString(200), note: optionalString(2000) },
  },
  'GET /v1/leads/:id': {
    context: true,
    queryDto: true,
    queryFields: { asOf: queryTime, asOfTime: values('sideways', 'BUSINESS', ''), revision: values('-1', 'abc', '1.5', '1e400', 'Infinity', 'NaN') },
    queryValues: { revision: '0', asOfTime: 'business' },
  },
  'GET /v1/leads/:id/history': { context: true, queryDto: true, queryFields: { format: values('xml', 'JSON', '', 'csv;') }, queryValues: { format: 'csv' } },
  'GET /v1/funnel': {
    context: true,
    queryDto: true,
    queryFields: { from: queryTime, to: queryTime, channel: values('carrier_pigeon', ''), campaign: values(long(201)), groupBy: values('stage', ''), minPosition: POSITIONS },
    queryValues: { channel: 'seo', groupBy: 'channel' },
  },
  'GET /v1/funnel/leads/:id': { context: true, queryDto: true, queryFields: { minPosition: POSITIONS }, queryValues: { minPosition: '1' } },
  'GET /v1/leads': {
    context: true,
    queryDto: true,
    queryFields: {
      stage: values('lost', 'MQL', ''),
      temperature: values('lukewarm', ''),
      ownerId: values(long(201)),
      channel: values('carrier_pigeon'),
      minScore: values('high', 'NaN', 'Infinity', '1e400', '--1'),
      sort: values('name', ''),
      limit: values('0', '-1', '501', '1.5', 'ten', '1e400', 'Infinity'),
      cursor: values('garbage!!', long(1001)),
      minPosition: POSITIONS,
    },
    queryValues: { limit: '10', stage: 'lead', sort: 'score' },
  },
  'GET /v1/kpis': {
    context: true,
    queryDto: true,
    queryFields: { from: queryTime, to: queryTime, channel: values('carrier_pigeon', ''), campaign: values(long(201)), minPosition: POSITIONS },
    queryValues: { channel: 'seo', campaign: 'q1' },
  },
  'GET /v1/sla': {
    context: true,
    queryDto: true,
    queryFields: { from: queryTime, to: queryTime, channel: values('carrier_pigeon', '', 'WEB_FORM') },
    queryValues: { channel: 'seo', from: '2026-01-01T00:00:00Z' },
  },
  'GET /v1/opportunities/:id': { context: true, queryDto: false },
  'GET /v1/projections': { context: false, queryDto: false },
};

const BAD_IDS = [
  'not-a-uuid',
  '123',
  '6f1c1b7e4a1f4d2b9c8e1234567890ab',
  '6f1c1b7e-4a1f-4d2b-9c8e-1234567890a',
  '6f1c1b7e-4a1f-4d2b-9c8e-1234567890abc',
  'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
  '%7B6f1c1b7e-4a1f-4d2b-9c8e-1234567890ab%7D',
  '%20',
  '%00',
  'a%2Fb',
  '..',
  '%27%20OR%201%3D1--',
  '%C3%BF',
  '%E0%A4%A',
  'x'.repeat(5000),
];
const BAD_CONTENT_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=us-ascii',
  'application/json; foo=bar',
  'application/vnd.api+json',
  'application/jsonx',
  '*/*',
  'json',
  '',
  undefined,
];
const BAD_ENCODINGS = ['gzip', 'deflate', 'br', 'compress', 'x-unknown', 'gzip, identity', 'identity, br'];
const BAD_TENANTS = ['with space', 'x'.repeat(65), '-leading', 'tenant/../other', 'ünïcode', '*'];
const NON_OBJECT_BODIES = ['[]', '[{}]', '"lead"', '0', '-1', 'true', 'false', 'null', '1e400'];

/** Sets (or deletes) a dotted path in a JSON value, creating the objects on the way. */
function setPath(root: Record<string, Json>, path: string, value: Json | typeof DELETE): void {
  const keys = path.split('.');
  let node: Record<string, Json> = root;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, Json>;
  }
  const last = keys[keys.length - 1];
  if (value === DELETE) delete node[last];
  else node[last] = value;
}

/** Defines a key as an own property, as JSON.parse would (an assignment to `__proto__` would set the prototype). */
function defineKey(target: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function objectBody(draft: Draft): Record<string, Json> {
  if (typeof draft.body !== 'object' || draft.body === null || Array.isArray(draft.body)) draft.body = {};
  return draft.body as Record<string, Json>;
}

/** JSON text of a draft's body, RawJson tokens written as they are. */
export function jsonText(value: Json): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}:${jsonText((value as Record<string, Json>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A kind of defect: how often random requests pick it, how to draw one, and a fixed list of its cases
 * (every value for a list of constants, a few representatives for a parameter) that are each sent once.
 */
interface Family {
  readonly weight: number;
  readonly arbitrary: fc.Arbitrary<Defect>;
  readonly cases: readonly Defect[];
}

function constants<T>(weight: number, list: readonly T[], make: (value: T) => Defect): Family {
  return { weight, arbitrary: fc.constantFrom(...list).map(make), cases: list.map(make) };
}

function parametric<T>(weight: number, arbitrary: fc.Arbitrary<T>, representatives: readonly T[], make: (value: T) => Defect): Family {
  return { weight, arbitrary: arbitrary.map(make), cases: representatives.map(make) };
}

const MALFORMATIONS = 8;

/** The defects every route refuses, whatever its DTOs: they need nothing but the router's path. Weights keep the costly ones rare. */
function genericDefects(routePath: string, bodyLimit: number): Family[] {
  const list: Family[] = [];
  if (routePath.includes(':id')) {
    list.push(constants(4, BAD_IDS, (id) => ({ name: 'path id not a UUID', area: 'edge', stage: 0, apply: (d) => void (d.id = id) })));
  }
  const encodings = BAD_ENCODINGS.flatMap((encoding) => [false, true].map((compressed) => ({ encoding, compressed })));
  const malformations = Array.from({ length: MALFORMATIONS }, (_, kind) => ({ kind, at: 7 }));
  const reserved = ['__proto__', 'constructor', 'prototype'].flatMap((key) => ['top', 'nested', 'query'].map((where) => ({ key, where })));
  list.push(
    constants(4, BAD_CONTENT_TYPES, (type) => ({
      name: 'content type',
      area: 'edge',
      stage: 2,
      apply: (d) => {
        objectBody(d);
        if (type === undefined) d.omitContentType = true;
        else d.headers['Content-Type'] = type;
        if (type === 'application/x-www-form-urlencoded') d.raw = 'contact%5Bemail%5D=a%40b.test&source%5Bchannel%5D=seo';
      },
    })),
    constants(3, encodings, ({ encoding, compressed }) => ({
      name: 'content encoding',
      area: 'edge',
      stage: 3,
      apply: (d) => {
        const text = d.raw ?? jsonText(objectBody(d));
        d.headers['Content-Encoding'] = encoding;
        d.raw = compressed && encoding === 'gzip' ? gzipSync(text) : text;
      },
    })),
    parametric(4, fc.record({ kind: fc.integer({ min: 0, max: MALFORMATIONS - 1 }), at: fc.nat() }), malformations, ({ kind, at }) => ({
      name: 'malformed JSON',
      area: 'edge',
      stage: 3,
      apply: (d) => {
        const text = jsonText(objectBody(d));
        // Each is invalid JSON whatever the text: a proper prefix of an object, a trailing comma, …
        const mutations = [
          () => text.slice(0, 1 + (at % (text.length - 1))),
          () => `${text.slice(0, -1)},}`,
          () => `${text}}`,
          () => `x${text}`,
          () => `${text}${text}`,
          () => `/* comment */${text}`,
          () => (text.includes('"') ? text.replace(/"/g, "'") : `{'a':1}`),
          () => `{"a":undefined,"b":${text}}`,
        ];
        d.raw = mutations[kind]();
      },
    })),
    parametric(2, fc.integer({ min: 33, max: 20_000 }), [33, 20_000], (levels) => ({
      name: 'JSON too deep',
      area: 'edge',
      stage: 1,
      apply: (d) => void (objectBody(d).deep = new RawJson('['.repeat(levels) + ']'.repeat(levels))),
    })),
    constants(3, reserved, ({ key, where }) => ({
      name: `reserved key ${key}`,
      area: 'edge',
      stage: 1,
      apply: (d) => {
        if (where === 'query') return void d.query.push([key, '1']);
        const body = objectBody(d);
        if (where === 'top') return defineKey(body, key, { polluted: true });
        const holder = Object.values(body).find((x) => typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof RawJson)) as Record<string, Json> | undefined;
        defineKey(holder ?? body, key, { polluted: true });
      },
    })),
    // Rare: each costs a quarter of a megabyte on the wire.
    parametric(1, fc.integer({ min: 1, max: 64 * 1024 }), [1], (extra) => ({
      name: 'body too large',
      area: 'edge',
      stage: 1,
      apply: (d) => void (objectBody(d).padding = 'p'.repeat(bodyLimit + extra)),
    })),
    constants(2, NON_OBJECT_BODIES, (text) => ({
      name: 'body not an object',
      area: 'edge',
      stage: 3,
      apply: (d) => {
        d.raw = text;
        d.headers['Content-Type'] = 'application/json';
      },
    })),
  );
  return list;
}

/** The defects a template knows of: bad field values, unknown properties, bad headers and query values. */
function templateDefects(t: RouteTemplate): Family[] {
  const list: Family[] = [];
  const fieldCases = Object.entries(t.fields ?? {}).flatMap(([path, bad]) => bad.map((b) => ({ path, bad: b })));
  if (fieldCases.length) {
    list.push(
      constants(12, fieldCases, ({ path, bad }) => ({
        name: `${path}=${bad.label ?? label(bad.value)}`,
        area: bad.area ?? 'dto',
        stage: 1,
        apply: (d) => setPath(objectBody(d), path, bad.value),
      })),
    );
  }
  if (t.body) {
    const places = ['', ...(t.nestedDtos ?? [])].flatMap((holder) => ['unexpected', 'isAdmin', 'tenantId', 'leadId'].map((key) => (holder ? `${holder}.${key}` : key)));
    list.push(constants(3, places, (path) => ({ name: 'unknown property', area: 'dto', stage: 1, apply: (d) => setPath(objectBody(d), path, 1) })));
  }
  if (t.context) {
    const headers = [...BAD_TENANTS.map((value) => ['X-Tenant-Id', value]), ['X-Actor', long(201)], ['X-Correlation-Id', long(201)]];
    list.push(constants(2, headers, ([header, value]) => ({ name: `bad ${header}`, area: 'dto', stage: 0, apply: (d) => void (d.headers[header] = value) })));
  }
  const queryCases = Object.entries(t.queryFields ?? {}).flatMap(([key, bad]) => bad.map((b) => ({ key, bad: b })));
  if (queryCases.length) {
    list.push(
      constants(12, queryCases, ({ key, bad }) => ({
        name: `?${key}=${bad.label ?? label(bad.value)}`,
        area: bad.area ?? 'dto',
        stage: 0,
        apply: (d) => void d.query.push([key, String(bad.value)]),
      })),
    );
  }
  if (t.queryDto) {
    list.push(constants(2, ['unexpected', 'tenantId', 'debug'], (key) => ({ name: 'unknown query parameter', area: 'dto', stage: 0, apply: (d) => void d.query.push([key, '1']) })));
  }
  const repeatable = Object.entries(t.queryValues ?? {});
  if (repeatable.length) {
    list.push(
      constants(2, repeatable, ([key, value]) => ({ name: 'query parameter repeated', area: 'dto', stage: 0, apply: (d) => void d.query.push([key, value], [key, value]) })),
    );
  }
  return list;
}

function label(value: Json | typeof DELETE): string {
  if (value === DELETE) return '(missing)';
  if (value instanceof RawJson) return value.text;
  const text = typeof value === 'string' ? JSON.stringify(value) : jsonText(value);
  return text.length > 40 ? `${text.slice(0, 12)}…(${text.length} chars)` : text;
}

/** One generated request: what it is made of, and its bytes. */
export interface HostileRequest {
  readonly route: string;
  readonly defects: readonly Defect[];
  readonly request: RawRequest;
}

export interface RouteUnderTest {
  readonly method: string;
  readonly path: string;
  /** A valid id for `:id` (a seeded lead or opportunity). */
  readonly id?: string;
}

/** Whether a template describes the route (the others get the generic defects only). */
export const hasTemplate = (route: RouteUnderTest) => `${route.method} ${route.path}` in TEMPLATES;

function families(route: RouteUnderTest, bodyLimit: number): Family[] {
  const template = TEMPLATES[`${route.method} ${route.path}`];
  return [...genericDefects(route.path, bodyLimit), ...(template ? templateDefects(template) : [])];
}

/** The valid request every defect of the route starts from. */
export function validRequest(route: RouteUnderTest): RawRequest {
  return build(route, [], false).request;
}

/** Every case of every defect the route has, each alone on the route's valid request. */
export function everySingleDefect(route: RouteUnderTest, bodyLimit: number): HostileRequest[] {
  return families(route, bodyLimit).flatMap((f) => f.cases.map((defect) => build(route, [defect], false)));
}

/** Random requests for the route: one to three defects on its valid request, sent with or without chunking. */
export function hostileRequests(route: RouteUnderTest, bodyLimit: number): fc.Arbitrary<HostileRequest> {
  const weighted = families(route, bodyLimit).map((f) => ({ weight: f.weight, arbitrary: f.arbitrary }));
  return fc
    .tuple(fc.array(fc.oneof(...weighted), { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([chosen, chunked]) => build(route, chosen, chunked));
}

function build(route: RouteUnderTest, chosen: readonly Defect[], chunked: boolean): HostileRequest {
  const template = TEMPLATES[`${route.method} ${route.path}`];
  const ordered = [...chosen].sort((a, b) => a.stage - b.stage);
  const draft: Draft = { method: route.method, routePath: route.path, id: route.id, query: [], headers: {}, body: template?.body?.(), chunked };
  for (const defect of ordered) defect.apply(draft);
  return { route: `${route.method} ${route.path}`, defects: ordered, request: toRawRequest(draft) };
}

function toRawRequest(d: Draft): RawRequest {
  const path = d.routePath.replace(':id', d.id ?? '') + (d.query.length ? `?${new URLSearchParams(d.query).toString()}` : '');
  const bytes = d.raw ?? (d.body === undefined ? undefined : jsonText(d.body));
  const headers = { ...d.headers };
  if (bytes !== undefined && !('Content-Type' in headers) && !d.omitContentType) headers['Content-Type'] = 'application/json';
  if (bytes === undefined) return { method: d.method, path, headers };
  return d.chunked ? { method: d.method, path, headers, chunks: [bytes] } : { method: d.method, path, headers, body: bytes };
}
