import type { AutomationPart } from './automation-part';
import { AGING_PART } from './aging/aging.part';
import { ROUTING_PART } from './routing/routing.part';
import { SLA_PART } from './sla/sla.part';

/** Every area of the automation, in the order their reactions are registered. */
export const AUTOMATION_PARTS: readonly AutomationPart[] = [ROUTING_PART, SLA_PART, AGING_PART];
