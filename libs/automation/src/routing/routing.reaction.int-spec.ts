import { type RoutingRule } from '@lead-lifecycle/domain';
import { RoutingHarness, routingConfig } from '../../../../test/support/automation/routing-harness';

const team = (id: string, teamId: string, strategy: 'round_robin' | 'weighted' | 'load_balanced', when: RoutingRule['when'] = {}): RoutingRule => ({
  id,
  when,
  assign: { teamId, strategy },
});

describe('routing reaction', () => {
  let h: RoutingHarness;
  afterEach(async () => h && (await h.close()));

  it('round robin: consecutive leads take consecutive turns, skipping away and full members', async () => {
    h = new RoutingHarness(routingConfig([team('all', 'emea', 'round_robin')]));
    await h.team('emea', { ownerId: 'ann' }, { ownerId: 'bob', capacity: 1 }, { ownerId: 'cid' });
    const routing = h.instance();
    for (const id of ['l1', 'l2', 'l3', 'l4']) await h.capture(id);
    await routing.catchUp();
    // bob is full after l2, so l4 goes to ann.
    expect(await h.routed()).toEqual(['l1 ann:rule', 'l2 bob:rule', 'l3 cid:rule', 'l4 ann:rule']);
    await h.away('emea', 'cid');
    await h.capture('l5');
    await routing.catchUp();
    expect(await h.ownerOf('l5')).toBe('ann');
    routing.close();
  });

  it('weighted: a smooth, deterministic share by weight', async () => {
    h = new RoutingHarness(routingConfig([team('all', 'emea', 'weighted')]));
    await h.team('emea', { ownerId: 'ann', weight: 3 }, { ownerId: 'bob', weight: 1 });
    for (let i = 0; i < 8; i++) await h.capture(`w${i}`);
    const routing = h.instance();
    await routing.catchUp();
    const owners = (await h.routed()).map((r) => r.split(' ')[1]);
    expect(owners).toEqual(['ann:rule', 'ann:rule', 'bob:rule', 'ann:rule', 'ann:rule', 'ann:rule', 'bob:rule', 'ann:rule']);
    routing.close();
  });

  it('load balanced: the fewest open leads, first joined on a tie; closed leads do not count', async () => {
    h = new RoutingHarness(routingConfig([team('all', 'emea', 'load_balanced')]));
    await h.team('emea', { ownerId: 'ann' }, { ownerId: 'bob' });
    await h.capture('m1');
    await h.assign('m1', 'bob');
    await h.capture('m2');
    await h.capture('m3');
    await h.capture('m4');
    const routing = h.instance();
    await routing.catchUp();
    // m1 was assigned by hand before its routing ran: kept. bob has 1, so m2 → ann; tie → ann (joined first); then bob.
    expect(await h.routed()).toEqual(['m1 bob:manual', 'm2 ann:rule', 'm3 ann:rule', 'm4 bob:rule']);
    await h.lead('m2', { type: 'DisqualifyLead', reason: 'no_budget', occurredAt: h.now() });
    await h.lead('m3', { type: 'DisqualifyLead', reason: 'no_budget', occurredAt: h.now() });
    await h.capture('m5');
    await routing.catchUp();
    expect(await h.ownerOf('m5')).toBe('ann');
    routing.close();
  });

  it('a manual assignment made after the trigger is never overwritten by the rule', async () => {
    h = new RoutingHarness(routingConfig([{ id: 'direct', when: {}, assign: { ownerId: 'ann' } }]));
    await h.capture('x1');
    await h.assign('x1', 'zoe');
    const routing = h.instance();
    await routing.catchUp();
    expect(await h.ownerOf('x1')).toBe('zoe');
    expect(await h.routed()).toEqual(['x1 zoe:manual']);
    routing.close();
  });

  it('each condition decides the rule: first match wins, no match queues', async () => {
    h = new RoutingHarness(
      routingConfig([
        { id: 'channel', when: { channel: 'trade_show' }, assign: { ownerId: 'o-channel' } },
        { id: 'campaign', when: { campaign: 'spring' }, assign: { ownerId: 'o-campaign' } },
        { id: 'country', when: { country: 'DE' }, assign: { ownerId: 'o-country' } },
        { id: 'industry', when: { industry: 'retail' }, assign: { ownerId: 'o-industry' } },
        { id: 'size', when: { companySize: { min: 200, max: 999 } }, assign: { ownerId: 'o-size' } },
        { id: 'hot', when: { temperature: 'hot' }, assign: { ownerId: 'o-hot' } },
        { id: 'score', when: { minScore: 20 }, assign: { ownerId: 'o-score' } },
      ]),
    );
    await h.capture('c-channel', { channel: 'trade_show', campaign: 'spring' });
    await h.capture('c-campaign', { campaign: 'spring', company: { country: 'DE' } });
    await h.capture('c-country', { company: { country: 'DE', industry: 'retail' } });
    await h.capture('c-industry', { company: { industry: 'retail', size: 300 } });
    await h.capture('c-size', { company: { size: 300 } });
    await h.capture('c-size-big', { company: { size: 1000 } });
    // CEO (20) + 1000 employees (20) + software (15) + US (10) = 65: hot.
    await h.capture('c-hot', { jobTitle: 'CEO', company: { size: 1000, industry: 'software', country: 'US' } });
    await h.capture('c-score', { jobTitle: 'CEO', company: { size: 10 } });
    await h.capture('c-none', { company: { size: 10 } });
    const routing = h.instance();
    await routing.catchUp();
    expect(await h.routed()).toEqual([
      'c-channel o-channel:rule',
      'c-campaign o-campaign:rule',
      'c-country o-country:rule',
      'c-industry o-industry:rule',
      'c-size o-size:rule',
      'c-size-big o-score:rule',
      'c-hot o-hot:rule',
      'c-score o-score:rule',
      'c-none queued:no_matching_rule',
    ]);
    routing.close();
  });

  it('queues when nobody is eligible and retries the queue, oldest first, when a member comes back or is added', async () => {
    h = new RoutingHarness(routingConfig([team('all', 'emea', 'round_robin')]));
    await h.team('emea', { ownerId: 'ann', capacity: 1 });
    const routing = h.instance();
    await h.capture('q1');
    await h.capture('q2');
    await h.capture('q3');
    await routing.catchUp();
    expect(await h.routed()).toEqual(['q1 ann:rule', 'q2 queued:no_eligible_member', 'q3 queued:no_eligible_member']);
    // ann's lead closes: capacity freed, the oldest waiting lead goes to her.
    await h.lead('q1', { type: 'RecycleLead', occurredAt: h.now() });
    await routing.catchUp();
    expect(await h.ownerOf('q2')).toBe('ann');
    await h.teamCommand('emea', { type: 'AddTeamMember', teamId: 'emea', ownerId: 'bob', occurredAt: h.now() });
    await routing.catchUp();
    expect(await h.ownerOf('q3')).toBe('bob');
    routing.close();
  });

  it('an away period with until: away before it, eligible once it passed, and the sweeper records the return and retries the queue', async () => {
    h = new RoutingHarness(routingConfig([team('all', 'emea', 'round_robin')]));
    await h.team('emea', { ownerId: 'ann' });
    await h.away('emea', 'ann', '2026-03-02T10:00:00.000Z');
    const routing = h.instance();
    await h.capture('a1');
    await routing.catchUp();
    expect(await h.routed()).toEqual(['a1 queued:no_eligible_member']);
    expect(await routing.sweep()).toBe(0);
    h.clock.set('2026-03-02T10:00:00.000Z');
    expect(await routing.sweep()).toBe(1);
    expect(await routing.sweep()).toBe(0);
    await routing.catchUp();
    expect(await h.ownerOf('a1')).toBe('ann');
    // Away again until 11:00; a lead at 11:30 (before any sweep) finds her available.
    await h.away('emea', 'ann', '2026-03-02T11:00:00.000Z');
    h.clock.set('2026-03-02T11:30:00.000Z');
    await h.capture('a2');
    await routing.catchUp();
    expect(await h.ownerOf('a2')).toBe('ann');
    routing.close();
  });

  it('an SLA breach with reassign moves the lead to the next member but the breaching one; past the limit it waits (sla_exhausted)', async () => {
    h = new RoutingHarness(routingConfig([team('all', 'emea', 'round_robin')], 'capture', 1));
    await h.team('emea', { ownerId: 'ann' }, { ownerId: 'bob' });
    const routing = h.instance();
    await h.capture('s1');
    await routing.catchUp();
    expect(await h.ownerOf('s1')).toBe('ann');
    await h.breach('s1', 'ann', 'emea', 0);
    await routing.catchUp();
    expect(await h.ownerOf('s1')).toBe('bob');
    await h.breach('s1', 'bob', 'emea', 1);
    await routing.catchUp();
    expect(await h.routed()).toEqual(['s1 ann:rule', 's1 bob:sla_escalation', 's1 queued:sla_exhausted']);
    // With nobody else eligible: no_eligible_member.
    await h.capture('s2');
    await routing.catchUp();
    await h.away('emea', 'bob');
    await h.breach('s2', (await h.ownerOf('s2'))!, 'emea', 0);
    await routing.catchUp();
    expect((await h.routed()).slice(-1)).toEqual(['s2 queued:no_eligible_member']);
    routing.close();
  });

  it('a restart loses or doubles nothing: a new runtime over the same files appends nothing, one whose transaction was lost adopts what was written', async () => {
    h = new RoutingHarness(routingConfig([team('all', 'emea', 'round_robin')]));
    await h.team('emea', { ownerId: 'ann' }, { ownerId: 'bob' }, { ownerId: 'cid' });
    const first = h.instance('main');
    await h.capture('r1');
    await first.catchUp();
    first.close();
    h.copyState('main', 'crashed'); // the state as it was before the next batch
    const again = h.instance('main');
    await h.capture('r2');
    await h.capture('r3');
    await again.catchUp();
    again.close();
    const before = await h.routed();
    expect(before).toEqual(['r1 ann:rule', 'r2 bob:rule', 'r3 cid:rule']);
    // The copy never committed r2 and r3: it redoes them, finds their events and decides the same.
    const crashed = h.instance('crashed');
    await crashed.catchUp();
    expect(await h.routed()).toEqual(before);
    await h.capture('r4');
    await crashed.catchUp();
    expect(await h.ownerOf('r4')).toBe('ann');
    crashed.close();
    const restarted = h.instance('main');
    await restarted.catchUp();
    expect(await h.routed()).toEqual([...before, 'r4 ann:rule']);
    restarted.close();
  });

  it('two instances over the same store, each with its own state, give the same events as one', async () => {
    const run = async (instances: number) => {
      const harness = new RoutingHarness(routingConfig([team('all', 'emea', 'weighted', { channel: 'web_form' }), team('rest', 'emea', 'round_robin')]));
      const runtimes = Array.from({ length: instances }, (_, i) => harness.instance(`i${i}`));
      await harness.team('emea', { ownerId: 'ann', weight: 2, capacity: 3 }, { ownerId: 'bob' }, { ownerId: 'cid', capacity: 1 });
      for (let i = 0; i < 12; i++) {
        await harness.capture(`t${i}`, { channel: i % 3 === 0 ? 'seo' : 'web_form' });
        if (i === 5) await harness.away('emea', 'bob');
        if (i === 8) await harness.back('emea', 'bob');
        // The instances follow at different paces.
        if (i % 2 === 0) await runtimes[0].catchUp();
        if (i % 5 === 0) await runtimes[runtimes.length - 1].catchUp();
      }
      for (const r of runtimes) await r.catchUp();
      for (const r of [...runtimes].reverse()) await r.catchUp();
      const rows = await harness.routed();
      for (const r of runtimes) r.close();
      await harness.close();
      return rows;
    };
    const one = await run(1);
    const two = await run(2);
    expect(two).toEqual(one);
    expect(new Set(one.map((row) => row.split(' ')[0])).size).toBe(12);
    expect(one.filter((row) => row.includes('queued'))).not.toHaveLength(0);
  });
});
