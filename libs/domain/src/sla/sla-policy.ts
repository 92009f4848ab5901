import { type SlaPolicy, type SlaRules } from '../config/sla-config';
import { type SlaTrack } from './sla-track.state';

/** The first policy whose every condition holds for the lead as it is when its owner is assigned. */
export function matchSlaPolicy(rules: SlaRules, lead: Pick<SlaTrack, 'stage' | 'temperature' | 'channel'>): SlaPolicy | undefined {
  return rules.policies.find(
    ({ when }) =>
      (when.stage === undefined || when.stage === lead.stage) &&
      (when.temperature === undefined || when.temperature === lead.temperature) &&
      (when.channel === undefined || when.channel === lead.channel),
  );
}
