import { checkLifecycleConfig, DEFAULT_LIFECYCLE_CONFIG, type LifecycleConfig } from '@lead-lifecycle/domain';

/** The host's own activity type: a partner's webinar, worth more than the built-in webinar_attended. */
export const PARTNER_WEBINAR = 'partner_webinar_attended';
export const PARTNER_WEBINAR_POINTS = 40;

/** The host's own fit rule: its buyers are platform engineers, checked before the built-in job title rules. */
export const PLATFORM_ENGINEER_RULE = { pattern: '\\bplatform engineer(ing)?\\b', points: 25, label: 'platform engineer' } as const;

/**
 * The host's own stages: newsletter subscribers before they are leads, and evangelists after they are
 * customers. Leads move through them one stage at a time, forward only (AdvanceLeadStageCommand).
 */
export const HOST_STAGES = { beforeLead: ['subscriber'], afterCustomer: ['evangelist'] } as const;

/**
 * The lifecycle rules of this host: the engine's defaults plus a custom activity type with its points,
 * a custom job title scoring rule and the host's own stages before lead and after customer, validated by the engine's own schema (a wrong setting fails at
 * start, with the engine's message).
 */
export function hostLifecycleRules(base: LifecycleConfig = DEFAULT_LIFECYCLE_CONFIG): LifecycleConfig {
  const rules = {
    ...base,
    scoring: {
      ...base.scoring,
      fit: { ...base.scoring.fit, jobTitle: [PLATFORM_ENGINEER_RULE, ...base.scoring.fit.jobTitle] },
      engagement: { ...base.scoring.engagement, activities: { ...base.scoring.engagement.activities, [PARTNER_WEBINAR]: PARTNER_WEBINAR_POINTS } },
    },
    stages: { beforeLead: [...HOST_STAGES.beforeLead], afterCustomer: [...HOST_STAGES.afterCustomer] },
  };
  const checked = checkLifecycleConfig(rules);
  if (!checked.ok) throw new Error(`host lifecycle rules: ${checked.problems.join('; ')}`);
  return checked.value;
}
