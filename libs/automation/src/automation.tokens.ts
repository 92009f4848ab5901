/** The AutomationContext of this process (see automation-part.ts). */
export const AUTOMATION_CONTEXT = Symbol('AUTOMATION_CONTEXT');
/** The SweepScheduler that runs this process's deadline sweepers. */
export const AUTOMATION_SWEEPS = Symbol('AUTOMATION_SWEEPS');
