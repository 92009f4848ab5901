import { FUNNEL_STAGES, SIDE_STAGES } from './lead-stage-transitions';

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

/**
 * A host's own stage (lifecycleConfig.stages: before `lead`, after `customer`) is on the path too: it
 * neither breaks the strict path nor moves the main index. A lead captured before `lead` starts at main
 * index -1, so its step into `lead` is in order.
 */
export function funnelStep(row: FunnelStanding, next: string): FunnelStep {
  if (!isBuiltInStage(next)) return { isMain: false, strict: row.strict_path === 1, lastMainIndex: row.last_main_index };
  const mainIndex = (FUNNEL_STAGES as readonly string[]).indexOf(next);
  const isMain = mainIndex >= 0;
  const strict = row.strict_path === 1 && isMain && mainIndex === row.last_main_index + 1;
  return { isMain, strict, lastMainIndex: isMain ? mainIndex : row.last_main_index };
}

/** Whether the read models keep `stage` in columns of its own (the built-in stages) rather than by name (a host's stages). */
export function isBuiltInStage(stage: string): boolean {
  return (FUNNEL_STAGES as readonly string[]).includes(stage) || (SIDE_STAGES as readonly string[]).includes(stage);
}
