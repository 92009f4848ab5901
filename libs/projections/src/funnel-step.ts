import { FUNNEL_STAGES } from './lead-stage-transitions';

/** Where a lead stands in the funnel, as both read-model stores keep it. */
export interface FunnelStanding {
  readonly strict_path: number;
  readonly last_main_index: number;
}

/** What entering `next` does to a lead's funnel row: the decision both stores (SQLite, PostgreSQL) apply alike. */
export interface FunnelStep {
  readonly isMain: boolean;
  /** Whether the lead is still on the strict path after this step (every earlier stage, in order). */
  readonly strict: boolean;
  readonly lastMainIndex: number;
}

export function funnelStep(row: FunnelStanding, next: string): FunnelStep {
  const mainIndex = (FUNNEL_STAGES as readonly string[]).indexOf(next);
  const isMain = mainIndex >= 0;
  const strict = row.strict_path === 1 && isMain && mainIndex === row.last_main_index + 1;
  return { isMain, strict, lastMainIndex: isMain ? mainIndex : row.last_main_index };
}
