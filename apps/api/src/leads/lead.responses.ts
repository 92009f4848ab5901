import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNELS, DISQUALIFICATION_REASONS, LEAD_STAGES } from '@lead-lifecycle/domain';
import { CommandReceiptResponse, POSITION_PATTERN } from '../http/command-receipt.response';
import { ApiOpenObject } from '../http/open-object.decorator';

const TEMPERATURES = ['cold', 'warm', 'hot'];
const OPPORTUNITY_STATUSES = ['open', 'won', 'lost'];

/** Answer of a command on a lead. */
export class LeadCommandResponse extends CommandReceiptResponse {
  @ApiProperty({ format: 'uuid' }) leadId: string;
}

/** Answer of a capture that matched an existing lead: the capture was recorded on it as LeadRecaptured. */
export class LeadRecapturedResponse extends LeadCommandResponse {
  @ApiProperty({ enum: [true], description: 'always true: the capture matched this existing lead' }) deduplicated: true;
}

/** The answer of a capture by a caller that may not read leads: no lead id, no word on whether the person was known. */
export class CaptureAcceptedResponse {
  @ApiProperty({ enum: [true], description: 'always true: the capture was recorded' }) accepted: true;
}

export class OpportunityOpenedResponse extends LeadCommandResponse {
  @ApiProperty({ format: 'uuid', description: 'the new opportunity' }) opportunityId: string;
}

export class ScoreResponse {
  @ApiProperty({ example: 55 }) total: number;
  @ApiProperty({ example: 40, description: 'points for who the lead is (title, company, email domain)' }) fit: number;
  @ApiProperty({ example: 15, description: 'points for what the lead did, decayed over time' }) engagement: number;
}

export class ContactResponse {
  @ApiPropertyOptional({ example: 'ada@example.com', description: 'normalised: trimmed, lower case' }) email?: string;
  @ApiPropertyOptional({ example: '+442079460958', description: 'normalised to E.164' }) phone?: string;
  @ApiPropertyOptional() firstName?: string;
  @ApiPropertyOptional() lastName?: string;
  @ApiPropertyOptional({ enum: [true], description: 'present, alone, once the personal data was erased' }) erased?: true;
}

export class CompanyResponse {
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'employees' }) size?: number;
  @ApiPropertyOptional({ example: 'software' }) industry?: string;
  @ApiPropertyOptional({ example: 'GB', description: 'ISO 3166-1 alpha-2' }) country?: string;
}

export class SourceResponse {
  @ApiProperty({ enum: CHANNELS }) channel: string;
  @ApiPropertyOptional() campaign?: string;
  @ApiPropertyOptional({ minimum: 0, description: 'cost of acquiring this lead' }) cost?: number;
}

/** The host's enrichment at capture (LeadEnriched), as recorded. */
export class EnrichmentResponse {
  @ApiProperty({ example: 'firmographics-directory', description: 'who answered the lookup' }) source: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: { industry: 'software', employees: 420 },
    description: 'company-level facts, flat plain values',
  })
  attributes: Record<string, string | number | boolean>;
  @ApiProperty({ format: 'date-time', description: 'when the lookup answered' }) enrichedAt: string;
}

export class BantCriterionResponse {
  @ApiProperty() met: boolean;
  @ApiPropertyOptional() note?: string;
}

export class BantResponse {
  @ApiProperty({ type: BantCriterionResponse }) budget: BantCriterionResponse;
  @ApiProperty({ type: BantCriterionResponse }) authority: BantCriterionResponse;
  @ApiProperty({ type: BantCriterionResponse }) need: BantCriterionResponse;
  @ApiProperty({ type: BantCriterionResponse }) timeline: BantCriterionResponse;
}

export class DisqualificationResponse {
  @ApiProperty({ enum: DISQUALIFICATION_REASONS }) reason: string;
  @ApiPropertyOptional() note?: string;
  @ApiProperty({ enum: LEAD_STAGES, description: 'the stage the lead was disqualified from' }) fromStage: string;
}

/** A lead as `GET /v1/leads/:id` shows it (see `leadView`): now, or as of a past moment. */
export class LeadResponse {
  @ApiProperty({ format: 'uuid' }) leadId: string;
  @ApiProperty({ example: 'default' }) tenantId: string;
  @ApiProperty({ example: 'mql', description: `a built-in stage (${LEAD_STAGES.join(', ')}) or one of the configured stages before lead and after customer` }) stage: string;
  @ApiProperty({ type: ScoreResponse }) score: ScoreResponse;
  @ApiProperty({ enum: TEMPERATURES }) temperature: string;
  @ApiProperty({ type: 'string', nullable: true, example: 'rep-7' }) ownerId: string | null;
  @ApiProperty({ type: BantResponse, nullable: true, description: 'the assessment the lead was promoted to SQL with' }) bant: BantResponse | null;
  @ApiProperty({ type: 'string', nullable: true }) qualifiedBy: string | null;
  @ApiProperty({ type: 'string', format: 'uuid', isArray: true }) opportunityIds: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', enum: OPPORTUNITY_STATUSES },
    description: 'status of each of its opportunities, by opportunity id',
  })
  opportunities: Record<string, string>;
  @ApiProperty({ type: ContactResponse, description: 'personal data (encrypted at rest)' }) contact: ContactResponse;
  @ApiProperty({ type: 'string', nullable: true }) externalId: string | null;
  @ApiProperty({ type: 'string', nullable: true }) jobTitle: string | null;
  @ApiProperty({ type: CompanyResponse, nullable: true }) company: CompanyResponse | null;
  @ApiProperty({ type: SourceResponse }) source: SourceResponse;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'free attributes given at capture' }) attributes: Record<string, unknown>;
  @ApiProperty({ type: EnrichmentResponse, nullable: true, description: 'what the host’s enrichment hook found at capture; null without one' })
  enrichment: EnrichmentResponse | null;
  @ApiProperty({ format: 'date-time' }) capturedAt: string;
  @ApiProperty({ format: 'date-time' }) stageEnteredAt: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) lastActivityAt: string | null;
  @ApiProperty({ type: [String], description: 'why the fit score is what it is' }) fitReasons: string[];
  @ApiProperty({ type: 'integer', minimum: 0, description: 'captures that matched this lead after the first' }) recaptures: number;
  @ApiPropertyOptional({ type: DisqualificationResponse, description: 'only in stage disqualified' }) disqualification?: DisqualificationResponse;
  @ApiPropertyOptional({ format: 'date-time', description: 'only in stage customer' }) convertedAt?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'only in stage customer' }) wonOpportunityId?: string;
  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'only in stage nurturing' }) recycleReason?: string | null;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, description: 'stream revision the view was folded up to' }) revision: number | null;
}

export class StageTransitionResponse {
  @ApiProperty({ enum: ['none', ...LEAD_STAGES], description: '"none" before the capture' }) before: string;
  @ApiProperty({ enum: ['none', ...LEAD_STAGES] }) after: string;
}

export class ScoreTransitionResponse {
  @ApiProperty() before: number;
  @ApiProperty() after: number;
}

export class OpportunityStatusTransitionResponse {
  @ApiProperty({ enum: ['none', ...OPPORTUNITY_STATUSES], description: '"none" before the opportunity was opened' }) before: string;
  @ApiProperty({ enum: ['none', ...OPPORTUNITY_STATUSES] }) after: string;
}

export class OpportunityStageTransitionResponse {
  @ApiProperty({ type: 'string', nullable: true, description: 'null before the opportunity was opened' }) before: string | null;
  @ApiProperty({ type: 'string', nullable: true }) after: string | null;
}

/** What an event changed; each part only when it changed. */
export class TransitionResponse {
  @ApiPropertyOptional({ type: StageTransitionResponse }) stage?: StageTransitionResponse;
  @ApiPropertyOptional({ type: ScoreTransitionResponse, description: 'total score' }) score?: ScoreTransitionResponse;
  @ApiPropertyOptional({ type: OpportunityStatusTransitionResponse }) opportunityStatus?: OpportunityStatusTransitionResponse;
  @ApiPropertyOptional({ type: OpportunityStageTransitionResponse, description: 'pipeline stage' }) opportunityStage?: OpportunityStageTransitionResponse;
}

export class IntegrityResponse {
  @ApiProperty({ example: 'sha256-chain-v1' }) alg: string;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: 'hash of the previous event of the stream; 64 zeros for the first' }) previousHash: string;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$' }) hash: string;
}

/** Who, when and why; open: adapters and later versions may add keys. */
@ApiOpenObject()
export class EventMetadataResponse {
  @ApiProperty() tenantId: string;
  @ApiProperty({ format: 'date-time', description: 'business time: when it happened in the world' }) occurredAt: string;
  @ApiProperty({ format: 'date-time', description: 'when the store wrote it' }) recordedAt: string;
  @ApiProperty({ description: 'the authenticated principal: `apikey:<keyId>`, `jwt:<issuer>#<subject>`, or the reaction that wrote it' }) actor: string;
  @ApiPropertyOptional({ description: "the API key's name or the token's name claim" }) actorName?: string;
  @ApiPropertyOptional({ description: 'the X-Actor the caller sent: whom it says it acted for, a claim, not the actor' }) onBehalfOf?: string;
  @ApiProperty({ description: 'X-Correlation-Id of the request' }) correlationId: string;
  @ApiProperty({ description: 'the request, or the event a reaction answered' }) causationId: string;
  @ApiPropertyOptional({ example: 'CaptureLead' }) command?: string;
  @ApiPropertyOptional({ type: IntegrityResponse, description: 'the hash-chain seal of lead and opportunity events' }) integrity?: IntegrityResponse;
}

/** One event of a lead's history. */
export class HistoryEntryResponse {
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty({ example: 'LeadCaptured' }) type: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) schemaVersion: number;
  @ApiProperty({ example: 'lead-0b6c8a52-3f0e-4c55-9a39-27c1c8f5e7d1', description: '`lead-<leadId>` or `opportunity-<opportunityId>`' }) streamId: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) revision: number;
  @ApiProperty({ pattern: POSITION_PATTERN }) position: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: "the event's payload (schemas/events)" }) data: Record<string, unknown>;
  @ApiProperty({ type: EventMetadataResponse }) metadata: EventMetadataResponse;
  @ApiProperty({ type: TransitionResponse }) transition: TransitionResponse;
}

export class LeadHistoryResponse {
  @ApiProperty({ format: 'uuid' }) leadId: string;
  @ApiProperty() tenantId: string;
  @ApiProperty({ type: [HistoryEntryResponse], description: "the lead's events and its opportunities', in global order" }) events: HistoryEntryResponse[];
}

export class BrokenLinkResponse {
  @ApiProperty() streamId: string;
  @ApiProperty({ description: 'stream revision, as text' }) revision: string;
  @ApiProperty({ pattern: POSITION_PATTERN }) position: string;
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty() type: string;
  @ApiProperty({ enum: ['hash-mismatch', 'previous-hash-mismatch', 'unsealed'] }) problem: string;
  @ApiProperty() detail: string;
}

export class StreamVerdictResponse {
  @ApiProperty() streamId: string;
  @ApiProperty({ minimum: 0 }) events: number;
  @ApiProperty({ enum: ['verified', 'broken', 'unsealed'] }) status: string;
  @ApiPropertyOptional({ type: BrokenLinkResponse, description: 'the first link that does not hold' }) firstProblem?: BrokenLinkResponse;
  @ApiProperty({ minimum: 0, description: 'events written before the chain existed (never counted as verified)' }) unsealedEvents: number;
}

export class LeadIntegrityResponse {
  @ApiProperty({ format: 'uuid' }) leadId: string;
  @ApiProperty({ type: [String], description: "the streams checked: the lead's, then its opportunities'" }) streamIds: string[];
  @ApiProperty({ minimum: 0 }) streams: number;
  @ApiProperty({ minimum: 0 }) events: number;
  @ApiProperty({ minimum: 0, description: 'streams whose every event is sealed and chained' }) verified: number;
  @ApiProperty({ type: [StreamVerdictResponse] }) broken: StreamVerdictResponse[];
  @ApiProperty({ type: [StreamVerdictResponse] }) unsealed: StreamVerdictResponse[];
  @ApiProperty({ description: 'true when every stream is verified' }) ok: boolean;
}
