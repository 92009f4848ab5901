import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  CaptureLead,
  decideLead,
  identitiesOf,
  initialLeadState,
  leadStreamId,
  LifecycleConfig,
  normaliseContact,
} from '@lead-lifecycle/domain';
import { CommandContext } from '../infrastructure/command-context';
import { LeadIdentityRegistry } from '../infrastructure/lead-identity.registry';
import { LeadRepository, requireLeadOfTenant } from '../infrastructure/repositories';
import { ENGINE_CONFIG, LIFECYCLE_CONFIG } from '../lifecycle.tokens';
import { EngineConfig } from '../config/engine.config';
import { BusinessTimeGuard } from './business-time.guard';
import { CommandResult, resultOf } from './command-result';

export type CaptureLeadInput = Omit<CaptureLead, 'type' | 'leadId' | 'tenantId' | 'matchedOn'>;

export interface CaptureLeadResult extends CommandResult {
  readonly leadId: string;
  /** True when the capture matched an existing lead and was recorded on it as LeadRecaptured. */
  readonly deduplicated: boolean;
}

export class CaptureLeadCommand extends Command<CaptureLeadResult> {
  constructor(
    readonly input: CaptureLeadInput,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Captures a lead, or records the capture on the lead that already owns its email, phone or
 * external id. Identities are reserved in the store before the lead is written (see LeadIdentityRegistry).
 */
@CommandHandler(CaptureLeadCommand)
export class CaptureLeadHandler implements ICommandHandler<CaptureLeadCommand, CaptureLeadResult> {
  @Inject(BusinessTimeGuard) private readonly businessTime: BusinessTimeGuard;
  constructor(
    private readonly leads: LeadRepository,
    private readonly identities: LeadIdentityRegistry,
    @Inject(LIFECYCLE_CONFIG) private readonly config: LifecycleConfig,
    @Inject(ENGINE_CONFIG) private readonly engine: EngineConfig,
  ) {}

  async execute({ input, context }: CaptureLeadCommand): Promise<CaptureLeadResult> {
    this.businessTime.check(input);
    const ctx = { ...context, command: 'CaptureLead' };
    const tenantId = context.tenantId;
    const proposed: CaptureLead = { ...input, type: 'CaptureLead', leadId: randomUUID(), tenantId };
    // Refuse bad input before anything is written, identity reservations included.
    decideLead(proposed, initialLeadState, this.config);
    const contact = normaliseContact(input.contact, this.config.phone.defaultCountryCode);
    const identities = identitiesOf(contact, input.externalId);

    const known = await this.identities.find(tenantId, identities);
    const owner = known ?? (await this.identities.reserve(tenantId, identities, proposed.leadId, input.occurredAt, ctx));
    const leadId = owner.leadId;
    const streamId = leadStreamId(leadId);
    const matchedOn = owner.matchedOn.length ? owner.matchedOn : identities.map((i) => i.kind);

    // One decision covers both outcomes: on an empty stream the lead is created (ours, or one whose
    // capture stopped after reserving), on an existing one the capture is recorded as LeadRecaptured.
    // A concurrent capture that creates the lead first makes the append conflict; the retry recaptures.
    const decided = await this.leads.handle(
      streamId,
      (state) =>
        decideLead(
          { ...proposed, leadId, matchedOn },
          state.stage === 'none' ? state : requireLeadOfTenant(state, tenantId, leadId),
          this.config,
        ),
      ctx,
      { maxRetries: this.engine.COMMAND_MAX_RETRIES },
    );
    const deduplicated = decided.appended[0]?.type === 'LeadRecaptured';
    if (!deduplicated && known) {
      // Completing a half-done capture: reserve the identities it had not reserved yet.
      await this.identities.reserve(tenantId, identities, leadId, input.occurredAt, ctx);
    }
    return { ...resultOf(streamId, decided), leadId, deduplicated };
  }
}
