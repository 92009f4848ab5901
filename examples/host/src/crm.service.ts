import { Inject, Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { GlobalPosition } from '@lead-lifecycle/eventing';
import {
  AdvanceLeadStageCommand,
  CaptureLeadCommand,
  type CaptureLeadInput,
  commandContextOf,
  type CaptureLeadResult,
  type CommandResult,
  GetLeadHistoryQuery,
  GetLeadQuery,
  type LeadHistory,
  type LeadView,
  RecordEngagementCommand,
} from '@lead-lifecycle/lifecycle';
import { type FunnelReport, GetFunnelQuery } from '@lead-lifecycle/projections';
import { HostAuthenticator } from './host-authenticator';
import { HOST_STAGES } from './host-lifecycle.rules';

/**
 * The host's own service over the engine, in process: every call names the caller's token, the host
 * resolves it into a principal (its tenant is the only one the call reaches), and the engine's command
 * and query buses do the rest. No HTTP API of the engine.
 */
@Injectable()
export class CrmService {
  constructor(
    @Inject(HostAuthenticator) private readonly auth: HostAuthenticator,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  async captureLead(token: string | undefined, input: CaptureLeadInput): Promise<CaptureLeadResult> {
    const principal = this.auth.authenticate(token, 'sales');
    return this.commands.execute(new CaptureLeadCommand(input, commandContextOf(principal, 'CaptureLead')));
  }

  async recordActivity(token: string | undefined, leadId: string, activityType: string, occurredAt: string, properties?: Record<string, unknown>): Promise<CommandResult> {
    const principal = this.auth.authenticate(token, 'sales');
    return this.commands.execute(new RecordEngagementCommand(leadId, { activityType, occurredAt, properties }, commandContextOf(principal, 'RecordEngagement')));
  }

  /** One stage forward through the host's stages (HOST_STAGES): subscriber into lead, customer to evangelist. */
  async advanceStage(token: string | undefined, leadId: string, to: string, occurredAt: string): Promise<CommandResult> {
    const principal = this.auth.authenticate(token, 'sales');
    return this.commands.execute(new AdvanceLeadStageCommand(leadId, { to, occurredAt }, commandContextOf(principal, 'AdvanceLeadStage')));
  }

  async lead(token: string | undefined, leadId: string): Promise<LeadView> {
    const { tenantId } = this.auth.authenticate(token, 'viewer');
    return this.queries.execute(new GetLeadQuery(tenantId, leadId));
  }

  async history(token: string | undefined, leadId: string): Promise<LeadHistory> {
    const { tenantId } = this.auth.authenticate(token, 'viewer');
    return this.queries.execute(new GetLeadHistoryQuery(tenantId, leadId));
  }

  /** The caller's workspace funnel; `after` (a command's position) waits until the read model has it. */
  async funnel(token: string | undefined, after?: GlobalPosition): Promise<FunnelReport> {
    const { tenantId } = this.auth.authenticate(token, 'viewer');
    // The host's stages are counted beside the built-in ones.
    return this.queries.execute(new GetFunnelQuery({ tenantId, minPosition: after }, { stages: HOST_STAGES }));
  }
}
