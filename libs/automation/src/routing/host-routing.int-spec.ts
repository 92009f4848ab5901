import { Logger } from '@nestjs/common';
import fc from 'fast-check';
import { type HostRoutingStrategy, type RoutingCandidate, type RoutingFacts, type RoutingRule } from '@lead-lifecycle/domain';
import { RoutingHarness, routingConfig } from '../../../../test/support/automation/routing-harness';
import { illTyped } from '../../../../test/support/domain/ill-typed';

const emea: RoutingRule = { id: 'all', when: {}, assign: { teamId: 'emea', strategy: 'round_robin' } };

/** A strategy that sends German leads to bob and leaves the rest to the configured strategy, recording what it was asked. */
function germanDesk() {
  const asked: Array<{ facts: RoutingFacts; eligible: readonly RoutingCandidate[] }> = [];
  const strategy: HostRoutingStrategy = (facts, eligible) => {
    asked.push({ facts, eligible });
    return facts.lead.company?.country === 'DE' && eligible.some((m) => m.ownerId === 'bob') ? 'bob' : undefined;
  };
  return { asked, strategy };
}

describe('routing reaction with a host routing strategy (AutomationModule.forRoot routing.strategy)', () => {
  let h: RoutingHarness;
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    warn.mockRestore();
    if (h) await h.close();
  });

  it('records the strategy’s choice as the owner, and leaves the pick to the configured strategy when it answers undefined', async () => {
    h = new RoutingHarness(routingConfig([emea]));
    await h.team('emea', { ownerId: 'ann' }, { ownerId: 'bob' }, { ownerId: 'cid', capacity: 0 });
    const desk = germanDesk();
    const routing = h.instance('main', desk.strategy);
    await h.capture('l1', { company: { country: 'DE', industry: 'retail' } });
    await h.capture('l2', { company: { country: 'FR' } });
    await h.capture('l3', { company: { country: 'DE' } });
    await routing.catchUp();
    // l1: the host's bob (round robin would give ann); l2: round robin after bob, cid is full: ann; l3: bob.
    expect(await h.routed()).toEqual(['l1 bob:rule', 'l2 ann:rule', 'l3 bob:rule']);
    expect(desk.asked).toHaveLength(3);
    expect(desk.asked[0].facts).toMatchObject({
      tenantId: 'acme',
      leadId: 'l1',
      reason: 'rule',
      teamId: 'emea',
      ruleId: 'all',
      strategy: 'round_robin',
      lead: { stage: 'lead', company: { country: 'DE', industry: 'retail' }, source: { channel: 'web_form' } },
    });
    // Only the eligible members, in joining order, with their load; no contact data in the facts.
    expect(desk.asked[0].eligible.map((m) => m.ownerId)).toEqual(['ann', 'bob']);
    expect(desk.asked[2].eligible).toEqual([expect.objectContaining({ ownerId: 'ann', openLeads: 1 }), expect.objectContaining({ ownerId: 'bob', openLeads: 1 })]);
    expect(JSON.stringify(desk.asked[0].facts)).not.toContain('@example.com');
    expect(warn).not.toHaveBeenCalled();
    routing.close();
  });

  it('replay never calls it: a fresh instance over the log adopts every recorded choice, and a restart redoing a lost batch does too', async () => {
    h = new RoutingHarness(routingConfig([emea]));
    await h.team('emea', { ownerId: 'ann' }, { ownerId: 'bob' }, { ownerId: 'cid' });
    const desk = germanDesk();
    const first = h.instance('main', desk.strategy);
    await h.capture('r1', { company: { country: 'DE' } });
    await first.catchUp();
    first.close();
    h.copyState('main', 'crashed');
    const again = h.instance('main', desk.strategy);
    await h.capture('r2', { company: { country: 'FR' } });
    await h.capture('r3', { company: { country: 'DE' } });
    await again.catchUp();
    again.close();
    const recorded = await h.routed();
    expect(recorded).toEqual(['r1 bob:rule', 'r2 cid:rule', 'r3 bob:rule']);
    const asked = desk.asked.length;
    expect(asked).toBe(3);

    const never: HostRoutingStrategy = () => {
      throw new Error('replay called the host strategy');
    };
    // Its transaction for r2 and r3 was lost: it redoes them from the stream, never asking.
    const crashed = h.instance('crashed', never);
    await crashed.catchUp();
    crashed.close();
    // An empty state file: the whole log again.
    const fresh = h.instance('fresh', never);
    await fresh.catchUp();
    expect(await h.routed()).toEqual(recorded);
    expect(warn).not.toHaveBeenCalled();
    // The replayed state is the recorded one: round robin goes on after bob (r3), to cid.
    fresh.close();
    const next = h.instance('fresh', desk.strategy);
    await h.capture('r4', { company: { country: 'FR' } });
    await next.catchUp();
    expect(await h.ownerOf('r4')).toBe('cid');
    expect(desk.asked).toHaveLength(asked + 1);
    next.close();
  });

  it('is asked at an SLA escalation too, without the breaching owner among the eligible', async () => {
    h = new RoutingHarness(routingConfig([emea]));
    await h.team('emea', { ownerId: 'ann' }, { ownerId: 'bob' }, { ownerId: 'cid' });
    const desk = germanDesk();
    const routing = h.instance('main', desk.strategy);
    await h.capture('s1', { company: { country: 'US' } });
    await routing.catchUp();
    expect(await h.ownerOf('s1')).toBe('ann');
    await h.breach('s1', 'ann', 'emea', 0);
    await routing.catchUp();
    const escalation = desk.asked[desk.asked.length - 1];
    expect(escalation.facts).toMatchObject({ reason: 'sla_escalation', previousOwnerId: 'ann', teamId: 'emea' });
    expect(escalation.eligible.map((m) => m.ownerId)).toEqual(['bob', 'cid']);
    expect(await h.routed()).toEqual(['s1 ann:rule', 's1 bob:sla_escalation']);
    routing.close();
  });

  it('is not asked when nobody is eligible: the lead is queued', async () => {
    h = new RoutingHarness(routingConfig([emea]));
    await h.team('emea', { ownerId: 'ann', capacity: 0 });
    const desk = germanDesk();
    const routing = h.instance('main', desk.strategy);
    await h.capture('q1', { company: { country: 'DE' } });
    await routing.catchUp();
    expect(await h.routed()).toEqual(['q1 queued:no_eligible_member']);
    expect(desk.asked).toHaveLength(0);
    routing.close();
  });

  it('falls back to the configured strategy, with a warning, on any answer it cannot use (generated)', async () => {
    const eligible = new Set(['ann', 'bob', 'cid']);
    type Hostile = { kind: 'value'; value: unknown } | { kind: 'throw'; value: unknown } | { kind: 'promise'; value: unknown };
    const hostile = fc.oneof(
      fc.anything().filter((v) => v !== undefined && !(typeof v === 'string' && eligible.has(v))).map((value): Hostile => ({ kind: 'value', value })),
      fc.string().filter((v) => !eligible.has(v)).map((value): Hostile => ({ kind: 'value', value })),
      fc.constantFrom('dan', 'ANN', ' ann', '').map((value): Hostile => ({ kind: 'value', value })),
      fc.anything().map((value): Hostile => ({ kind: 'throw', value })),
      fc.constantFrom('bob', 'ann').map((value): Hostile => ({ kind: 'promise', value })),
    );
    const answers = fc.sample(hostile, { numRuns: 24, seed: 16 });
    h = new RoutingHarness(routingConfig([emea]));
    // dan is a member, but away: never eligible.
    await h.team('emea', { ownerId: 'ann' }, { ownerId: 'bob' }, { ownerId: 'cid' }, { ownerId: 'dan' });
    await h.away('emea', 'dan');
    let i = 0;
    const strategy: HostRoutingStrategy = () => {
      const answer = answers[i++];
      if (answer.kind === 'throw') throw answer.value;
      if (answer.kind === 'promise') return illTyped<string>(Promise.reject(answer.value));
      return illTyped<string>(answer.value);
    };
    const routing = h.instance('main', strategy);
    for (let n = 0; n < answers.length; n++) await h.capture(`h${n}`);
    await routing.catchUp();
    const owners = ['ann', 'bob', 'cid'];
    expect(await h.routed()).toEqual(answers.map((_, n) => `h${n} ${owners[n % 3]}:rule`));
    expect(i).toBe(answers.length);
    expect(warn).toHaveBeenCalledTimes(answers.length);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^routing\.strategy .* for lead h0 \(tenant acme\): the round_robin pick ann is used$/));
    routing.close();
  });
});
