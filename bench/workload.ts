/**
 * A seeded generator of a realistic lead funnel, decided by the engine's own deciders.
 *
 * Each lead has a journey: it is captured from a channel and campaign (its email, phone and external id
 * reserved first, as CaptureLeadHandler does), engages over weeks with a heavy-tailed number of
 * activities (a few leads have thousands), is qualified as an MQL when its score crosses the threshold,
 * is assigned, promoted to SQL with a BANT assessment, gets opportunities that move through the pipeline
 * and are won or lost; some leads are disqualified or recycled into nurture, some are captured twice.
 * Every event comes from decideLead / decideOpportunity on the state folded so far, is wrapped by
 * toNewEvents like the command runners do, and the other stream of a two-stream move is written by the
 * engine's own OpportunityLifecycleReaction (ids derived from the source event), run on the generator's
 * folded state through GeneratorRepository.
 *
 * The journeys of all leads are merged in business-time order, so the global order of the store looks
 * like months of traffic. The same seed gives the same events (ids included; only recordedAt differs).
 */
import {
  type BantAssessment,
  type CHANNELS,
  type CompanyProfile,
  type Contact,
  DEFAULT_LIFECYCLE_CONFIG,
  DISQUALIFICATION_REASONS,
  DomainError,
  type LeadCommand,
  type LeadEvent,
  type LeadIdentity,
  type LeadState,
  type LifecycleConfig,
  type OpportunityCommand,
  type OpportunityEvent,
  type OpportunityState,
  decideLead,
  decideOpportunity,
  decodeLeadEvent,
  decodeOpportunityEvent,
  evolveLead,
  evolveOpportunity,
  identitiesOf,
  initialLeadState,
  initialOpportunityState,
  leadStreamId,
  normaliseContact,
  opportunityStreamId,
  LEAD_STREAM_PREFIX,
  OPPORTUNITY_STREAM_PREFIX,
} from '@lead-lifecycle/domain';
import type { NewEvent } from '@lead-lifecycle/eventing';
import { type CommandContext, LEAD_IDENTITY_RESERVED, OpportunityLifecycleReaction, toNewEvents } from '@lead-lifecycle/lifecycle';
import { CapturingEventStore, GeneratorRepository } from './lib/generator-repository';
import { Rng } from './lib/rng';

export const TENANT = 'default';
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** How far back the generated history reaches. */
const HISTORY_DAYS = 240;

export type Channel = (typeof CHANNELS)[number];
export type Intent = 'cold' | 'warm' | 'hot';

export interface SeedAppend {
  readonly streamId: string;
  readonly expected: bigint | 'no_stream';
  readonly events: NewEvent[];
}

export interface JourneyStep {
  readonly at: number;
  readonly appends: SeedAppend[];
}

/** What the live load needs to know about a generated lead. */
export interface PoolLead {
  readonly leadId: string;
  readonly email: string;
  /** Activities it had: the live load picks leads in proportion, so the long tail stays long. */
  readonly weight: number;
  readonly intent: Intent;
}

export interface WorkloadOptions {
  readonly targetEvents: number;
  readonly seed: string;
  /** End of the generated history (business time), ms since epoch. */
  readonly anchorMs: number;
  /** Stream id of an identity reservation: LeadIdentityRegistry.streamIdOf. */
  readonly identityStreamId: (tenantId: string, identity: LeadIdentity) => string;
  readonly config?: LifecycleConfig;
}

export interface WorkloadStats {
  leads: number;
  recaptures: number;
  events: number;
  appends: number;
  eventsByType: Record<string, number>;
  /** Leads that ever reached the stage. */
  reached: Record<'mql' | 'sql' | 'opportunity' | 'customer' | 'nurturing' | 'disqualified', number>;
  opportunities: number;
  won: number;
  lost: number;
  activitiesPerLead: { p50: number; p99: number; max: number };
  eventsPerLeadStream: { p50: number; p99: number; max: number };
  /** Events of lead and opportunity streams (what the Kafka relay publishes). */
  relayable: number;
}

// ---------------------------------------------------------------------------------------------
// Reference data

export const CHANNEL_WEIGHTS: Record<Channel, number> = {
  web_form: 24,
  paid_ads: 16,
  seo: 14,
  social: 10,
  email: 9,
  referral: 7,
  trade_show: 6,
  partner: 5,
  import: 6,
  other: 3,
};

export const CAMPAIGNS: Record<Channel, string[]> = {
  web_form: ['contact-us', 'free-trial', 'newsletter-signup'],
  paid_ads: ['google-brand', 'google-generic', 'linkedin-abm', 'retargeting', 'capterra'],
  seo: ['blog', 'comparison-pages', 'docs'],
  social: ['linkedin-organic', 'x-launch', 'youtube-demo'],
  email: ['nurture-a', 'nurture-b', 'product-update', 'webinar-invite'],
  referral: ['customer-referral', 'employee-referral'],
  trade_show: ['saastr', 'web-summit', 'dreamforce'],
  partner: ['reseller-emea', 'reseller-na', 'integration-marketplace'],
  import: ['list-purchase', 'crm-migration'],
  other: ['unknown'],
};

const COST: Partial<Record<Channel, [number, number]>> = {
  paid_ads: [15, 120],
  trade_show: [60, 300],
  partner: [20, 80],
  import: [1, 5],
  social: [5, 40],
};

const FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Edsger', 'Radia', 'Tim', 'Frances', 'John', 'Sophie', 'Hedy', 'Katherine', 'Donald', 'Lynn', 'Vint', 'Anita', 'Guido'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Dijkstra', 'Perlman', 'Berners-Lee', 'Allen', 'McCarthy', 'Wilson', 'Lamarr', 'Johnson', 'Knuth', 'Conway', 'Cerf', 'Borg', 'van Rossum'];
const COMPANY_A = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent', 'Wonka', 'Gringotts', 'Oscorp', 'Aperture'];
const COMPANY_B = ['Systems', 'Labs', 'Industries', 'Analytics', 'Cloud', 'Health', 'Capital', 'Logistics', 'Retail', 'Software'];
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'proton.me'];
const TITLES: Array<readonly [string, number]> = [
  ['VP of Sales', 4],
  ['Chief Technology Officer', 2],
  ['Founder & CEO', 2],
  ['Director of Marketing', 6],
  ['Head of Revenue Operations', 4],
  ['Marketing Manager', 12],
  ['Engineering Manager', 8],
  ['Team Lead', 5],
  ['Software Engineer', 16],
  ['Data Analyst', 10],
  ['Consultant', 8],
  ['Student', 4],
  ['Intern', 2],
  ['', 17],
];
const INDUSTRIES: Array<readonly [string, number]> = [
  ['software', 22],
  ['saas', 8],
  ['financial services', 8],
  ['fintech', 4],
  ['healthcare', 10],
  ['manufacturing', 10],
  ['retail', 9],
  ['education', 9],
  ['government', 5],
  ['media', 6],
  ['', 9],
];
const COUNTRIES: Array<readonly [string, number]> = [
  ['US', 36],
  ['GB', 9],
  ['DE', 8],
  ['CA', 5],
  ['FR', 5],
  ['NL', 3],
  ['AU', 3],
  ['IN', 9],
  ['BR', 6],
  ['ES', 5],
  ['JP', 4],
  ['SE', 3],
  ['', 4],
];

export const ACTIVITY_MIX: Record<Intent, Array<readonly [string, number]>> = {
  cold: [
    ['email_open', 44],
    ['page_view', 30],
    ['email_click', 10],
    ['content_download', 4],
    ['pricing_page_view', 2],
    ['email_bounced', 3],
    ['unsubscribe', 3],
    ['form_submit', 2],
    ['webinar_attended', 2],
  ],
  warm: [
    ['email_open', 26],
    ['page_view', 24],
    ['email_click', 14],
    ['content_download', 12],
    ['pricing_page_view', 8],
    ['webinar_attended', 6],
    ['form_submit', 6],
    ['demo_request', 2],
    ['unsubscribe', 1],
    ['email_bounced', 1],
  ],
  hot: [
    ['page_view', 20],
    ['email_open', 14],
    ['email_click', 10],
    ['pricing_page_view', 16],
    ['content_download', 10],
    ['webinar_attended', 8],
    ['form_submit', 8],
    ['demo_request', 8],
    ['meeting_booked', 6],
  ],
};

const PAGES = ['/', '/pricing', '/product', '/docs/getting-started', '/blog/event-sourcing', '/customers', '/integrations', '/security'];
const ASSETS = ['whitepaper-pipeline-velocity', 'ebook-lead-scoring', 'report-state-of-revops', 'case-study-acme', 'checklist-bant'];
const LOSS_REASONS = ['price', 'competitor', 'no_decision', 'timing', 'missing_feature', 'budget_cut'];
const CURRENCIES: Array<readonly [string, number]> = [
  ['USD', 60],
  ['EUR', 25],
  ['GBP', 15],
];
const PRODUCTS = ['Platform', 'Enterprise plan', 'Team plan', 'Onboarding package', 'Analytics add-on'];

export function activityProperties(rng: Rng, type: string): Record<string, unknown> | undefined {
  switch (type) {
    case 'page_view':
    case 'pricing_page_view':
      return { url: type === 'pricing_page_view' ? '/pricing' : rng.pick(PAGES), durationSeconds: rng.int(3, 400) };
    case 'email_open':
    case 'email_click':
    case 'email_bounced':
    case 'unsubscribe':
      return { emailId: `em-${rng.int(1, 400)}`, campaign: rng.pick(CAMPAIGNS.email) };
    case 'content_download':
      return { asset: rng.pick(ASSETS) };
    case 'webinar_attended':
      return { webinar: `webinar-${rng.int(1, 40)}`, minutes: rng.int(5, 60) };
    case 'form_submit':
      return { form: rng.pick(['contact-sales', 'trial-signup', 'newsletter']) };
    case 'demo_request':
    case 'meeting_booked':
      return { with: `rep-${rng.int(1, 25)}` };
    default:
      return undefined;
  }
}

/** The fields of a capture (the body of POST /v1/leads without occurredAt). */
export interface CaptureFields {
  contact: Contact;
  externalId?: string;
  jobTitle?: string;
  company?: CompanyProfile;
  source: { channel: Channel; campaign?: string; cost?: number };
  attributes?: Record<string, unknown>;
}

/** A plausible new lead from `rng`; `tag` and `n` make the email unique. */
export function captureFields(rng: Rng, tag: string, n: number): CaptureFields {
  const channel = rng.weighted(CHANNEL_WEIGHTS);
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const companyName = `${rng.pick(COMPANY_A)} ${rng.pick(COMPANY_B)}`;
  const companySlug = companyName.toLowerCase().replace(/[^a-z]+/g, '-');
  const domain = rng.chance(0.22) ? rng.pick(FREE_MAIL) : `${companySlug}-${n % 997}.example`;
  const email = `${first}.${last}.${tag}${n}`.toLowerCase().replace(/[^a-z0-9.]+/g, '') + `@${domain}`;
  const hasPhone = rng.chance(0.5);
  // Phones of the generated history are unique (derived from n); live captures draw theirs at random, so
  // once in a while one matches a known lead and is deduplicated, as in real traffic.
  const line = tag === 'l' ? n : rng.int(0, 7_999_999);
  const phone = hasPhone ? `+1 (${200 + (line % 800)}) 555-${String(Math.floor(line / 800)).padStart(4, '0')}` : undefined;
  const externalId = channel === 'import' || channel === 'partner' || rng.chance(0.08) ? `crm-${tag}${n}` : undefined;
  const title = rng.weighted(TITLES);
  const industry = rng.weighted(INDUSTRIES);
  const country = rng.weighted(COUNTRIES);
  const size = rng.chance(0.85) ? Math.max(1, Math.round(rng.logNormal(60, 1.6))) : undefined;
  const cost = COST[channel] && rng.chance(0.9) ? Math.round(rng.uniform(...COST[channel]) * 100) / 100 : undefined;
  const company: CompanyProfile = {
    name: companyName,
    ...(size !== undefined ? { size } : {}),
    ...(industry ? { industry } : {}),
    ...(country ? { country } : {}),
  };
  return {
    contact: { email, ...(phone ? { phone } : {}), firstName: first, lastName: last },
    ...(externalId ? { externalId } : {}),
    ...(title ? { jobTitle: title } : {}),
    company,
    source: { channel, campaign: rng.pick(CAMPAIGNS[channel]), ...(cost !== undefined ? { cost } : {}) },
    ...(rng.chance(0.3) ? { attributes: { utm_medium: channel, landing: rng.pick(PAGES), consent: true } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// One lead's journey

interface LeadPlan {
  readonly index: number;
  readonly leadId: string;
  readonly capturedAt: number;
  readonly intent: Intent;
  readonly activityCount: number;
  readonly lifespanMs: number;
  readonly whale: boolean;
  readonly fields: CaptureFields;
  readonly rng: Rng;
}

interface Env {
  readonly config: LifecycleConfig;
  readonly anchorMs: number;
  readonly identityStreamId: (tenantId: string, identity: LeadIdentity) => string;
}

interface OppCursor {
  state: OpportunityState;
  rev: bigint | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One lead, its opportunities and its identity reservations, decided step by step. */
class LeadCursor {
  state: LeadState = initialLeadState;
  rev: bigint | undefined;
  /** The lead's opportunities by stream id. */
  readonly opps = new Map<string, OppCursor>();
  private seq = 0;
  private reaction?: { reaction: OpportunityLifecycleReaction; store: CapturingEventStore };
  activities = 0;
  recaptures = 0;
  readonly reached = new Set<string>();

  constructor(
    readonly plan: LeadPlan,
    private readonly env: Env,
  ) {}

  get stage(): string {
    return this.state.stage;
  }

  context(actor: string, command?: string): CommandContext {
    const rng = this.plan.rng;
    return { tenantId: TENANT, actor, correlationId: rng.uuid(), causationId: rng.uuid(), ...(command ? { command } : {}) };
  }

  lead(command: LeadCommand, context: CommandContext, idSeed?: string): SeedAppend | undefined {
    let events: LeadEvent[];
    try {
      events = decideLead(command, this.state, this.env.config);
    } catch (error) {
      if (error instanceof DomainError) return undefined;
      throw error;
    }
    if (events.length === 0) return undefined;
    const append: SeedAppend = {
      streamId: leadStreamId(this.plan.leadId),
      expected: this.rev ?? 'no_stream',
      events: toNewEvents(events, { ...context, command: context.command ?? command.type }, idSeed ?? `bench:${this.plan.leadId}:${this.seq++}`),
    };
    for (const event of events) {
      this.state = evolveLead(this.state, event);
      this.reached.add(this.state.stage);
    }
    this.rev = (this.rev ?? -1n) + BigInt(events.length);
    return append;
  }

  opportunity(opportunityId: string, command: OpportunityCommand, context: CommandContext, idSeed?: string): SeedAppend | undefined {
    const cursor = this.opps.get(opportunityStreamId(opportunityId)) ?? { state: initialOpportunityState, rev: undefined };
    let events: OpportunityEvent[];
    try {
      events = decideOpportunity(command, cursor.state, this.env.config);
    } catch (error) {
      if (error instanceof DomainError) return undefined;
      throw error;
    }
    if (events.length === 0) return undefined;
    const append: SeedAppend = {
      streamId: opportunityStreamId(opportunityId),
      expected: cursor.rev ?? 'no_stream',
      events: toNewEvents(events, { ...context, command: context.command ?? command.type }, idSeed ?? `bench:${opportunityId}:${this.seq++}`),
    };
    for (const event of events) cursor.state = evolveOpportunity(cursor.state, event);
    cursor.rev = (cursor.rev ?? -1n) + BigInt(events.length);
    this.opps.set(opportunityStreamId(opportunityId), cursor);
    return append;
  }

  /**
   * The engine's OpportunityLifecycleReaction on this lead's streams as folded so far: it decides and
   * wraps the other stream's events, which are captured as appends of the history instead of written.
   */
  private reactionFor(): { reaction: OpportunityLifecycleReaction; store: CapturingEventStore } {
    if (this.reaction) return this.reaction;
    const store = new CapturingEventStore();
    const leadStream = leadStreamId(this.plan.leadId);
    const leads = new GeneratorRepository<LeadState, LeadEvent>(store, { initialState: initialLeadState, evolve: evolveLead, decode: decodeLeadEvent }, {
      get: (streamId) => (streamId === leadStream && this.rev !== undefined ? { state: this.state, revision: this.rev } : undefined),
      set: (streamId, state, revision) => {
        if (streamId !== leadStream) throw new Error(`the reaction wrote ${streamId}, not this lead's stream`);
        this.state = state;
        this.rev = revision;
        this.reached.add(state.stage);
      },
    });
    const opportunities = new GeneratorRepository<OpportunityState, OpportunityEvent>(
      store,
      { initialState: initialOpportunityState, evolve: evolveOpportunity, decode: decodeOpportunityEvent },
      {
        get: (streamId) => {
          const cursor = this.opps.get(streamId);
          return cursor?.rev === undefined ? undefined : { state: cursor.state, revision: cursor.rev };
        },
        set: (streamId, state, revision) => this.opps.set(streamId, { state, rev: revision }),
      },
    );
    this.reaction = { reaction: new OpportunityLifecycleReaction(store, this.env.config, leads, opportunities), store };
    return this.reaction;
  }

  /** A command and, as the runners do inline, the reaction to each event it appended. */
  async withReactions(append: SeedAppend | undefined): Promise<SeedAppend[]> {
    if (!append) return [];
    const all = [append];
    for (const event of append.events) {
      const { reaction, store } = this.reactionFor();
      await reaction.react(event);
      all.push(...store.take());
    }
    return all;
  }

  capture(at: number): SeedAppend[] {
    const { fields, leadId } = this.plan;
    const context = this.context(`capture:${fields.source.channel}`, 'CaptureLead');
    const contact = normaliseContact(fields.contact, this.env.config.phone.defaultCountryCode);
    const reservations: SeedAppend[] = identitiesOf(contact, fields.externalId).map((identity) => ({
      streamId: this.env.identityStreamId(TENANT, identity),
      expected: 'no_stream' as const,
      events: [
        {
          eventId: this.plan.rng.uuid(),
          type: LEAD_IDENTITY_RESERVED,
          schemaVersion: 1,
          data: { leadId, kind: identity.kind },
          metadata: {
            tenantId: TENANT,
            occurredAt: iso(at),
            actor: context.actor,
            correlationId: context.correlationId,
            causationId: context.causationId,
          },
        },
      ],
    }));
    const captured = this.lead({ type: 'CaptureLead', leadId, tenantId: TENANT, ...fields, occurredAt: iso(at) }, context);
    if (!captured) throw new Error(`generated capture of ${leadId} was refused`);
    return [...reservations, captured];
  }

  recapture(at: number): SeedAppend[] {
    const rng = this.plan.rng;
    const channel = rng.weighted(CHANNEL_WEIGHTS);
    const fields = this.plan.fields;
    const append = this.lead(
      {
        type: 'CaptureLead',
        leadId: this.plan.leadId,
        tenantId: TENANT,
        contact: { email: fields.contact.email, firstName: fields.contact.firstName, lastName: fields.contact.lastName },
        source: { channel, campaign: rng.pick(CAMPAIGNS[channel]) },
        matchedOn: ['email'],
        occurredAt: iso(at),
      },
      this.context(`capture:${channel}`, 'CaptureLead'),
    );
    if (append) this.recaptures++;
    return append ? [append] : [];
  }

  activity(at: number): SeedAppend[] {
    const rng = this.plan.rng;
    const type = rng.weighted(ACTIVITY_MIX[this.plan.intent]);
    const properties = activityProperties(rng, type);
    const append = this.lead(
      { type: 'RecordEngagement', activityType: type, ...(properties ? { properties } : {}), occurredAt: iso(at) },
      this.context('marketing-automation'),
    );
    if (append) this.activities++;
    return append ? [append] : [];
  }
}

type Scheduled =
  | { at: number; kind: 'assign' }
  | { at: number; kind: 'qualify' }
  | { at: number; kind: 'sql-next' }
  | { at: number; kind: 'opp-step'; opportunityId: string }
  | { at: number; kind: 'after-loss' };

function bant(rng: Rng): BantAssessment {
  const missing = rng.chance(0.4) ? rng.pick(['budget', 'authority', 'timeline'] as const) : undefined;
  const criterion = (name: string) => ({ met: name !== missing, ...(rng.chance(0.5) ? { note: `${name} discussed on discovery call` } : {}) });
  return { budget: criterion('budget'), authority: criterion('authority'), need: criterion('need'), timeline: criterion('timeline') };
}

async function* journey(plan: LeadPlan, env: Env, onDone: (cursor: LeadCursor) => void): AsyncGenerator<JourneyStep, void, undefined> {
  const rng = plan.rng;
  const lead = new LeadCursor(plan, env);
  try {
    yield { at: plan.capturedAt, appends: lead.capture(plan.capturedAt) };
    const gap = plan.lifespanMs / Math.max(1, plan.activityCount);
    let activitiesLeft = plan.activityCount;
    let nextActivity = activitiesLeft > 0 ? plan.capturedAt + rng.exponential(gap) : Infinity;
    let recapturesLeft = rng.chance(0.07) ? rng.int(1, 2) : 0;
    let nextRecapture = recapturesLeft > 0 ? plan.capturedAt + rng.uniform(2 * DAY, 90 * DAY) : Infinity;
    const scheduled: Scheduled[] = [];
    const schedule = (s: Scheduled) => {
      scheduled.push(s);
      scheduled.sort((a, b) => a.at - b.at);
    };
    const rep = () => `rep-${String(rng.int(1, 25)).padStart(2, '0')}`;
    let wasMql = lead.stage === 'mql';
    if (wasMql) schedule({ at: plan.capturedAt + rng.uniform(HOUR, 36 * HOUR), kind: 'qualify' });

    for (;;) {
      const due = scheduled[0]?.at ?? Infinity;
      const at = Math.min(nextActivity, nextRecapture, due);
      if (!(at <= env.anchorMs)) return;
      let appends: SeedAppend[] = [];
      if (at === nextActivity) {
        appends = lead.activity(at);
        activitiesLeft--;
        nextActivity = activitiesLeft > 0 ? at + rng.exponential(gap) : Infinity;
      } else if (at === nextRecapture) {
        appends = lead.recapture(at);
        recapturesLeft--;
        nextRecapture = recapturesLeft > 0 ? at + rng.uniform(5 * DAY, 60 * DAY) : Infinity;
      } else {
        const action = scheduled.shift()!;
        appends = await salesAction(action, at);
      }
      const isMql = lead.stage === 'mql';
      if (isMql && !wasMql) {
        if (lead.state.stage !== 'none' && !lead.state.ownerId && rng.chance(0.9)) schedule({ at: at + rng.uniform(HOUR, 36 * HOUR), kind: 'assign' });
        schedule({ at: at + rng.uniform(1 * DAY, 12 * DAY), kind: 'qualify' });
      }
      wasMql = isMql;
      if (appends.length) yield { at, appends };
    }

    async function salesAction(action: Scheduled, at: number): Promise<SeedAppend[]> {
      const when = iso(at);
      switch (action.kind) {
        case 'assign': {
          const append = lead.lead({ type: 'AssignLead', ownerId: rep(), occurredAt: when }, lead.context('routing-rules'));
          return append ? [append] : [];
        }
        case 'qualify': {
          if (lead.stage !== 'mql') return [];
          const r = rng.next();
          if (r < 0.45) {
            const append = lead.lead({ type: 'PromoteToSQL', bant: bant(rng), qualifiedBy: `sdr-${rng.int(1, 8)}`, occurredAt: when }, lead.context(rep()));
            if (append) schedule({ at: at + rng.uniform(2 * DAY, 15 * DAY), kind: 'sql-next' });
            return append ? [append] : [];
          }
          if (r < 0.6) return disqualify(when);
          if (r < 0.72) return recycle(when, 'not ready to buy');
          if (r < 0.86) schedule({ at: at + rng.uniform(7 * DAY, 30 * DAY), kind: 'qualify' });
          return [];
        }
        case 'sql-next': {
          if (lead.stage !== 'sql') return [];
          const r = rng.next();
          if (r < 0.75) return openOpportunity(at);
          if (r < 0.88) return disqualify(when);
          return [];
        }
        case 'opp-step': {
          const cursor = lead.opps.get(opportunityStreamId(action.opportunityId));
          if (!cursor || cursor.state.status !== 'open') return [];
          const stages = cursor.state.pipeline;
          const index = stages.indexOf(cursor.state.stage);
          const last = index === stages.length - 1;
          const r = rng.next();
          const ctx = lead.context(rep());
          if ((!last && r < 0.05) || (last && r < 0.55)) {
            return lead.withReactions(lead.opportunity(action.opportunityId, { type: 'WinOpportunity', occurredAt: when }, ctx));
          }
          if ((!last && r < 0.25) || last) {
            const lost = await lead.withReactions(
              lead.opportunity(action.opportunityId, { type: 'LoseOpportunity', reason: rng.pick(LOSS_REASONS), occurredAt: when }, ctx),
            );
            schedule({ at: at + rng.uniform(3 * DAY, 20 * DAY), kind: 'after-loss' });
            return lost;
          }
          const moved = lead.opportunity(action.opportunityId, { type: 'ChangeOpportunityStage', stage: stages[index + 1], occurredAt: when }, ctx);
          schedule({ at: at + rng.uniform(5 * DAY, 25 * DAY), kind: 'opp-step', opportunityId: action.opportunityId });
          return moved ? [moved] : [];
        }
        case 'after-loss': {
          if (lead.stage !== 'opportunity') return [];
          const r = rng.next();
          if (r < 0.3) return openOpportunity(at);
          if (r < 0.6) return recycle(when, 'lost deal, back to nurture');
          if (r < 0.8) return disqualify(when);
          return [];
        }
      }
    }

    async function openOpportunity(at: number): Promise<SeedAppend[]> {
      const opportunityId = rng.uuid();
      const company = plan.fields.company?.name ?? 'Prospect';
      const opened = await lead.withReactions(
        lead.lead(
          {
            type: 'OpenOpportunityForLead',
            opportunityId,
            name: `${company} – ${rng.pick(PRODUCTS)}`,
            amount: Math.round(rng.logNormal(12_000, 0.8) / 100) * 100,
            currency: rng.weighted(CURRENCIES),
            expectedCloseDate: iso(at + rng.uniform(30 * DAY, 120 * DAY)).slice(0, 10),
            occurredAt: iso(at),
          },
          lead.context(rep()),
        ),
      );
      if (opened.length) schedule({ at: at + rng.uniform(3 * DAY, 20 * DAY), kind: 'opp-step', opportunityId });
      return opened;
    }

    function disqualify(when: string): SeedAppend[] {
      const reason = rng.pick(DISQUALIFICATION_REASONS.filter((r) => r !== 'duplicate'));
      const append = lead.lead({ type: 'DisqualifyLead', reason, occurredAt: when }, lead.context(rep()));
      return append ? [append] : [];
    }

    function recycle(when: string, reason: string): SeedAppend[] {
      const append = lead.lead({ type: 'RecycleLead', reason, occurredAt: when }, lead.context(rep()));
      return append ? [append] : [];
    }
  } finally {
    onDone(lead);
  }
}

// ---------------------------------------------------------------------------------------------
// The whole workload

export class Workload {
  readonly stats: WorkloadStats;
  readonly pool: PoolLead[] = [];
  readonly leadCount: number;
  private readonly env: Env;
  private readonly activityCounts: number[] = [];
  private readonly streamSizes: number[] = [];

  /** A workload of about `options.targetEvents` events (the number of leads is calibrated on a sample). */
  static async create(options: WorkloadOptions): Promise<Workload> {
    const env = Workload.envOf(options);
    return new Workload(options, env, await Workload.calibrate(options, env));
  }

  private static envOf(options: WorkloadOptions): Env {
    return { config: options.config ?? DEFAULT_LIFECYCLE_CONFIG, anchorMs: options.anchorMs, identityStreamId: options.identityStreamId };
  }

  private constructor(
    private readonly options: WorkloadOptions,
    env: Env,
    leadCount: number,
  ) {
    this.env = env;
    this.leadCount = leadCount;
    this.stats = {
      leads: 0,
      recaptures: 0,
      events: 0,
      appends: 0,
      eventsByType: {},
      reached: { mql: 0, sql: 0, opportunity: 0, customer: 0, nurturing: 0, disqualified: 0 },
      opportunities: 0,
      won: 0,
      lost: 0,
      activitiesPerLead: { p50: 0, p99: 0, max: 0 },
      eventsPerLeadStream: { p50: 0, p99: 0, max: 0 },
      relayable: 0,
    };
  }

  /** How many leads make about targetEvents: generate a sample of journeys without keeping them. */
  private static async calibrate(options: WorkloadOptions, env: Env): Promise<number> {
    const sample = 3000;
    let events = 0;
    for (let i = 0; i < sample; i++) {
      const plan = Workload.plan(options, i, 1_000_000, `${options.seed}:calibration`);
      for await (const step of journey(plan, env, () => undefined)) {
        // Whales are estimated apart (below): only the other leads' events make the average.
        if (!plan.whale) for (const a of step.appends) events += a.events.length;
      }
    }
    // Whales are placed by index (see plan()); the sample's non-whales give the per-lead average.
    const perLead = events / sample;
    const whales = Workload.whaleIndexes(Math.max(1, Math.round(options.targetEvents / perLead)));
    const whaleEstimate = whales.size * 2 * 1100; // two events per activity, ~1,100 activities each on average
    return Math.max(20, Math.round((options.targetEvents - whaleEstimate) / perLead) + whales.size);
  }

  private static whaleIndexes(leads: number): Set<number> {
    // About one lead in 2,000 is a heavy user with hundreds to thousands of activities; at least one.
    const count = Math.max(1, Math.round(leads / 2000));
    const set = new Set<number>();
    for (let i = 0; i < count; i++) set.add(7 + Math.floor((i * leads) / count));
    return set;
  }

  private static plan(options: WorkloadOptions, index: number, leads: number, seed = options.seed, whales?: Set<number>): LeadPlan {
    const rng = new Rng(`${seed}:lead:${index}`);
    const leadId = rng.uuid();
    const whale = whales ? whales.has(index) : false;
    const intent: Intent = whale ? 'cold' : rng.weighted({ cold: 40, warm: 34, hot: 26 });
    const median = intent === 'cold' ? 2.5 : intent === 'warm' ? 6.5 : 10;
    const activityCount = whale ? rng.int(200, 2000) : Math.min(400, Math.round(rng.logNormal(median, 0.95)));
    const start = options.anchorMs - HISTORY_DAYS * DAY;
    // Captures spread over the period, a little denser towards the end (growth).
    const capturedAt = Math.floor(start + Math.sqrt(rng.next()) * (HISTORY_DAYS - 1) * DAY);
    const lifespanMs = whale ? rng.uniform(60, 200) * DAY : rng.uniform(20, 150) * DAY;
    return { index, leadId, capturedAt, intent, activityCount, lifespanMs, whale, fields: captureFields(rng, 'l', index), rng };
  }

  /** Every step of every lead, in business-time order. */
  async *steps(): AsyncGenerator<JourneyStep, void, undefined> {
    const whales = Workload.whaleIndexes(this.leadCount);
    const plans: LeadPlan[] = [];
    for (let i = 0; i < this.leadCount; i++) plans.push(Workload.plan(this.options, i, this.leadCount, this.options.seed, whales));
    plans.sort((a, b) => a.capturedAt - b.capturedAt || a.index - b.index);
    const heap = new StepHeap();
    let nextPlan = 0;
    const done = (cursor: LeadCursor) => this.finishLead(cursor);
    for (;;) {
      // Start the journeys whose capture is due before the earliest pending step.
      while (nextPlan < plans.length && (heap.size === 0 || plans[nextPlan].capturedAt <= heap.peek()!.at)) {
        const plan = plans[nextPlan++];
        const it = journey(plan, this.env, done);
        const first = await it.next();
        if (!first.done) heap.push({ at: first.value.at, order: plan.index, step: first.value, it });
      }
      const entry = heap.pop();
      if (!entry) return;
      this.count(entry.step);
      yield entry.step;
      const next = await entry.it.next();
      if (!next.done) heap.push({ at: next.value.at, order: entry.order, step: next.value, it: entry.it });
    }
  }

  private count(step: JourneyStep): void {
    for (const append of step.appends) {
      this.stats.appends++;
      for (const event of append.events) {
        this.stats.events++;
        this.stats.eventsByType[event.type] = (this.stats.eventsByType[event.type] ?? 0) + 1;
        if (append.streamId.startsWith(LEAD_STREAM_PREFIX) || append.streamId.startsWith(OPPORTUNITY_STREAM_PREFIX)) this.stats.relayable++;
      }
    }
  }

  private finishLead(cursor: LeadCursor): void {
    const s = this.stats;
    s.leads++;
    s.recaptures += cursor.recaptures;
    for (const stage of ['mql', 'sql', 'opportunity', 'customer', 'nurturing', 'disqualified'] as const) if (cursor.reached.has(stage)) s.reached[stage]++;
    for (const opp of cursor.opps.values()) {
      s.opportunities++;
      if (opp.state.status === 'won') s.won++;
      if (opp.state.status === 'lost') s.lost++;
    }
    this.activityCounts.push(cursor.activities);
    this.streamSizes.push(Number((cursor.rev ?? -1n) + 1n));
    this.pool.push({
      leadId: cursor.plan.leadId,
      email: cursor.plan.fields.contact.email!,
      weight: cursor.activities + 1,
      intent: cursor.plan.intent,
    });
  }

  /** Call after steps() is exhausted. */
  finish(): WorkloadStats {
    const pct = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
      return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
    };
    this.stats.activitiesPerLead = pct(this.activityCounts);
    this.stats.eventsPerLeadStream = pct(this.streamSizes);
    return this.stats;
  }
}

interface HeapEntry {
  at: number;
  order: number;
  step: JourneyStep;
  it: AsyncGenerator<JourneyStep, void, undefined>;
}

class StepHeap {
  private readonly items: HeapEntry[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): HeapEntry | undefined {
    return this.items[0];
  }
  private less(a: HeapEntry, b: HeapEntry): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }
  push(entry: HeapEntry): void {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }
  pop(): HeapEntry | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(items[l], items[m])) m = l;
        if (r < items.length && this.less(items[r], items[m])) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }
}

// ---------------------------------------------------------------------------------------------
// Live commands for the measurements

export type LiveCommand =
  | { readonly kind: 'capture'; readonly fields: CaptureFields }
  | { readonly kind: 'activity'; readonly leadId: string; readonly type: string; readonly properties?: Record<string, unknown> };

/** The pool a live load picks from, compact enough to send to a child process. */
export interface LivePool {
  readonly leadIds: string[];
  readonly emails: string[];
  readonly weights: number[];
  readonly intents: Intent[];
}

export function toLivePool(pool: PoolLead[]): LivePool {
  return {
    leadIds: pool.map((p) => p.leadId),
    emails: pool.map((p) => p.email),
    weights: pool.map((p) => p.weight),
    intents: pool.map((p) => p.intent),
  };
}

/**
 * The live command mix: 20 % captures (5 % of them of an email already captured, so they deduplicate)
 * and 80 % engagement activities on existing leads, picked in proportion to their activity so far.
 */
export class LiveCommands {
  private readonly cumulative: Float64Array;
  private readonly rng: Rng;
  private n = 0;

  constructor(
    private readonly pool: LivePool,
    seed: string,
    private readonly tag: string,
    /** 'weighted': leads in proportion to their activity so far (the long tail stays long); 'uniform': any lead alike. */
    private readonly pick: 'weighted' | 'uniform' = 'weighted',
    private readonly captureShare = 0.2,
  ) {
    this.rng = new Rng(`${seed}:live:${tag}`);
    this.cumulative = new Float64Array(pool.weights.length);
    let total = 0;
    pool.weights.forEach((w, i) => (this.cumulative[i] = total += w));
  }

  private pickLead(): number {
    if (this.pick === 'uniform') return Math.floor(this.rng.next() * this.cumulative.length);
    const x = this.rng.next() * this.cumulative[this.cumulative.length - 1];
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  next(kind?: 'capture' | 'activity'): LiveCommand {
    const rng = this.rng;
    const n = this.n++;
    if (kind === 'capture' || (kind === undefined && rng.chance(this.captureShare))) {
      const fields = captureFields(rng, `${this.tag}.`, n);
      if (rng.chance(0.05)) {
        const i = Math.floor(rng.next() * this.pool.emails.length);
        fields.contact = { ...fields.contact, email: this.pool.emails[i] };
        delete fields.externalId;
      }
      return { kind: 'capture', fields };
    }
    const i = this.pickLead();
    const type = rng.weighted(ACTIVITY_MIX[this.pool.intents[i]]);
    const properties = activityProperties(rng, type);
    return { kind: 'activity', leadId: this.pool.leadIds[i], type, ...(properties ? { properties } : {}) };
  }
}
