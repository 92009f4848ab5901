import assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, it } from 'node:test';

/** examples/host (the tests run from dist/test). */
const HOST_ROOT = join(__dirname, '..', '..');
const REPO_ROOT = join(HOST_ROOT, '..', '..');
const PACKAGES = ['domain', 'eventing', 'lifecycle', 'projections', 'automation'];

const versionOf = (manifest: string): string => (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;

void describe('the installed packages', () => {
  for (const name of PACKAGES) {
    void it(`@lead-lifecycle/${name} resolves into the host's node_modules, not the repository's libs`, () => {
      const resolved = realpathSync(require.resolve(`@lead-lifecycle/${name}`));
      assert.ok(resolved.startsWith(join(HOST_ROOT, 'node_modules', '@lead-lifecycle', name) + sep), resolved);
      assert.ok(!resolved.startsWith(join(REPO_ROOT, 'libs') + sep), resolved);
      assert.match(resolved, /dist[/\\]index\.js$/);
    });

    void it(`@lead-lifecycle/${name} is the repository's version and exports its barrel only`, () => {
      const installed = versionOf(require.resolve(`@lead-lifecycle/${name}/package.json`));
      const root = versionOf(join(REPO_ROOT, 'package.json'));
      assert.equal(installed, root);
      assert.throws(() => require.resolve(`@lead-lifecycle/${name}/dist/index.js`), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
    });
  }

  void it('the sibling packages are installed once: the lifecycle package sees the host’s own domain and eventing', () => {
    const lifecycleDir = join(HOST_ROOT, 'node_modules', '@lead-lifecycle', 'lifecycle');
    for (const sibling of ['domain', 'eventing']) {
      const fromLifecycle = require.resolve(`@lead-lifecycle/${sibling}`, { paths: [lifecycleDir] });
      assert.equal(fromLifecycle, require.resolve(`@lead-lifecycle/${sibling}`));
    }
  });

  void it('the automation package sees the host’s own domain, eventing and lifecycle (one ProcessorHost, one EVENT_STORE token)', () => {
    const automationDir = join(HOST_ROOT, 'node_modules', '@lead-lifecycle', 'automation');
    for (const sibling of ['domain', 'eventing', 'lifecycle']) {
      assert.equal(require.resolve(`@lead-lifecycle/${sibling}`, { paths: [automationDir] }), require.resolve(`@lead-lifecycle/${sibling}`));
    }
  });
});
