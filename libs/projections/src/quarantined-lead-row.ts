import type { QuarantinedLead } from './lead-quarantine';

/** A quarantine row (one per lead: its first held event, with `n` held in all) as the status answers it; SQLite and PostgreSQL store the same columns. */
export function quarantinedLeadFrom(processor: string, r: Record<string, string> & { n: number }): QuarantinedLead {
  return {
    processor,
    tenantId: r.tenant_id,
    leadId: r.lead_id,
    eventId: r.event_id,
    type: r.event_type,
    position: r.position,
    error: r.error,
    since: r.since,
    poisonEvents: r.n,
  };
}
