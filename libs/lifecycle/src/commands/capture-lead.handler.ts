import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  CaptureLead,
  Contact,
  decideLead,
  emailDomainOf,
  evolveLead,
  identitiesOf,
  initialLeadState,
  LeadEvent,
  LeadIdentity,
  LeadState,
  leadStreamId,
  LeadDecisionExtensions,
  LeadEnrichment,
  LifecycleConfig,
} from '@lead-lifecycle/domain';
import type { EventStore, GlobalPosition } from '@lead-lifecycle/eventing';
import { CommandContext } from '../infrastructure/command-context';
import { toNewEvents } from '../infrastructure/event-envelope';
import { LeadIdentityRegistry } from '../infrastructure/lead-identity.registry';
import { LeadRepository, requireLeadOfTenant } from '../infrastructure/repositories';
import { assertStorable } from '../infrastructure/storable-events';
import { ENGINE_CONFIG, EVENT_STORE, LEAD_DECISION_EXTENSIONS, LIFECYCLE_CONFIG } from '../lifecycle.tokens';
import { EngineConfig } from '../config/engine.config';
import { CaptureEnricher } from '../extensions/capture-enricher';
import { type IdentityMatch } from '../infrastructure/lead-identity.registry';
import { BusinessTimeGuard } from './business-time.guard';
import { CommandResult, coveringPositions, resultOf } from './command-result';

/** The enrichment is the host hook's answer, never the caller's input. */
export type CaptureLeadInput = Omit<CaptureLead, 'type' | 'leadId' | 'tenantId' | 'matchedOn' | 'enrichment'>;

export interface CaptureLeadResult extends CommandResult {
  readonly leadId: string;
  /** True when the capture matched an existing lead and was recorded on it as LeadRecaptured. */
  readonly deduplicated: boolean;
}

/** How a capture is run beyond its input. */
export interface CaptureLeadOptions {
  /**
   * The id of the lead, if this capture creates one; random when absent. A request that may be retried
   * passes an id derived from its idempotency key: every attempt then creates the same lead, and an
   * attempt that finds that lead already created (an earlier attempt got that far) writes nothing.
   */
  readonly leadId?: string;
}

export class CaptureLeadCommand extends Command<CaptureLeadResult> {
  constructor(
    readonly input: CaptureLeadInput,
    readonly context: CommandContext,
    readonly options: CaptureLeadOptions = {},
  ) {
    super();
  }
}

/**
 * Captures a lead, or records the capture on the lead that already owns its email, phone or
 * external id. Identities are reserved in the store before the lead is written (see LeadIdentityRegistry),
 * so everything that can refuse the capture runs before the first reservation: the decision, the host's
 * enrichment hook (awaited here, since it may do I/O, and handed to the decision as data), and the store's
 * checks on every event the capture may write (the lead's, the recapture's, the reservations).
 */
@CommandHandler(CaptureLeadCommand)
export class CaptureLeadHandler implements ICommandHandler<CaptureLeadCommand, CaptureLeadResult> {
  @Inject(BusinessTimeGuard) private readonly businessTime: BusinessTimeGuard;
  constructor(
    private readonly leads: LeadRepository,
    private readonly identities: LeadIdentityRegistry,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LIFECYCLE_CONFIG) private readonly config: LifecycleConfig,
    @Inject(ENGINE_CONFIG) private readonly engine: EngineConfig,
    @Inject(LEAD_DECISION_EXTENSIONS) private readonly extensions: LeadDecisionExtensions,
    private readonly enricher: CaptureEnricher,
  ) {}

  async execute({ input, context, options }: CaptureLeadCommand): Promise<CaptureLeadResult> {
    this.businessTime.check(input);
    const ctx = { ...context, command: 'CaptureLead' };
    const tenantId = context.tenantId;
    const asked: CaptureLead = { ...input, type: 'CaptureLead', leadId: options.leadId ?? randomUUID(), tenantId };
    // Decided once on an empty stream: it refuses bad input, and normalises the contact (once) for the identities.
    const validated = decideLead(asked, initialLeadState, this.config, this.extensions);
    const contact = capturedContactOf(validated);
    const identities = identitiesOf(contact, input.externalId);
    const known = await this.identities.find(tenantId, identities);
    const enrichment = await this.enrichmentOf(asked, contact, known);
    const proposed: CaptureLead = enrichment ? { ...asked, enrichment } : asked;
    const created = enrichment ? decideLead(proposed, initialLeadState, this.config, this.extensions) : validated;
    this.assertCapturable(proposed, created, identities, ctx);

    const reserved = known ? undefined : await this.identities.reserve(tenantId, identities, proposed.leadId, input.occurredAt, ctx);
    const owner = known ?? reserved!;
    const leadId = owner.leadId;
    const streamId = leadStreamId(leadId);
    const matchedOn = owner.matchedOn.length ? owner.matchedOn : identities.map((i) => i.kind);
    // The lead this very request creates exists already: an earlier attempt of it got that far.
    const retried = (state: LeadState) => state.stage !== 'none' && state.tenantId === tenantId && options.leadId === leadId;

    // One decision covers both outcomes: on an empty stream the lead is created (ours, or one whose
    // capture stopped after reserving), on an existing one the capture is recorded as LeadRecaptured.
    // A concurrent capture that creates the lead first makes the append conflict; the retry recaptures.
    // The lead this capture proposed, on a still empty stream, is exactly the decision made above.
    const decided = await this.leads.handle(
      streamId,
      (state) =>
        retried(state)
          ? []
          : state.stage === 'none' && leadId === proposed.leadId
            ? created
            : decideLead(
                { ...proposed, leadId, matchedOn },
                state.stage === 'none' ? state : requireLeadOfTenant(state, tenantId, leadId),
                this.config,
                this.extensions,
              ),
      ctx,
      { maxRetries: this.engine.COMMAND_MAX_RETRIES },
    );
    const deduplicated = decided.appended[0]?.type === 'LeadRecaptured';
    let completed: GlobalPosition[] = [];
    if (!deduplicated && known) {
      // Completing a half-done capture: reserve the identities it had not reserved yet.
      completed = (await this.identities.reserve(tenantId, identities, leadId, input.occurredAt, ctx)).positions;
    }
    const result = coveringPositions(resultOf(streamId, decided), [...(reserved?.positions ?? []), ...completed]);
    return { ...result, leadId, deduplicated };
  }

  /**
   * The host's enrichment of a capture that creates a lead (undefined without a hook). A capture whose
   * identities belong to a lead already written is recorded on it as LeadRecaptured: nothing to look up.
   * One whose lead was reserved but not written (an earlier attempt stopped there) creates it: looked up.
   */
  private async enrichmentOf(asked: CaptureLead, contact: Contact, known: IdentityMatch | undefined): Promise<LeadEnrichment | undefined> {
    if (!this.enricher.enabled) return undefined;
    const leadId = known?.leadId ?? asked.leadId;
    if (known && (await this.leads.load(leadStreamId(leadId))).state.stage !== 'none') return undefined;
    const { tenantId, jobTitle, company, source } = asked;
    // Frozen copies (the objects are flat): the decision already made holds the originals, and a hook that
    // writes to what it is given must not change what is recorded.
    return this.enricher.enrich({
      tenantId,
      leadId,
      emailDomain: emailDomainOf(contact),
      contact: Object.freeze({ ...contact }),
      jobTitle,
      company: company && Object.freeze({ ...company }),
      source: Object.freeze({ ...source }),
    });
  }

  /**
   * The store's checks on the events of either outcome (a new lead, or the capture recorded on a lead
   * that owns one of its identities) and on the reservations, writing nothing; `created` is the
   * decision on an empty stream, which has refused bad input already.
   */
  private assertCapturable(proposed: CaptureLead, created: LeadEvent[], identities: readonly LeadIdentity[], ctx: CommandContext): void {
    const streamId = leadStreamId(proposed.leadId);
    assertStorable(this.store, streamId, toNewEvents(created, ctx));
    const existing = created.reduce(evolveLead, initialLeadState);
    const recaptured = decideLead({ ...proposed, matchedOn: identities.map((i) => i.kind) }, existing, this.config, this.extensions);
    assertStorable(this.store, streamId, toNewEvents(recaptured, ctx));
    this.identities.assertReservable(proposed.tenantId, identities, proposed.leadId, proposed.occurredAt, ctx);
  }
}

/** The normalised contact of a capture decided on an empty stream (its LeadCaptured). */
function capturedContactOf(created: readonly LeadEvent[]): Contact {
  const [first] = created;
  if (first?.type !== 'LeadCaptured') throw new Error(`a capture on an empty stream decided ${first?.type ?? 'nothing'}`);
  return first.data.contact;
}
