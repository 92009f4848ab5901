import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';

/** Settings that fail validation: the area (engine, http, projections…) and one message per wrong setting. */
export class ConfigurationError extends Error {
  constructor(
    readonly area: string,
    readonly problems: string[],
  ) {
    super(`invalid ${area} configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/** Turns a plain object (environment, parsed file) into a validated config class, one message per wrong setting. */
export function validateConfig<T extends object>(area: string, cls: new () => T, plain: Record<string, unknown>): T {
  const instance = plainToInstance(cls, plain, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(instance, { whitelist: false, forbidUnknownValues: false });
  if (errors.length) throw new ConfigurationError(area, flatten(errors));
  return instance;
}

/**
 * The settings a config class declares (its validated properties, so each name is written once, in the
 * class), taken from the environment. Unset and empty variables are left out, so the defaults apply.
 */
export function settingsFromEnv(cls: new () => object, env: NodeJS.ProcessEnv): Record<string, unknown> {
  return pick(env, settingNames(cls));
}

/** The names of the settings a config class declares: every property with a validation decorator. */
export function settingNames(cls: new () => object): string[] {
  const validated = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).map((m) => m.propertyName);
  return [...new Set(validated)];
}

/** The variables named by `keys` that are set to something. */
export function pick(env: NodeJS.ProcessEnv, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message} (got ${JSON.stringify(error.value)})`);
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
