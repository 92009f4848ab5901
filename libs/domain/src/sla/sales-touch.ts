import { type LifecycleConfig } from '../config/lifecycle-config';

/**
 * Whether an activity type is a sales touch (a call, an email, a meeting by the owner's side), as
 * `sla.touchTypes` lists them. Touches are configured apart from marketing engagement: they are
 * accepted by the activities route even when `scoring.engagement.activities` does not name them.
 */
export function isSalesTouch(activityType: string, config: LifecycleConfig): boolean {
  return config.sla.touchTypes.includes(activityType);
}

/**
 * Engagement points of a sales touch: what `sla.touchPoints` gives it, else none. Undefined when the
 * type is not a sales touch at all.
 */
export function salesTouchPoints(activityType: string, config: LifecycleConfig): number | undefined {
  if (!isSalesTouch(activityType, config)) return undefined;
  return Object.hasOwn(config.sla.touchPoints, activityType) ? config.sla.touchPoints[activityType] : 0;
}
