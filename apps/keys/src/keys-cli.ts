import { parseArgs } from 'node:util';
import { type Clock, InvalidCommandError, systemClock } from '@lead-lifecycle/domain';
import type { ApiKeyRecord } from '@lead-lifecycle/identity/api-key';
import type { ApiKeyStore } from '@lead-lifecycle/identity/api-key.store';
import { IDENTITY_DB_FILE_NAME } from '@lead-lifecycle/identity/identity-files';
import { openApiKeyStore } from '@lead-lifecycle/identity/open-api-key-store';
import { PostgresConfig } from '@lead-lifecycle/eventing/postgres/postgres.config';
import { EngineConfig } from '@lead-lifecycle/lifecycle/config/engine.config';
import { ConfigurationError } from '@lead-lifecycle/lifecycle/config/validate-config';

export const USAGE = `Lead Lifecycle API keys

  npm run keys -- create --tenant <t> --roles <role,role> --name <name> [--owner <ownerId>] [--expires <ISO time>] [--json]
  npm run keys -- list [--tenant <t>] [--json]
  npm run keys -- revoke <keyId>

Works on DATA_DIR/${IDENTITY_DB_FILE_NAME} (or --data-dir), or on PostgreSQL when DATABASE_URL is set. A created key is printed this once; only its hash is kept.
Roles: admin, manager, rep (needs --owner), marketing, auditor, privacy_officer, capture.
Exit codes: 0 ok, 1 unknown key, 2 usage, configuration or validation error.`;

const options = {
  tenant: { type: 'string' },
  roles: { type: 'string' },
  name: { type: 'string' },
  owner: { type: 'string' },
  expires: { type: 'string' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean' },
} as const;

export interface CliOutput {
  log(line: string): void;
  error(line: string): void;
}

class UsageError extends Error {}

/** The keys CLI as a function, so tests run it in-process: returns the exit code. */
export async function runKeysCli(argv: string[], env: NodeJS.ProcessEnv, out: CliOutput, clock: Clock = systemClock): Promise<number> {
  let store: ApiKeyStore | undefined;
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    const [command, target] = positionals;
    if (values.help || !command) {
      out.log(USAGE);
      return command || values.help ? 0 : 2;
    }
    const engine = EngineConfig.fromEnv({ ...env, ...(values['data-dir'] ? { DATA_DIR: values['data-dir'] } : {}) });
    // With DATABASE_URL, the keys every API instance shares; else the data folder's identity.sqlite.
    store = await openApiKeyStore(engine.DATA_DIR, PostgresConfig.fromEnv(env), 'lead-lifecycle keys-cli');
    switch (command) {
      case 'create': {
        const created = await store.create(
          {
            tenantId: required(values.tenant, '--tenant'),
            roles: required(values.roles, '--roles').split(',').map((r) => r.trim()).filter(Boolean),
            name: required(values.name, '--name'),
            ...(values.owner !== undefined ? { ownerId: values.owner } : {}),
            ...(values.expires !== undefined ? { expiresAt: values.expires } : {}),
          },
          clock.now(),
        );
        if (values.json) out.log(JSON.stringify(created));
        else {
          out.log(created.key);
          out.log(`key id ${created.keyId}, tenant ${created.tenantId}, roles ${created.roles.join(',')}${created.expiresAt ? `, expires ${created.expiresAt}` : ''}`);
          out.log('The key is shown this once; only its hash is kept.');
        }
        return 0;
      }
      case 'list': {
        const keys = await store.list(values.tenant);
        if (values.json) out.log(JSON.stringify(keys));
        else for (const key of keys) out.log(describe(key));
        return 0;
      }
      case 'revoke': {
        const keyId = required(target, '<keyId>');
        if (!(await store.revoke(keyId, clock.now()))) {
          out.error(`no API key ${keyId}`);
          return 1;
        }
        out.log(`revoked ${keyId}`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof InvalidCommandError) {
      for (const p of error.problems) out.error(`${p.field}: ${p.reason}`);
      return 2;
    }
    if (error instanceof UsageError || error instanceof ConfigurationError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      out.error((error as Error).message);
      out.error(USAGE);
      return 2;
    }
    throw error;
  } finally {
    await store?.close();
  }
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new UsageError(`${what} is required`);
  return value;
}

function describe(key: ApiKeyRecord): string {
  const state = key.revokedAt ? `revoked ${key.revokedAt}` : key.expiresAt ? `expires ${key.expiresAt}` : 'active';
  return [key.keyId, key.tenantId, key.roles.join(','), JSON.stringify(key.name), key.ownerId ?? '-', state, `last used ${key.lastUsedAt ?? 'never'}`].join('  ');
}
