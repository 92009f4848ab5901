import { ApiProperty } from '@nestjs/swagger';
import { CommandReceiptResponse } from '../http/command-receipt.response';

/** Answer of a team command. */
export class TeamCommandResponse extends CommandReceiptResponse {
  @ApiProperty({ example: 'emea-enterprise' }) teamId: string;
}

export class OpenLeadsResponse {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'assigned leads still lead, MQL, SQL or opportunity' }) count: number;
  @ApiProperty({ type: [String], nullable: true, description: 'their ids; null for a rep looking at another member' }) leadIds: string[] | null;
}

export class TeamMemberResponse {
  @ApiProperty({ example: 'rep-7' }) ownerId: string;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, description: 'open leads at once; null: no limit' }) capacity: number | null;
  @ApiProperty({ type: 'integer', minimum: 1 }) weight: number;
  @ApiProperty() available: boolean;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'when an away member is back' }) until: string | null;
  @ApiProperty({ type: OpenLeadsResponse, description: 'as far as the routing reaction has come' }) openLeads: OpenLeadsResponse;
}

/** A team as `GET /v1/teams/:teamId` shows it. */
export class TeamResponse {
  @ApiProperty({ example: 'emea-enterprise' }) teamId: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: [TeamMemberResponse], description: 'in the order they joined (the round-robin order)' }) members: TeamMemberResponse[];
}

export class QueuedLeadResponse {
  @ApiProperty({ format: 'uuid' }) leadId: string;
  @ApiProperty({ enum: ['no_matching_rule', 'no_eligible_member', 'sla_exhausted', 'owner_unavailable'] }) reason: string;
  @ApiProperty({ format: 'date-time', description: 'since when it waits' }) since: string;
  @ApiProperty({ type: 'string', nullable: true }) ruleId: string | null;
  @ApiProperty({ type: 'string', nullable: true }) teamId: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'set when it waits after a breached SLA (sla_exhausted)' }) ownerId: string | null;
}

export class QueueResponse {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'events in the store the routing reaction has yet to handle (0: the queue is current)' }) eventsBehind: number;
  @ApiProperty({ type: [QueuedLeadResponse], description: 'oldest first' }) items: QueuedLeadResponse[];
}
