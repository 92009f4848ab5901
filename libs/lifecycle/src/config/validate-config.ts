import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

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

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message} (got ${JSON.stringify(error.value)})`);
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
