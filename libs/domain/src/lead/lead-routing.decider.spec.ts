import { decideLead, DEFAULT_LIFECYCLE_CONFIG, evolveLead, initialLeadState, type LeadAssigned, type LeadCaptured, type LeadEvent, type LeadQueued } from '@lead-lifecycle/domain';
import { deciderSpec } from '../../../../test/support/domain/decider-spec';

const lead = deciderSpec({ decide: decideLead, evolve: evolveLead, initialState: initialLeadState, config: DEFAULT_LIFECYCLE_CONFIG });
const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 9, minute)).toISOString();
const captured: LeadCaptured = {
  type: 'LeadCaptured',
  data: { leadId: 'l-1', tenantId: 't', contact: { email: 'a@b.io' }, source: { channel: 'web_form' }, occurredAt: at(0) },
};
const routedToAnn: LeadAssigned = { type: 'LeadAssigned', data: { leadId: 'l-1', ownerId: 'ann', reason: 'rule', teamId: 'emea', strategy: 'round_robin', occurredAt: at(1) } };
const queuedAt = (minute: number): LeadQueued => ({ type: 'LeadQueued', data: { leadId: 'l-1', reason: 'owner_unavailable', teamId: 'emea', occurredAt: at(minute) } });
const given: LeadEvent[] = [captured, routedToAnn];

describe('routing commands: owner_unavailable', () => {
  it('moves the lead off the unavailable owner, and only while that owner still has it', () => {
    const move = { type: 'RouteLead', reason: 'owner_unavailable', ownerId: 'bob', fromOwnerId: 'ann', teamId: 'emea', strategy: 'round_robin', occurredAt: at(2) } as const;
    lead.given(given).when(move).then([
      { type: 'LeadAssigned', data: { leadId: 'l-1', ownerId: 'bob', previousOwnerId: 'ann', reason: 'owner_unavailable', teamId: 'emea', strategy: 'round_robin', occurredAt: at(2) } },
    ]);
    const manual: LeadAssigned = { type: 'LeadAssigned', data: { leadId: 'l-1', ownerId: 'zoe', previousOwnerId: 'ann', reason: 'manual', occurredAt: at(1) } };
    lead.given([...given, manual]).when(move).then([]);
  });

  it('queues it once per unavailability: the same moment again is a rerun, a later one queues anew', () => {
    const queue = (minute: number) => ({ type: 'QueueLead', reason: 'owner_unavailable', fromOwnerId: 'ann', teamId: 'emea', occurredAt: at(minute) }) as const;
    lead.given(given).when(queue(2)).then([queuedAt(2)]);
    lead.given([...given, queuedAt(2)]).when(queue(2)).then([]);
    lead.given([...given, queuedAt(2)]).when(queue(5)).then([queuedAt(5)]);
    // Other reasons stay deduplicated by reason (a failed retry records nothing new).
    const sla: LeadQueued = { type: 'LeadQueued', data: { leadId: 'l-1', reason: 'sla_exhausted', teamId: 'emea', occurredAt: at(2) } };
    lead.given([...given, sla]).when({ type: 'QueueLead', reason: 'sla_exhausted', fromOwnerId: 'ann', teamId: 'emea', occurredAt: at(5) }).then([]);
  });
});
