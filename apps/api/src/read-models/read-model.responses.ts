import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNELS, LEAD_STAGES } from '@lead-lifecycle/domain';
import { POSITION_PATTERN } from '../http/command-receipt.response';

const count = (description?: string) => ApiProperty({ type: 'integer', minimum: 0, ...(description ? { description } : {}) });
const rate = (description: string) => ApiProperty({ type: 'number', nullable: true, minimum: 0, description: `${description}; null when nothing to divide by` });

/** The cohort a report covers, as understood (the query, less `minPosition`, with the tenant). */
export class CohortFiltersResponse {
  @ApiProperty() tenantId: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'leads captured at or after' }) from?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'leads captured before' }) to?: string;
  @ApiPropertyOptional({ enum: CHANNELS }) channel?: string;
  @ApiPropertyOptional() campaign?: string;
}

export class FunnelFiltersResponse extends CohortFiltersResponse {
  @ApiPropertyOptional({ enum: ['channel', 'campaign'] }) groupBy?: string;
}

export class CountingModesResponse {
  @ApiProperty({ description: 'what "anyPath" counts' }) anyPath: string;
  @ApiProperty({ description: 'what "inOrder" counts' }) inOrder: string;
}

/** Leads per funnel stage, in order. */
export class FunnelStageCountsResponse {
  @count() lead: number;
  @count() mql: number;
  @count() sql: number;
  @count() opportunity: number;
  @count() customer: number;
}

/** Leads per stage, side stages included. */
export class StageCountsResponse extends FunnelStageCountsResponse {
  @count() nurturing: number;
  @count() disqualified: number;
}

export class ReachedCountsResponse {
  @ApiProperty({ type: StageCountsResponse, description: 'reached the stage by any path' }) anyPath: StageCountsResponse;
  @ApiProperty({ type: FunnelStageCountsResponse, description: 'reached it through every earlier stage, in order' }) inOrder: FunnelStageCountsResponse;
}

/** Conversion rates between consecutive funnel stages (0 to 1, four decimals). */
export class ConversionRatesResponse {
  @rate('mql / lead') lead_to_mql: number | null;
  @rate('sql / mql') mql_to_sql: number | null;
  @rate('opportunity / sql') sql_to_opportunity: number | null;
  @rate('customer / opportunity') opportunity_to_customer: number | null;
  @rate('customer / lead') lead_to_customer: number | null;
}

export class ConversionByModeResponse {
  @ApiProperty({ type: ConversionRatesResponse }) anyPath: ConversionRatesResponse;
  @ApiProperty({ type: ConversionRatesResponse }) inOrder: ConversionRatesResponse;
}

export class FunnelGroupResponse {
  @ApiProperty({ type: 'string', nullable: true, description: 'the channel or campaign of the group; null without groupBy (or no campaign)' })
  key: string | null;
  @ApiProperty({ type: ReachedCountsResponse }) reached: ReachedCountsResponse;
  @ApiProperty({ type: StageCountsResponse, description: 'leads in each stage now' }) current: StageCountsResponse;
  @ApiProperty({ type: ConversionByModeResponse }) conversion: ConversionByModeResponse;
}

/** How many of the counted leads a projection holds quarantined (their rows miss an event it could not apply). */
const quarantinedLeads = () =>
  ApiProperty({ type: 'integer', minimum: 0, description: 'leads of the cohort that are quarantined: counted with what their rows hold, which misses an event (see GET /v1/projections)' });

export class FunnelResponse {
  @ApiProperty({ type: FunnelFiltersResponse }) filters: FunnelFiltersResponse;
  @ApiProperty({ type: CountingModesResponse }) counting: CountingModesResponse;
  @ApiProperty({ type: [FunnelGroupResponse], description: 'one group without groupBy' }) groups: FunnelGroupResponse[];
  @quarantinedLeads() quarantinedLeads: number;
}

export class StageTimeResponse {
  @ApiProperty({ enum: LEAD_STAGES }) stage: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) visits: number;
  @ApiProperty({ format: 'date-time' }) firstEnteredAt: string;
  @ApiProperty({ format: 'date-time' }) lastEnteredAt: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'null while the lead is still in the stage' }) lastLeftAt: string | null;
  @ApiProperty({ description: 'length of the latest visit, up to now while still in it' }) latestMs: number;
  @ApiProperty({ description: 'all visits added up' }) cumulativeMs: number;
}

export class TimeInStageResponse {
  @ApiProperty({ format: 'uuid' }) leadId: string;
  @ApiProperty({ description: 'true while the funnel projection holds the lead quarantined: its stages miss an event' }) quarantined: boolean;
  @ApiProperty({ type: [StageTimeResponse] }) stages: StageTimeResponse[];
}

export class LeadScoreResponse {
  @ApiProperty() total: number;
  @ApiProperty() fit: number;
  @ApiProperty() engagement: number;
}

export class LeadListItemResponse {
  @ApiProperty({ format: 'uuid' }) leadId: string;
  @ApiProperty({ enum: LEAD_STAGES }) stage: string;
  @ApiProperty({ type: LeadScoreResponse }) score: LeadScoreResponse;
  @ApiProperty({ enum: ['cold', 'warm', 'hot'] }) temperature: string;
  @ApiProperty({ type: 'string', nullable: true }) ownerId: string | null;
  @ApiProperty({ enum: CHANNELS }) channel: string;
  @ApiProperty({ type: 'string', nullable: true }) campaign: string | null;
  @ApiProperty({ format: 'date-time' }) capturedAt: string;
  @ApiProperty({ format: 'date-time' }) lastActivityAt: string;
  @ApiProperty({ description: 'true while the scoring projection holds the lead quarantined: its row misses an event' }) quarantined: boolean;
}

export class LeadListResponse {
  @ApiProperty({ type: [LeadListItemResponse] }) items: LeadListItemResponse[];
  @ApiProperty({ type: 'string', nullable: true, description: 'pass as `cursor` for the next page; null on the last page' }) nextCursor: string | null;
}

export class DurationResponse {
  @count('visits (or leads) measured') count: number;
  @ApiProperty({ type: 'number', nullable: true, description: 'null when none' }) averageMs: number | null;
  @ApiProperty({ type: 'number', nullable: true, description: 'null when none' }) medianMs: number | null;
}

/** Finished visits per stage. */
export class StageDurationsResponse {
  @ApiProperty({ type: DurationResponse }) lead: DurationResponse;
  @ApiProperty({ type: DurationResponse }) mql: DurationResponse;
  @ApiProperty({ type: DurationResponse }) sql: DurationResponse;
  @ApiProperty({ type: DurationResponse }) opportunity: DurationResponse;
  @ApiProperty({ type: DurationResponse }) customer: DurationResponse;
  @ApiProperty({ type: DurationResponse }) nurturing: DurationResponse;
  @ApiProperty({ type: DurationResponse }) disqualified: DurationResponse;
}

export class KpiConversionResponse {
  @rate('leads that reached sql / mql') mqlToSql: number | null;
  @rate('opportunity / sql') sqlToOpportunity: number | null;
  @rate('customer / opportunity') opportunityToWon: number | null;
}

export class OpportunityCountsResponse {
  @count() open: number;
  @count() won: number;
  @count() lost: number;
}

const amountsByCurrency = (description: string) =>
  ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { EUR: 24000 }, description: `${description}, by ISO 4217 currency` });

export class AcquisitionResponse {
  @ApiProperty({ minimum: 0 }) totalCost: number;
  @count('leads with a known cost') leadsWithCost: number;
  @ApiProperty({ type: 'number', nullable: true }) costPerLead: number | null;
  @ApiProperty({ type: 'number', nullable: true }) costPerCustomer: number | null;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'number' },
    description: 'won revenue of leads with a cost / their total cost, by currency; null without cost',
  })
  returnOnSpend: Record<string, number> | null;
}

/** From a lead's first assignment to its first sales touch (an activity of `sla.touchTypes` at or after it). */
export class SpeedToLeadResponse {
  @count('leads of the group assigned and touched since') measured: number;
  @ApiProperty({ type: 'integer', minimum: 0, nullable: true, description: 'median, in seconds; null when none was measured' }) medianSeconds: number | null;
  @ApiProperty({ type: 'integer', minimum: 0, nullable: true, description: '90th percentile (nearest rank), in seconds; null when none was measured' }) p90Seconds: number | null;
}

export class KpisResponse {
  @ApiProperty({ type: 'string', nullable: true, description: 'channel or campaign; null for overall (or no campaign)' }) key: string | null;
  @count() leadsCaptured: number;
  @ApiProperty({ type: KpiConversionResponse }) conversion: KpiConversionResponse;
  @rate('won / (won + lost)') winRate: number | null;
  @ApiProperty({ type: OpportunityCountsResponse }) opportunities: OpportunityCountsResponse;
  @ApiProperty({ type: StageDurationsResponse }) timeInStage: StageDurationsResponse;
  @ApiProperty({ type: DurationResponse, description: 'capture to customer' }) leadToCustomer: DurationResponse;
  @amountsByCurrency('amounts of open opportunities') pipelineValue: Record<string, number>;
  @amountsByCurrency('won amounts') wonRevenue: Record<string, number>;
  @ApiProperty({ type: AcquisitionResponse }) acquisition: AcquisitionResponse;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'disqualified leads by reason' }) disqualificationReasons: Record<string, number>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'lost opportunities by reason' }) lossReasons: Record<string, number>;
  @ApiProperty({ type: SpeedToLeadResponse, description: 'first assignment to first sales touch' }) speedToLead: SpeedToLeadResponse;
}

export class KpiReportResponse {
  @ApiProperty({ type: CohortFiltersResponse }) filters: CohortFiltersResponse;
  @ApiProperty({ type: KpisResponse }) overall: KpisResponse;
  @ApiProperty({ type: [KpisResponse] }) byChannel: KpisResponse[];
  @ApiProperty({ type: [KpisResponse] }) byCampaign: KpisResponse[];
  @quarantinedLeads() quarantinedLeads: number;
}

export class ProcessorFailureResponse {
  @ApiProperty() processor: string;
  @ApiProperty({ pattern: POSITION_PATTERN }) position: string;
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty() eventType: string;
  @ApiProperty() error: string;
  @ApiProperty({ enum: ['stopped', 'parked'] }) action: string;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class ProcessorLagResponse {
  @ApiProperty({ example: 'projection:funnel' }) name: string;
  @ApiProperty({ enum: ['idle', 'running', 'retrying', 'stopped'] }) state: string;
  @ApiProperty({ pattern: POSITION_PATTERN, description: 'its checkpoint' }) position: string;
  @ApiProperty({ pattern: POSITION_PATTERN }) headPosition: string;
  @count('events between the checkpoint and the head, counted up to a cap') eventsBehind: number;
  @ApiProperty({ description: 'true when eventsBehind hit the cap' }) eventsBehindCapped: boolean;
  @ApiProperty({ minimum: 0, description: 'how long the oldest event not yet handled has been in the store' }) secondsBehind: number;
  @ApiProperty({ type: 'string', nullable: true }) lastError: string | null;
  @ApiProperty({ type: 'string', nullable: true }) stoppedReason: string | null;
  @ApiProperty({ type: [ProcessorFailureResponse], description: 'the latest failures (up to 20)' }) failures: ProcessorFailureResponse[];
  @count('leads this processor holds quarantined (projections under the quarantine policy; 0 for the others)') quarantinedLeads: number;
}

/** A lead a projection holds quarantined: its first poison event not yet repaired. */
export class QuarantinedLeadResponse {
  @ApiProperty({ example: 'projection:scoring' }) processor: string;
  @ApiProperty() tenantId: string;
  @ApiProperty({ format: 'uuid' }) leadId: string;
  @ApiProperty({ format: 'uuid', description: 'the poison event' }) eventId: string;
  @ApiProperty({ example: 'ScoreChanged' }) type: string;
  @ApiProperty({ pattern: POSITION_PATTERN }) position: string;
  @ApiProperty({ description: 'why the projection could not apply it' }) error: string;
  @ApiProperty({ format: 'date-time', description: 'when the poison event was recorded; the lead\'s rows miss it from then on' }) since: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'events of the lead this projection could not apply and no later event repaired' }) poisonEvents: number;
}

export class ProjectionStatusResponse {
  @ApiProperty({ type: [ProcessorLagResponse] }) processors: ProcessorLagResponse[];
  @ApiProperty({ type: [QuarantinedLeadResponse], description: 'quarantined leads of every projection (at most 100 per projection); repair with POST /v1/leads/{id}/rescore' })
  quarantined: QuarantinedLeadResponse[];
}
