import { type ExistingLead, type OpportunityState, stageNameOf } from '@lead-lifecycle/domain';

/** The JSON shape of a lead in the HTTP API. */
export function leadView(state: ExistingLead, revision: bigint | undefined) {
  return {
    leadId: state.leadId,
    tenantId: state.tenantId,
    // A host's own stage by its name (lifecycleConfig.stages), as the read models and refusals name it.
    stage: stageNameOf(state),
    score: state.score,
    temperature: state.temperature,
    ownerId: state.ownerId ?? null,
    bant: state.bant ?? null,
    qualifiedBy: state.qualifiedBy ?? null,
    opportunityIds: Object.keys(state.opportunities),
    opportunities: state.opportunities,
    contact: state.contact,
    externalId: state.externalId ?? null,
    jobTitle: state.jobTitle ?? null,
    company: state.company ?? null,
    source: state.source,
    attributes: state.attributes ?? {},
    enrichment: state.enrichment ?? null,
    capturedAt: state.capturedAt,
    stageEnteredAt: state.stageEnteredAt,
    lastActivityAt: state.lastActivityAt ?? null,
    fitReasons: state.fitReasons,
    recaptures: state.recaptures,
    ...(state.stage === 'disqualified' ? { disqualification: state.disqualification } : {}),
    ...(state.stage === 'customer' || state.stage === 'after_customer' ? { convertedAt: state.convertedAt, wonOpportunityId: state.wonOpportunityId } : {}),
    ...(state.stage === 'nurturing' ? { recycleReason: state.recycleReason ?? null } : {}),
    revision: revision === undefined ? null : Number(revision),
  };
}

export type LeadView = ReturnType<typeof leadView>;

export function opportunityView(state: Exclude<OpportunityState, { status: 'none' }>, revision: bigint | undefined) {
  return {
    opportunityId: state.opportunityId,
    leadId: state.leadId,
    tenantId: state.tenantId,
    status: state.status,
    name: state.name ?? null,
    amount: state.amount,
    currency: state.currency,
    expectedCloseDate: state.expectedCloseDate ?? null,
    stage: state.stage,
    pipeline: state.pipeline,
    openedAt: state.openedAt,
    stageEnteredAt: state.stageEnteredAt,
    stalledAt: state.stalledAt ?? null,
    ...(state.status === 'won' ? { closedAt: state.closedAt, wonAmount: state.wonAmount } : {}),
    ...(state.status === 'lost' ? { closedAt: state.closedAt, lossReason: state.lossReason, lossNote: state.lossNote ?? null } : {}),
    revision: revision === undefined ? null : Number(revision),
  };
}

export type OpportunityView = ReturnType<typeof opportunityView>;
