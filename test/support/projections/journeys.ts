import type { Channel } from '@lead-lifecycle/domain';
import { type HistoryBuilder, isoAt } from './history-builder';

/**
 * A deterministic, busy history: `count` leads, each on one of six journeys, their commands interleaved
 * round robin so that the global order mixes leads, tenants and the two streams of every opportunity.
 * About 20 events per lead (identity reservations included).
 *
 *   0 won             capture -> engagement -> mql -> sql -> opportunity -> stage -> won (customer)
 *   1 lost, recycled  ... -> opportunity lost -> nurturing -> score drops and rises -> mql again -> sql
 *   2 disqualified    capture -> engagement -> disqualified
 *   3 open            ... -> two opportunities, one lost, one still open
 *   4 nurture         capture at MQL (exec fit) -> recycled -> disqualified -> recycled
 *   5 cold            capture -> engagements, recapture, assignment; stays a lead
 */
export async function playJourneys(
  builder: HistoryBuilder,
  options: { prefix: string; count: number; tenants?: readonly string[]; start?: string; firstIndex?: number },
): Promise<void> {
  const tenants = options.tenants ?? ['acme', 'globex'];
  const start = options.start ?? '2026-02-01T00:00:00.000Z';
  const channels: Channel[] = ['web_form', 'paid_ads', 'referral'];
  const journeys: Array<Array<() => Promise<unknown>>> = [];
  for (let n = 0; n < options.count; n++) {
    const i = (options.firstIndex ?? 0) + n;
    const leadId = `${options.prefix}${i}`;
    const tenantId = tenants[i % tenants.length];
    const t = (days: number, hours = 0) => isoAt(start, days + (i % 7), hours + (i % 5));
    const source = { channel: channels[i % channels.length], campaign: i % 4 === 0 ? undefined : `c${i % 3}`, cost: i % 5 === 0 ? undefined : 10 + (i % 9) * 5 };
    const mid = { jobTitle: 'Marketing Manager', company: { size: 120, industry: 'fintech', country: 'DE' } }; // fit 38
    const exec = { jobTitle: 'CEO', company: { size: 1500, industry: 'software', country: 'US' } }; // fit 65
    const opp = (k: number) => `${leadId}-o${k}`;
    const steps: Array<() => Promise<unknown>> = [];
    const journey = i % 6;
    if (journey === 4) {
      steps.push(() => builder.capture({ tenantId, leadId, at: t(0), source, ...exec }));
    } else {
      steps.push(() => builder.capture({ tenantId, leadId, at: t(0), source, ...mid }));
    }
    switch (journey) {
      case 0:
        steps.push(
          () => builder.engage(leadId, 'demo_request', t(1)), // 63 -> mql
          () => builder.assign(leadId, `rep${i % 3}`, t(1, 2)),
          () => builder.promote(leadId, t(2)),
          () => builder.openOpportunity(leadId, opp(1), { amount: 1000 * (1 + (i % 4)), currency: 'EUR', at: t(3) }),
          () => builder.moveOpportunity(opp(1), 'proposal', t(5)),
          () => builder.win(opp(1), t(8), 1000 * (2 + (i % 3))),
        );
        break;
      case 1:
        steps.push(
          () => builder.engage(leadId, 'meeting_booked', t(1)), // 68 -> mql
          () => builder.promote(leadId, t(2)),
          () => builder.openOpportunity(leadId, opp(1), { amount: 700, currency: 'USD', at: t(3) }),
          () => builder.lose(opp(1), 'price', t(6)),
          () => builder.recycle(leadId, t(7), 'lost'),
          () => builder.engage(leadId, 'unsubscribe', t(7, 1)), // below 50
          () => builder.engage(leadId, 'demo_request', t(7, 2)), // back above: mql again
          () => builder.promote(leadId, t(9)),
        );
        break;
      case 2:
        steps.push(
          () => builder.engage(leadId, 'page_view', t(1)),
          () => builder.disqualify(leadId, i % 2 ? 'no_need' : 'competitor', t(2)),
        );
        break;
      case 3:
        steps.push(
          () => builder.engage(leadId, 'demo_request', t(1)),
          () => builder.promote(leadId, t(2)),
          () => builder.openOpportunity(leadId, opp(1), { amount: 500, currency: 'EUR', at: t(3) }),
          () => builder.openOpportunity(leadId, opp(2), { amount: 900, currency: 'USD', at: t(4) }),
          () => builder.lose(opp(1), 'timing', t(5)),
          () => builder.moveOpportunity(opp(2), 'discovery', t(6)),
        );
        break;
      case 4:
        steps.push(
          () => builder.recycle(leadId, t(1), 'not now'),
          () => builder.disqualify(leadId, 'unresponsive', t(4)),
          () => builder.recycle(leadId, t(6), 'try again'),
        );
        break;
      default:
        steps.push(
          () => builder.engage(leadId, 'email_open', t(1)),
          () => builder.capture({ tenantId, leadId, at: t(2), source: { channel: 'other' } }),
          () => builder.assign(leadId, `rep${i % 3}`, t(3)),
          () => builder.engage(leadId, 'email_click', t(4)),
        );
    }
    journeys.push(steps);
  }
  const longest = Math.max(0, ...journeys.map((j) => j.length));
  for (let k = 0; k < longest; k++) {
    for (const steps of journeys) if (steps[k]) await steps[k]();
  }
}
