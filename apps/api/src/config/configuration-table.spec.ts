import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthConfig } from '@lead-lifecycle/identity';
import { KafkaConfig } from '@lead-lifecycle/kafka-relay';
import { EngineConfig, settingNames } from '@lead-lifecycle/lifecycle';
import { ProjectionsConfig } from '@lead-lifecycle/projections';
import { HttpConfig } from './http.config';

/** Every environment variable the API reads, with its default, from the config classes. */
const CONFIG_CLASSES: ReadonlyArray<new () => object> = [EngineConfig, ProjectionsConfig, KafkaConfig, AuthConfig, HttpConfig];

/** A setting's default as the README writes it: every setting is a string, a number or a flag. */
type SettingDefault = string | number | boolean | undefined;

function settingDefault(name: string, value: unknown): SettingDefault {
  if (value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new Error(`${name} has a default of type ${typeof value}, which the README cannot write as one value`);
}

function declaredSettings(): Map<string, SettingDefault> {
  const settings = new Map<string, SettingDefault>();
  for (const cls of CONFIG_CLASSES) {
    const defaults: Record<string, unknown> = { ...new cls() };
    for (const name of settingNames(cls)) {
      expect(settings.has(name)).toBe(false); // one class per setting
      settings.set(name, settingDefault(name, defaults[name]));
    }
  }
  return settings;
}

/** The rows of README.md's tables headed `| variable | default | meaning |`. */
function documentedSettings(): Map<string, string> {
  const lines = readFileSync(join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8').split('\n');
  const rows = new Map<string, string>();
  let inTable = false;
  for (const line of lines) {
    if (/^\| variable \| default \| meaning \|$/.test(line)) inTable = true;
    else if (!line.startsWith('|')) inTable = false;
    const row = inTable && /^\| `([A-Z0-9_]+)` \|([^|]*)\|/.exec(line);
    if (row) {
      expect(rows.has(row[1])).toBe(false); // one row per setting
      rows.set(row[1], row[2].trim());
    }
  }
  return rows;
}

describe('README configuration tables against the config classes', () => {
  const declared = declaredSettings();
  const documented = documentedSettings();

  it('list exactly the settings the config classes declare', () => {
    expect([...documented.keys()].sort()).toEqual([...declared.keys()].sort());
  });

  it('give the defaults the classes have (a backticked value; `…` shortens one; no value for none)', () => {
    for (const [name, cell] of documented) {
      const value = declared.get(name);
      const literal = /^`([^`]*)`$/.exec(cell);
      if (value === undefined) {
        expect({ name, cell: literal ? cell : '' }).toEqual({ name, cell: '' });
      } else if (literal && literal[1].includes('…')) {
        const [head, tail] = literal[1].split('…');
        expect({ name, head: String(value).startsWith(head), tail: String(value).endsWith(tail) }).toEqual({ name, head: true, tail: true });
      } else {
        expect({ name, cell }).toEqual({ name, cell: `\`${String(value)}\`` });
      }
    }
  });
});
