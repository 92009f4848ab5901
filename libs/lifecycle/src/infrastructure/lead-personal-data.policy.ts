import { type LeadEventType } from '@lead-lifecycle/domain';
import type { PersonalDataPolicy } from '@lead-lifecycle/eventing';

/**
 * The lead events that carry the lead's contact (name, email, phone: personal data). LeadEnriched is not
 * one: its attributes are company-level, like LeadCaptured's `company`, and it records no contact or email domain.
 */
const CONTACT_EVENTS: readonly LeadEventType[] = ['LeadCaptured', 'LeadRecaptured'];

/**
 * The lifecycle's personal data: the `contact` of the lead events that carry one, encrypted with the
 * key of the lead it belongs to (`leadId`), which ForgetLead destroys. An erased contact reads as
 * `{ erased: true }`, the form the lead's state gives an erased contact too.
 */
export const LEAD_PERSONAL_DATA_POLICY: PersonalDataPolicy = {
  rules: [{ eventTypes: CONTACT_EVENTS, fields: ['contact'], subjectField: 'leadId', erased: { erased: true } }],
};
