/**
 * The config helpers live in the eventing library (libs/eventing/src/config/validate-config.ts), so the
 * projections and the relay can validate their settings without importing the command library. This
 * file keeps the lifecycle library's index and its deep import path (`@lead-lifecycle/lifecycle/config/validate-config`) working.
 */
export { ConfigurationError, pick, settingNames, settingsFromEnv, validateConfig } from '@lead-lifecycle/eventing';
