/**
 * Which parts of which events are personal data, and whose: the encrypting store seals each named
 * field with the key of the data subject the payload names, so that destroying that subject's keys
 * erases the data from every copy of the log. The store knows nothing else about the events; the
 * application that owns them supplies the policy (the lifecycle's: LEAD_PERSONAL_DATA_POLICY).
 */
export interface PersonalDataPolicy {
  readonly rules: readonly PersonalDataRule[];
}

export interface PersonalDataRule {
  /** The event types whose payload holds the fields; every type when absent. */
  readonly eventTypes?: readonly string[];
  /** Top-level payload fields that are personal data; each is encrypted as a whole. */
  readonly fields: readonly string[];
  /** The payload field that names the data subject (a string id) whose key encrypts the fields. */
  readonly subjectField: string;
  /** What readers see in place of a field whose key was destroyed; ERASED_PERSONAL_DATA when absent. */
  readonly erased?: unknown;
}

/** What a reader sees, by default, in place of personal data whose key was destroyed. */
export const ERASED_PERSONAL_DATA = Object.freeze({ erased: true as const });

/** The rules that apply to each event type, looked up once per type. */
export class PersonalDataRules {
  private readonly byType = new Map<string, readonly PersonalDataRule[]>();

  constructor(private readonly policy: PersonalDataPolicy) {}

  of(type: string): readonly PersonalDataRule[] {
    let rules = this.byType.get(type);
    if (!rules) {
      rules = this.policy.rules.filter((rule) => !rule.eventTypes || rule.eventTypes.includes(type));
      this.byType.set(type, rules);
    }
    return rules;
  }
}
