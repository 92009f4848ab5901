import { readFileSync } from 'node:fs';
import { checkLifecycleConfig, DEFAULT_LIFECYCLE_CONFIG, type LifecycleConfig } from '@lead-lifecycle/domain';
import { ConfigurationError } from './validate-config';

/**
 * Reads the lifecycle rules: the built-in defaults, overridden by the JSON file at `path` if given.
 * Objects merge key by key; arrays and values replace. Throws one message per wrong setting.
 */
export function loadLifecycleConfig(path?: string): LifecycleConfig {
  let overrides: unknown = {};
  if (path) {
    try {
      overrides = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new ConfigurationError('lifecycle', [`LIFECYCLE_CONFIG: cannot read ${path}: ${(error as Error).message}`]);
    }
    if (!isPlainObject(overrides)) throw new ConfigurationError('lifecycle', [`LIFECYCLE_CONFIG: ${path} must hold a JSON object`]);
  }
  const checked = checkLifecycleConfig(deepMerge(DEFAULT_LIFECYCLE_CONFIG, overrides));
  if (!checked.ok) throw new ConfigurationError('lifecycle', checked.problems);
  return checked.value;
}

function deepMerge(base: object, override: unknown): unknown {
  if (!isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
