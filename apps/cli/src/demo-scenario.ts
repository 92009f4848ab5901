/**
 * A seeded sample funnel, played through the HTTP API as a team would: captures across channels and
 * campaigns (backdated over the last months), activities that qualify some leads as MQLs, BANT promotions,
 * assignments, opportunities through the pipeline, won and lost, disqualifications, a recycle and an
 * erasure. Every write is an engine command with its own validation; nothing is written to the store
 * directly. The same seed gives the same funnel.
 */

/** Sends one request to the API with the demo's credential; resolves to the status and the parsed body. */
export type DemoCall = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<{ status: number; body: DemoAnswer }>;

/** The fields of the API's answers the scenario reads. */
export interface DemoAnswer {
  readonly leadId?: string;
  readonly opportunityId?: string;
  readonly stage?: string;
  readonly processors?: ReadonlyArray<{ readonly name: string; readonly eventsBehind: number }>;
}

export interface DemoOptions {
  readonly leads: number;
  readonly seed: number;
  /** Requests in flight at once. */
  readonly concurrency?: number;
  /** Now, as the API's clock sees it. */
  readonly now?: Date;
  /** Called after each lead, for a progress line. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface DemoReport {
  readonly leadIds: string[];
  readonly requests: number;
}

const CHANNELS: ReadonlyArray<readonly [string, number, readonly string[], number]> = [
  // channel, weight, campaigns, cost per lead (0: none recorded)
  ['web_form', 5, ['spring-launch', 'pricing-page'], 0],
  ['paid_ads', 4, ['search-brand', 'search-generic', 'retargeting'], 42],
  ['social', 3, ['linkedin-cfo', 'summer-webinar'], 18],
  ['seo', 3, ['blog'], 0],
  ['trade_show', 2, ['saastr-2026', 'web-summit'], 120],
  ['referral', 2, ['partner-program'], 0],
  ['email', 2, ['newsletter', 'summer-webinar'], 2],
];
const TITLES = ['CEO', 'VP Sales', 'Director of Marketing', 'Marketing Manager', 'Sales Manager', 'Engineer', 'Student', 'Head of Operations'];
const INDUSTRIES = ['software', 'saas', 'financial services', 'retail', 'manufacturing', 'education'];
const COUNTRIES = ['US', 'GB', 'DE', 'CA', 'FR', 'NL'];
const SIZES = [12, 45, 120, 350, 800, 2500];
const ACTIVITIES = ['email_open', 'email_click', 'page_view', 'pricing_page_view', 'content_download', 'webinar_attended', 'demo_request', 'meeting_booked'];
const DISQUALIFY = ['no_budget', 'no_need', 'bad_timing', 'competitor', 'unresponsive'];
const LOSSES = ['price', 'competitor', 'no_decision', 'timing'];
const REPS = ['rep-ana', 'rep-ben', 'rep-chloe', 'rep-dev'];
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Margaret', 'Linus', 'Radia', 'Donald'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Thompson', 'Hamilton', 'Torvalds', 'Perlman', 'Knuth'];
const DAY = 86_400_000;

/** mulberry32: a small seeded generator, so a seed always gives the same funnel. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Plays the scenario; throws on the first answer that is not what the lifecycle promises. */
export async function playDemoScenario(call: DemoCall, options: DemoOptions): Promise<DemoReport> {
  const rnd = random(options.seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rnd() * values.length)];
  const now = (options.now ?? new Date()).getTime();
  const run = Math.floor(now / 1000).toString(36);
  let requests = 0;
  const send = async (method: 'GET' | 'POST', path: string, body?: unknown, expected: number[] = [200, 201]) => {
    requests++;
    const answer = await call(method, path, body);
    if (!expected.includes(answer.status)) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const weights = CHANNELS.reduce((sum, c) => sum + c[1], 0);
  const channelOf = () => {
    let x = rnd() * weights;
    for (const c of CHANNELS) if ((x -= c[1]) < 0) return c;
    return CHANNELS[0];
  };
  // Each lead's plan is drawn up front, in order, so concurrency does not change what the seed gives.
  const plans = Array.from({ length: options.leads }, (_, i) => {
    const [channel, , campaigns, cost] = channelOf();
    const capturedAt = now - (2 + rnd() * 118) * DAY;
    return {
      i,
      capture: {
        contact: { email: `demo-${run}-${i}@example.com`, firstName: pick(FIRST), lastName: pick(LAST) },
        jobTitle: pick(TITLES),
        company: { name: `Company ${i}`, size: pick(SIZES), industry: pick(INDUSTRIES), country: pick(COUNTRIES) },
        source: { channel, campaign: pick(campaigns), ...(cost ? { cost: Math.round(cost * (0.5 + rnd()) * 100) / 100 } : {}) },
        occurredAt: new Date(capturedAt).toISOString(),
      },
      capturedAt,
      activities: Array.from({ length: Math.floor(rnd() * 6) }, (_, k) => ({ type: pick(ACTIVITIES), occurredAt: new Date(Math.min(now - 60_000, capturedAt + (k + 1) * 3_600_000 * (1 + rnd() * 20))).toISOString() })),
      roll: [rnd(), rnd(), rnd(), rnd()],
      rep: pick(REPS),
      amount: Math.round(2000 + rnd() * 48000),
      currency: rnd() < 0.7 ? 'EUR' : 'USD',
      stage: pick(['discovery', 'proposal', 'negotiation']),
      disqualify: pick(DISQUALIFY),
      loss: pick(LOSSES),
    };
  });
  type Plan = (typeof plans)[number];
  const allMet = { budget: { met: true }, authority: { met: true }, need: { met: true }, timeline: { met: true } };
  const play = async (plan: Plan): Promise<string> => {
    const { leadId } = await send('POST', '/v1/leads', plan.capture);
    for (const activity of plan.activities) await send('POST', `/v1/leads/${leadId}/activities`, activity);
    const lead = await send('GET', `/v1/leads/${leadId}`);
    const [promote, open, outcome, other] = plan.roll;
    if (lead.stage === 'mql' && promote < 0.7) {
      const promotedAt = Math.min(now - 60_000, plan.capturedAt + 3 * DAY);
      await send('POST', `/v1/leads/${leadId}/sql`, { bant: allMet, qualifiedBy: 'sdr-demo', occurredAt: new Date(promotedAt).toISOString() });
      await send('POST', `/v1/leads/${leadId}/assign`, { ownerId: plan.rep });
      if (open < 0.8) {
        const { opportunityId } = await send('POST', `/v1/leads/${leadId}/opportunities`, { name: `${plan.capture.company.name} deal`, amount: plan.amount, currency: plan.currency });
        await send('POST', `/v1/opportunities/${opportunityId}/stage`, { stage: plan.stage });
        if (outcome < 0.45) await send('POST', `/v1/opportunities/${opportunityId}/win`, {});
        else if (outcome < 0.75) await send('POST', `/v1/opportunities/${opportunityId}/lose`, { reason: plan.loss });
      }
    } else if (lead.stage === 'mql' && promote < 0.85) {
      await send('POST', `/v1/leads/${leadId}/disqualify`, { reason: plan.disqualify });
    } else if (lead.stage === 'lead' && other < 0.12) {
      await send('POST', `/v1/leads/${leadId}/disqualify`, { reason: plan.disqualify });
    } else if (lead.stage === 'lead' && other < 0.18) {
      await send('POST', `/v1/leads/${leadId}/recycle`, { reason: 'not ready yet' });
    } else if (other > 0.9) {
      // A few fresh leads are assigned with nobody having called yet: open SLAs on the Leads page.
      await send('POST', `/v1/leads/${leadId}/assign`, { ownerId: plan.rep });
    }
    if (!leadId) throw new Error('a capture answered no leadId');
    return leadId;
  };
  const leadIds: string[] = plans.map(() => '');
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < plans.length) {
      const plan = plans[next++];
      leadIds[plan.i] = await play(plan);
      options.onProgress?.(++done, plans.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 6) }, worker));
  // One lead asks to be forgotten: its timeline shows the personal data as erased.
  if (leadIds.length) await send('POST', `/v1/leads/${leadIds[leadIds.length - 1]}/forget`, { reason: 'demo: erasure request' });
  return { leadIds, requests };
}
