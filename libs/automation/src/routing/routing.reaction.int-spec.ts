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

  describe('owner_unavailable: a member leaves the team or goes away indefinitely', () => {
    const rules = (): RoutingRule[] => [
      { id: 'partners', when: { channel: 'partner' }, assign: { ownerId: 'ann' } },
      team('all', 'emea', 'round_robin'),
    ];

    it('removal moves its routed leads to the next eligible members within capacity, queues the rest, and retries them; manual and direct leads stay', async () => {
      h = new RoutingHarness(routingConfig(rules()));
      await h.team('emea', { ownerId: 'ann' }, { ownerId: 'bob', capacity: 2 }, { ownerId: 'cid', capacity: 1 }, { ownerId: 'dan', capacity: 2 });
      const routing = h.instance();
      for (const id of ['l1', 'l2', 'l3', 'l4', 'l5', 'l6']) await h.capture(id);
      await h.capture('m1');
      await h.assign('m1', 'ann');
      await h.capture('p1', { channel: 'partner' });
      await routing.catchUp();
      const routedBefore = await h.routed();
      expect(routedBefore).toEqual(['m1 ann:manual', 'l1 ann:rule', 'l2 bob:rule', 'l3 cid:rule', 'l4 dan:rule', 'l5 ann:rule', 'l6 bob:rule', 'p1 ann:rule']);

      await h.remove('emea', 'ann');
      await routing.catchUp();
      // bob (2) and cid (1) are full, dan has room for one: l1 goes to dan, l5 waits, still ann's.
      expect((await h.routed()).slice(routedBefore.length)).toEqual(['l1 dan:owner_unavailable', 'l5 queued:owner_unavailable']);
      expect(routing.queue()).toEqual(['l5 owner_unavailable ann']);
      expect(await h.ownerOf('m1')).toBe('ann');
      expect(await h.ownerOf('p1')).toBe('ann');
      const moved = (await h.store.readAll({ maxCount: 1000 })).find((e) => e.type === 'LeadAssigned' && e.data.reason === 'owner_unavailable')!;
      expect(moved.data).toMatchObject({ leadId: 'l1', ownerId: 'dan', previousOwnerId: 'ann', teamId: 'emea', strategy: 'round_robin' });
      expect(moved.metadata).toMatchObject({ actor: 'reaction:routing' });
      const removal = (await h.store.readAll({ maxCount: 1000 })).find((e) => e.type === 'TeamMemberRemoved')!;
      expect(moved.metadata.causationId).toBe(removal.eventId);
      // Each member's open leads: never above its capacity.
      const load = async (open: string[]) => {
        const owners = await Promise.all(open.map((id) => h.ownerOf(id)));
        return (o: string) => owners.filter((x) => x === o).length;
      };
      let count = await load(['l1', 'l2', 'l3', 'l4', 'l5', 'l6']);
      expect([count('bob'), count('cid'), count('dan')]).toEqual([2, 1, 2]);

      // bob's l2 closes: his capacity frees and the waiting lead moves to him.
      await h.lead('l2', { type: 'DisqualifyLead', reason: 'no_budget', occurredAt: h.now() });
      await routing.catchUp();
      expect((await h.routed()).slice(-1)).toEqual(['l5 bob:owner_unavailable']);
      expect(routing.queue()).toEqual([]);
      count = await load(['l1', 'l3', 'l4', 'l5', 'l6']);
      expect([count('bob'), count('cid'), count('dan')]).toEqual([2, 1, 2]);
      routing.close();
    });

    it('away without until moves the leads, away with until moves nothing; a member back gets its waiting leads out of the queue', async () => {
      h = new RoutingHarness(routingConfig(rules()));
      await h.team('emea', { ownerId: 'ann' }, { ownerId: 'bob' });
      const routing = h.instance();
      await h.capture('a1');
      await h.capture('a2');
      await routing.catchUp();
      await h.away('emea', 'ann', '2026-03-02T12:00:00.000Z');
      await routing.catchUp();
      expect(await h.routed()).toEqual(['a1 ann:rule', 'a2 bob:rule']);
      await h.back('emea', 'ann');
      await h.away('emea', 'ann');
      await routing.catchUp();
      expect((await h.routed()).slice(2)).toEqual(['a1 bob:owner_unavailable']);

      await h.back('emea', 'ann');
      await h.away('emea', 'bob');
      await routing.catchUp();
      expect((await h.routed()).slice(3)).toEqual(['a1 ann:owner_unavailable', 'a2 ann:owner_unavailable']);
      // Both away: nobody can take them.
      await h.away('emea', 'ann');
      await routing.catchUp();
      expect((await h.routed()).slice(5)).toEqual(['a1 queued:owner_unavailable', 'a2 queued:owner_unavailable']);
      expect(routing.queue()).toEqual(['a1 owner_unavailable ann', 'a2 owner_unavailable ann']);
      // ann is back first: her leads are hers again, out of the queue, without an event.
      await h.back('emea', 'ann');
      await routing.catchUp();
      expect(routing.queue()).toEqual([]);
      expect((await h.routed()).length).toBe(7);
      expect(await h.ownerOf('a1')).toBe('ann');
      // Away again later: queued anew (the lead's stream still says queued, the new spell queues it again).
      h.clock.advance(60_000);
      await h.away('emea', 'ann');
      await routing.catchUp();
      expect((await h.routed()).slice(7)).toEqual(['a1 queued:owner_unavailable', 'a2 queued:owner_unavailable']);
      // bob is back: the waiting leads are retried and go to him.
      await h.back('emea', 'bob');
      await routing.catchUp();
      expect((await h.routed()).slice(9)).toEqual(['a1 bob:owner_unavailable', 'a2 bob:owner_unavailable']);
      expect(routing.queue()).toEqual([]);
      routing.close();
    });

    it('a restart in the middle of the moves loses or doubles nothing', async () => {
      h = new RoutingHarness(routingConfig(rules()));
      await h.team('emea', { ownerId: 'ann' }, { ownerId: 'bob', capacity: 2 }, { ownerId: 'cid' });
      const first = h.instance('main');
      for (const id of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']) await h.capture(id);
      await first.catchUp();
      first.close();
      h.copyState('main', 'crashed'); // the state before the removal's batch committed
      await h.remove('emea', 'cid');
      await h.away('emea', 'ann');
      const again = h.instance('main');
      await again.catchUp();
      again.close();
      const after = await h.routed();
      expect(after.slice(6)).toEqual([
        // cid leaves: bob is full (r2, r5), so ann takes r3 and r6; then ann goes away and bob is still full.
        'r3 ann:owner_unavailable',
        'r6 ann:owner_unavailable',
        'r1 queued:owner_unavailable',
        'r3 queued:owner_unavailable',
        'r4 queued:owner_unavailable',
        'r6 queued:owner_unavailable',
      ]);
      const crashed = h.instance('crashed');
      await crashed.catchUp();
      expect(await h.routed()).toEqual(after);
      expect(crashed.queue()).toEqual(h.instance('main').queue());
      // Both go on the same way: bob's r2 closes, the oldest waiting lead moves to him.
      await h.lead('r2', { type: 'DisqualifyLead', reason: 'no_budget', occurredAt: h.now() });
      await crashed.catchUp();
      crashed.close();
      const restarted = h.instance('main');
      await restarted.catchUp();
      expect((await h.routed()).slice(after.length)).toEqual(['r1 bob:owner_unavailable']);
      restarted.close();
    });

    it('two instances over the same store give the same moves as one', async () => {
      const run = async (instances: number) => {
        const harness = new RoutingHarness(routingConfig([team('w', 'emea', 'weighted', { channel: 'web_form' }), team('rest', 'emea', 'load_balanced')]));
        const runtimes = Array.from({ length: instances }, (_, i) => harness.instance(`i${i}`));
        await harness.team('emea', { ownerId: 'ann', weight: 2, capacity: 4 }, { ownerId: 'bob', capacity: 3 }, { ownerId: 'cid', capacity: 2 }, { ownerId: 'dan', weight: 3 });
        for (let i = 0; i < 14; i++) {
          await harness.capture(`u${i}`, { channel: i % 3 === 0 ? 'seo' : 'web_form' });
          if (i === 5) await harness.remove('emea', 'dan');
          if (i === 8) await harness.away('emea', 'ann');
          if (i === 10) await harness.teamCommand('emea', { type: 'AddTeamMember', teamId: 'emea', ownerId: 'eve', capacity: 2, occurredAt: harness.now() });
          if (i === 12) await harness.back('emea', 'ann');
          if (i % 2 === 0) await runtimes[0].catchUp();
          if (i % 5 === 0) await runtimes[runtimes.length - 1].catchUp();
        }
        for (const r of runtimes) await r.catchUp();
        for (const r of [...runtimes].reverse()) await r.catchUp();
        const rows = await harness.routed();
        const queues = runtimes.map((r) => r.queue());
        for (const r of runtimes) r.close();
        await harness.close();
        return { rows, queues };
      };
      const one = await run(1);
      const two = await run(2);
      expect(two.rows).toEqual(one.rows);
      expect(two.queues).toEqual([one.queues[0], one.queues[0]]);
      expect(one.rows.filter((row) => row.includes('owner_unavailable')).length).toBeGreaterThan(2);
    });
  });
});
