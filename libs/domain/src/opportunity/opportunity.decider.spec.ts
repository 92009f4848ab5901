import {
  DAY_MS,
  decideOpportunity,
  DEFAULT_LIFECYCLE_CONFIG,
  DomainError,
  DomainErrorCode,
  evolveOpportunity,
  foldOpportunity,
  initialOpportunityState,
  InvalidCommandError,
  type LifecycleConfig,
  LifecycleError,
  type OpportunityCommand,
  type OpportunityEvent,
  type OpportunityLost,
  type OpportunityOpened,
  type OpportunityStageChanged,
  type OpportunityStalled,
  type OpportunityWon,
  type OpenOpportunityCommand,
} from '@lead-lifecycle/domain';
import { deciderSpec } from '../../../../test/support/domain/decider-spec';

const config = DEFAULT_LIFECYCLE_CONFIG;
const opportunity = deciderSpec({ decide: decideOpportunity, evolve: evolveOpportunity, initialState: initialOpportunityState, config });
const opportunityWith = (custom: LifecycleConfig) =>
  deciderSpec({ decide: decideOpportunity, evolve: evolveOpportunity, initialState: initialOpportunityState, config: custom });

const OPP = 'opp-1';
const LEAD = 'lead-1';
const T0 = Date.parse('2026-02-01T00:00:00.000Z');
const at = (days: number) => new Date(T0 + days * DAY_MS).toISOString();
const DEFAULT_PIPELINE = ['qualification', 'discovery', 'proposal', 'negotiation'];

// ---- events ---------------------------------------------------------------------------------------

const opened = (pipeline = DEFAULT_PIPELINE, day = 0): OpportunityOpened => ({
  type: 'OpportunityOpened',
  data: {
    opportunityId: OPP,
    leadId: LEAD,
    tenantId: 'tenant-a',
    name: 'Acme rollout',
    amount: 12000,
    currency: 'EUR',
    expectedCloseDate: '2026-06-30',
    stage: pipeline[0],
    pipeline,
    occurredAt: at(day),
  },
});
const stageChanged = (from: string, to: string, day: number): OpportunityStageChanged => ({
  type: 'OpportunityStageChanged',
  data: { opportunityId: OPP, leadId: LEAD, from, to, occurredAt: at(day) },
});
const won = (amount: number, day: number): OpportunityWon => ({
  type: 'OpportunityWon',
  data: { opportunityId: OPP, leadId: LEAD, amount, currency: 'EUR', occurredAt: at(day) },
});
const lost = (reason: string, stage: string, day: number, note?: string): OpportunityLost => ({
  type: 'OpportunityLost',
  data: { opportunityId: OPP, leadId: LEAD, reason, note, stage, occurredAt: at(day) },
});

const asOpen: OpportunityEvent[] = [opened()];
const asWon: OpportunityEvent[] = [...asOpen, stageChanged('qualification', 'proposal', 3), won(12000, 10)];
const asLost: OpportunityEvent[] = [...asOpen, lost('price', 'qualification', 10)];

// ---- commands -------------------------------------------------------------------------------------

const open = (over: Partial<OpenOpportunityCommand> = {}): OpenOpportunityCommand => ({
  type: 'OpenOpportunity',
  opportunityId: OPP,
  leadId: LEAD,
  tenantId: 'tenant-a',
  name: 'Acme rollout',
  amount: 12000,
  currency: 'EUR',
  expectedCloseDate: '2026-06-30',
  occurredAt: at(0),
  ...over,
});
const moveTo = (stage: string, day = 1): OpportunityCommand => ({ type: 'ChangeOpportunityStage', stage, occurredAt: at(day) });
const win = (day = 10, amount?: number): OpportunityCommand => ({ type: 'WinOpportunity', amount, occurredAt: at(day) });
const lose = (reason: string, day = 10, note?: string): OpportunityCommand => ({ type: 'LoseOpportunity', reason, note, occurredAt: at(day) });

// ===================================================================================================

describe('opportunity decider', () => {
  describe('OpenOpportunity', () => {
    it('opens in the first pipeline stage, recording the pipeline from the config', () => {
      const outcome = opportunity.given([]).when(open()).then([opened()]);
      expect(outcome.state).toEqual({
        status: 'open',
        opportunityId: OPP,
        leadId: LEAD,
        tenantId: 'tenant-a',
        name: 'Acme rollout',
        amount: 12000,
        currency: 'EUR',
        expectedCloseDate: '2026-06-30',
        stage: 'qualification',
        pipeline: DEFAULT_PIPELINE,
        openedAt: at(0),
        stageEnteredAt: at(0),
      });
    });

    it('name and expected close date are optional', () => {
      opportunity
        .given([])
        .when(open({ name: undefined, expectedCloseDate: undefined }))
        .then([{ ...opened(), data: { ...opened().data, name: undefined, expectedCloseDate: undefined } }]);
    });

    it('uses a custom pipeline from the config', () => {
      const custom: LifecycleConfig = { ...config, pipeline: { stages: ['intro', 'demo', 'contract'] } };
      opportunityWith(custom).given([]).when(open()).then([opened(['intro', 'demo', 'contract'])]);
    });

    it('copies the pipeline, so a later change of the config does not change the event', () => {
      const stages = ['a', 'b'];
      const custom: LifecycleConfig = { ...config, pipeline: { stages } };
      const [event] = opportunityWith(custom).given([]).when(open()).then([opened(['a', 'b'])]).events as OpportunityOpened[];
      expect(event.data.pipeline).not.toBe(stages);
    });

    it.each<[string, OpportunityEvent[]]>([
      ['open', asOpen],
      ['won', asWon],
      ['lost', asLost],
    ])('is idempotent: opening an opportunity that exists (%s) decides nothing', (_name, history) => {
      opportunity.given(history).when(open({ amount: 99, occurredAt: at(20) })).then([]);
    });
  });

  describe('ChangeOpportunityStage', () => {
    it.each(['discovery', 'proposal', 'negotiation'])('moves from qualification to %s', (to) => {
      const outcome = opportunity.given(asOpen).when(moveTo(to, 2)).then([stageChanged('qualification', to, 2)]);
      expect(outcome.state).toMatchObject({ status: 'open', stage: to });
    });

    it('may move backwards', () => {
      opportunity
        .given([...asOpen, stageChanged('qualification', 'proposal', 2)])
        .when(moveTo('discovery', 3))
        .then([stageChanged('proposal', 'discovery', 3)]);
    });

    it('may move back to the first stage', () => {
      opportunity
        .given([...asOpen, stageChanged('qualification', 'negotiation', 2)])
        .when(moveTo('qualification', 3))
        .then([stageChanged('negotiation', 'qualification', 3)]);
    });

    it('refuses the stage it is already in', () => {
      opportunity
        .given([...asOpen, stageChanged('qualification', 'proposal', 2)])
        .when(moveTo('proposal', 3))
        .thenThrows({
          type: LifecycleError,
          code: DomainErrorCode.LifecycleViolation,
          currentStage: 'proposal',
          attemptedMove: 'move to stage proposal',
          message: 'already in that stage',
        });
    });

    it.each(['closed_won', 'Proposal', ''])('refuses the unknown stage %j as invalid', (stage) => {
      opportunity
        .given(asOpen)
        .when(moveTo(stage))
        .thenThrows({
          type: InvalidCommandError,
          code: DomainErrorCode.InvalidCommand,
          fields: ['stage'],
          message: 'stage: must be one of qualification, discovery, proposal, negotiation',
        });
    });

    it('checks the pipeline recorded on the opportunity, not the current config', () => {
      const custom = opened(['intro', 'demo', 'contract']);
      opportunity.given([custom]).when(moveTo('demo')).then([stageChanged('intro', 'demo', 1)]);
      opportunity.given([custom]).when(moveTo('proposal')).thenThrows({ type: InvalidCommandError, fields: ['stage'] });
    });
  });

  describe('WinOpportunity', () => {
    it('wins with the opportunity amount by default', () => {
      const outcome = opportunity.given(asOpen).when(win(10)).then([won(12000, 10)]);
      expect(outcome.state).toMatchObject({ status: 'won', closedAt: at(10), wonAmount: 12000, amount: 12000, stage: 'qualification' });
    });

    it('wins with an explicit final amount', () => {
      const outcome = opportunity.given([...asOpen, stageChanged('qualification', 'negotiation', 4)]).when(win(10, 9500)).then([won(9500, 10)]);
      expect(outcome.state).toMatchObject({ status: 'won', wonAmount: 9500, amount: 12000, stage: 'negotiation' });
    });

    it('accepts a final amount of 0', () => {
      opportunity.given(asOpen).when(win(10, 0)).then([won(0, 10)]);
    });

    it.each([-1, Number.NaN])('refuses the final amount %d', (amount) => {
      opportunity.given(asOpen).when(win(10, amount)).thenThrows({ type: InvalidCommandError, fields: ['amount'] });
    });
  });

  describe('LoseOpportunity', () => {
    it('loses with a reason and note, recording the stage it was lost in', () => {
      const outcome = opportunity
        .given([...asOpen, stageChanged('qualification', 'proposal', 3)])
        .when(lose('price', 10, 'went with a cheaper vendor'))
        .then([lost('price', 'proposal', 10, 'went with a cheaper vendor')]);
      expect(outcome.state).toMatchObject({
        status: 'lost',
        closedAt: at(10),
        lossReason: 'price',
        lossNote: 'went with a cheaper vendor',
        stage: 'proposal',
      });
    });

    it('the note is optional', () => {
      opportunity.given(asOpen).when(lose('no decision')).then([lost('no decision', 'qualification', 10)]);
    });

    it.each(['', '   ', undefined])('requires a reason (%j)', (reason) => {
      opportunity
        .given(asOpen)
        .when(lose(reason as string))
        .thenThrows({ type: InvalidCommandError, fields: ['reason'], message: 'reason: must not be empty' });
    });
  });

  describe('a closed opportunity refuses every change', () => {
    const closed: [string, OpportunityEvent[]][] = [
      ['won', asWon],
      ['lost', asLost],
    ];
    const commands: [OpportunityCommand, string][] = [
      [moveTo('discovery', 11), 'move to stage discovery'],
      [moveTo('qualification', 11), 'move to stage qualification'],
      [moveTo('no-such-stage', 11), 'move to stage no-such-stage'],
      [win(11), 'win'],
      [win(11, -5), 'win'],
      [lose('late', 11), 'lose'],
      [lose('', 11), 'lose'],
    ];
    const cases = closed.flatMap(([status, history]) =>
      commands.map(([command, move]) => [status, move, history, command] as const),
    );

    it.each(cases)('%s: %s is a LifecycleError', (status, move, history, command) => {
      opportunity
        .given(history)
        .when(command)
        .thenThrows({
          type: LifecycleError,
          code: DomainErrorCode.LifecycleViolation,
          currentStage: status,
          attemptedMove: move,
          message: `cannot ${move} from stage "${status}": the opportunity is closed`,
        });
    });
  });

  describe('commands on an opportunity that does not exist', () => {
    it.each<OpportunityCommand>([moveTo('discovery'), win(), lose('price')])('$type is refused with OPPORTUNITY_NOT_FOUND', (command) => {
      opportunity
        .given([])
        .when(command)
        .thenThrows({ type: DomainError, code: DomainErrorCode.OpportunityNotFound, message: 'opportunity not found' });
    });
  });
});

describe('evolveOpportunity', () => {
  it('starts with no opportunity', () => {
    expect(foldOpportunity([])).toEqual({ status: 'none' });
  });

  it.each<[string, OpportunityEvent[], string]>([
    ['OpportunityOpened', asOpen, 'open'],
    ['OpportunityStageChanged', [...asOpen, stageChanged('qualification', 'discovery', 1)], 'open'],
    ['OpportunityWon', asWon, 'won'],
    ['OpportunityLost', asLost, 'lost'],
  ])('after %s the status is %s', (_name, events, status) => {
    expect(foldOpportunity(events).status).toBe(status);
  });

  it('ignores changes after the opportunity was closed', () => {
    const wonState = foldOpportunity(asWon);
    expect(foldOpportunity([stageChanged('proposal', 'negotiation', 11), lost('x', 'proposal', 12), won(1, 13)], wonState)).toEqual(wonState);
    const lostState = foldOpportunity(asLost);
    expect(foldOpportunity([stageChanged('qualification', 'discovery', 11), won(1, 12)], lostState)).toEqual(lostState);
  });

  it('ignores changes before the opportunity was opened', () => {
    expect(foldOpportunity([stageChanged('qualification', 'discovery', 1), won(1, 2), lost('x', 'y', 3)])).toEqual({ status: 'none' });
  });

  it('a won opportunity keeps its details', () => {
    expect(foldOpportunity(asWon)).toEqual({
      status: 'won',
      opportunityId: OPP,
      leadId: LEAD,
      tenantId: 'tenant-a',
      name: 'Acme rollout',
      amount: 12000,
      currency: 'EUR',
      expectedCloseDate: '2026-06-30',
      stage: 'proposal',
      pipeline: DEFAULT_PIPELINE,
      openedAt: at(0),
      stageEnteredAt: at(3),
      closedAt: at(10),
      wonAmount: 12000,
    });
  });
});

describe('opportunity decider: business times and money (library users bypass the DTOs)', () => {
  it.each(['2026-W05-1', '2026-02-01', '2026-02-01T10:00:00', '2026-02-01T10:00Z'])('refuses every command at %j, naming occurredAt', (occurredAt) => {
    opportunity.given([]).when(open({ occurredAt })).thenThrows({ type: InvalidCommandError, fields: ['occurredAt'] });
    for (const command of [moveTo('proposal'), win(), lose('price')]) {
      opportunity.given(asOpen).when({ ...command, occurredAt }).thenThrows({ type: InvalidCommandError, fields: ['occurredAt'] });
    }
  });

  it('stores an offset time in UTC', () => {
    opportunity
      .given(asOpen)
      .when({ type: 'ChangeOpportunityStage', stage: 'proposal', occurredAt: '2026-02-02T02:00:00+02:00' })
      .then([stageChanged('qualification', 'proposal', 1)]);
  });

  it.each([
    [{ amount: 1e308 }, ['amount']],
    [{ amount: 12.345 }, ['amount']],
    [{ amount: 10.5, currency: 'JPY' }, ['amount']],
    [{ currency: 'XYZ' }, ['currency']],
    [{ expectedCloseDate: '2026-02-30' }, ['expectedCloseDate']],
    [{ expectedCloseDate: '2026-06-30T00:00:00Z' }, ['expectedCloseDate']],
  ])('refuses to open with %j', (over, fields) => {
    opportunity.given([]).when(open(over)).thenThrows({ type: InvalidCommandError, fields });
  });

  it('a replayed open of an existing opportunity stays harmless, whatever its values', () => {
    opportunity.given(asOpen).when(open({ amount: 1e308, occurredAt: '2026-W05-1' })).then([]);
  });

  it.each([
    [12.345, 'at most 2 decimals'],
    [1e308, 'at most 1000000000000'],
    [Number.POSITIVE_INFINITY, 'finite'],
  ])('refuses the final amount %d in the opportunity currency (%s)', (amount, message) => {
    opportunity.given(asOpen).when(win(10, amount)).thenThrows({ type: InvalidCommandError, fields: ['amount'], message });
  });

  it('checks the final amount against the minor unit of the opportunity currency', () => {
    const inYen: OpportunityEvent = { ...opened(), data: { ...opened().data, currency: 'JPY' } };
    opportunity.given([inYen]).when(win(10, 100.5)).thenThrows({ fields: ['amount'], message: 'whole number' });
    opportunity.given([inYen]).when(win(10, 100)).thenState((state) => expect(state).toMatchObject({ status: 'won', wonAmount: 100 }));
  });
});

describe('opportunity decider: MarkOpportunityStalled (aging)', () => {
  const markStalled = (stage: string, idleSince: string, day: number) =>
    ({ type: 'MarkOpportunityStalled', stage, idleSince, stalledAfter: 'P3D', occurredAt: at(day) }) as const;
  const stalled = (stage: string, idleSince: string, day: number): OpportunityStalled => ({
    type: 'OpportunityStalled',
    data: { opportunityId: OPP, leadId: LEAD, stage, idleSince, stalledAfter: 'P3D', occurredAt: at(day) },
  });

  it('stalls an open opportunity once per idle spell, and the state says since when', () => {
    const outcome = opportunity.given(asOpen).when(markStalled('qualification', at(0), 3)).then([stalled('qualification', at(0), 3)]);
    expect(outcome.state).toMatchObject({ status: 'open', stage: 'qualification', stageEnteredAt: at(0), stalledAt: at(3) });
    opportunity.given([...asOpen, stalled('qualification', at(0), 3)]).when(markStalled('qualification', at(0), 3)).then([]);
  });

  it('a stage change starts a new spell: the old spell never stalls, the new one may', () => {
    const moved = [...asOpen, stalled('qualification', at(0), 3), stageChanged('qualification', 'proposal', 5)];
    opportunity.given(moved).when(markStalled('qualification', at(0), 6)).then([]);
    opportunity.given(moved).when(markStalled('proposal', at(1), 8)).then([]);
    const outcome = opportunity.given(moved).when(markStalled('proposal', at(5), 8)).then([stalled('proposal', at(5), 8)]);
    expect(outcome.state).toMatchObject({ stage: 'proposal', stageEnteredAt: at(5), stalledAt: at(8) });
    expect(foldOpportunity(moved)).not.toHaveProperty('stalledAt');
  });

  it('never stalls a closed or unknown opportunity', () => {
    for (const given of [[], asWon, asLost]) opportunity.given(given).when(markStalled('qualification', at(0), 30)).then([]);
  });
});
