import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNELS } from '@lead-lifecycle/domain';

const count = (description?: string) => ApiProperty({ type: 'integer', minimum: 0, ...(description ? { description } : {}) });
const seconds = (description: string) => ApiProperty({ type: 'integer', minimum: 0, nullable: true, description: `${description}, in seconds; null when none was measured` });

/** The filters of the report, as understood (times in UTC). */
export class SlaFiltersResponse {
  @ApiPropertyOptional({ format: 'date-time', description: 'SLAs started at or after' }) from?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'SLAs started before' }) to?: string;
  @ApiPropertyOptional({ enum: CHANNELS }) channel?: string;
}

/** SLAs of the report by status; `started` is their sum. */
export class SlaCountsResponse {
  @count('every SLA of the report') started: number;
  @count('waiting for a first sales touch') open: number;
  @count('touched by the due time') met: number;
  @count('not touched by the due time') breached: number;
  @count('ended without a breach: another assignment, or the lead left lead, mql and sql') ended: number;
}

export class OpenSlaResponse {
  @ApiProperty({ description: 'derived from the assignment that started it' }) slaId: string;
  @ApiProperty({ format: 'uuid' }) leadId: string;
  @ApiProperty() policyId: string;
  @ApiProperty({ description: 'the owner who must touch the lead' }) ownerId: string;
  @ApiProperty({ type: 'string', nullable: true, description: 'the team the owner was routed from; null for a manual assignment' }) teamId: string | null;
  @ApiProperty({ type: 'string', nullable: true, enum: CHANNELS, description: 'the channel the lead was captured from' }) channel: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ format: 'date-time', description: 'counted in the policy calendar' }) dueAt: string;
  @ApiProperty({ description: 'due already and not yet recorded as breached (the sweeper acts within its interval)' }) overdue: boolean;
}

export class PolicyBreachesResponse {
  @ApiProperty() policyId: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) breaches: number;
}

export class OwnerBreachesResponse {
  @ApiProperty() ownerId: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) breaches: number;
}

export class SlaBreachesResponse {
  @count() total: number;
  @ApiProperty({ type: [PolicyBreachesResponse], description: 'most breaches first' }) byPolicy: PolicyBreachesResponse[];
  @ApiProperty({ type: [OwnerBreachesResponse], description: 'most breaches first' }) byOwner: OwnerBreachesResponse[];
}

export class TimeToFirstTouchResponse {
  @count('SLAs whose first sales touch is known') measured: number;
  @seconds('median from the start of the SLA to the first sales touch') medianSeconds: number | null;
  @seconds('90th percentile (nearest rank)') p90Seconds: number | null;
}

export class SlaReportResponse {
  @ApiProperty({ type: SlaFiltersResponse }) filters: SlaFiltersResponse;
  @ApiProperty({ type: SlaCountsResponse }) counts: SlaCountsResponse;
  @ApiProperty({ type: [OpenSlaResponse], description: 'soonest due first, at most 500' }) open: OpenSlaResponse[];
  @ApiProperty({ type: SlaBreachesResponse }) breaches: SlaBreachesResponse;
  @ApiProperty({ type: TimeToFirstTouchResponse, description: 'from the start of each SLA to the first sales touch while it was current (met, or late after a breach)' })
  timeToFirstTouch: TimeToFirstTouchResponse;
}
