import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { durationMs } from '@lead-lifecycle/domain';
import { loadLifecycleConfig } from '@lead-lifecycle/lifecycle';

/** The example configuration of the README's "Aging and decay" subsection, as a file the engine loads. */
function readmeExample(): string {
  const readme = readFileSync(resolve(__dirname, '../../../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Aging and decay'));
  const match = /```json\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('no JSON example under "### Aging and decay"');
  return match[1];
}

describe('the README example of aging and decay', () => {
  it('is a complete, valid LIFECYCLE_CONFIG with every aging setting, its durations in seconds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aging-example-'));
    try {
      const file = join(dir, 'lifecycle.json');
      writeFileSync(file, readmeExample());
      const { aging, sla } = loadLifecycleConfig(file);
      expect(Object.keys(aging).sort()).toEqual(['decay', 'recycleClosed', 'recycleStaleMqlAfter', 'reentryCoolOff', 'stalledAfter']);
      const durations = [...Object.values(aging.stalledAfter), aging.recycleStaleMqlAfter!, aging.decay.every, aging.reentryCoolOff, aging.recycleClosed!.after];
      for (const duration of durations) expect(duration).toMatch(/^PT\d+S$/);
      expect(durations.map(durationMs).every((ms) => ms > 0 && ms <= 600_000)).toBe(true);
      expect(sla.touchTypes).toEqual(['call_logged', 'email_sent', 'meeting_held']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
