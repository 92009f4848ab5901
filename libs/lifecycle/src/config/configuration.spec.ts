import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIFECYCLE_CONFIG } from '@lead-lifecycle/domain';
import { EngineConfig } from './engine.config';
import { loadLifecycleConfig } from './lifecycle-config.loader';
import { ConfigurationError, settingNames, settingsFromEnv } from './validate-config';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

function file(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'lifecycle-config-')), 'rules.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('engine configuration from the environment', () => {
  it('has working defaults', () => {
    expect(EngineConfig.fromEnv({})).toMatchObject({ DATA_DIR: './data', EVENT_STORE: 'sqlite', SQLITE_DURABILITY: 'full', COMMAND_MAX_RETRIES: 10 });
  });

  it('converts and accepts valid settings', () => {
    const config = EngineConfig.fromEnv({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false', COMMAND_MAX_RETRIES: '3' });
    expect(config).toMatchObject({ EVENT_STORE: 'eventstoredb', COMMAND_MAX_RETRIES: 3 });
  });

  it('gives one clear message per wrong setting', () => {
    const problems = problemsOf(() =>
      EngineConfig.fromEnv({ EVENT_STORE: 'postgres', SQLITE_DURABILITY: 'sometimes', COMMAND_MAX_RETRIES: '-1' }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^EVENT_STORE: EVENT_STORE must be "sqlite" \(embedded, default\) or "eventstoredb" \(got "postgres"\)$/),
      expect.stringMatching(/^SQLITE_DURABILITY: .*full, normal/),
      expect.stringMatching(/^COMMAND_MAX_RETRIES: .*not be less than 0/),
    ]);
  });

  it('writes on the main thread unless SQLITE_WRITER=thread, and refuses anything else by name', () => {
    expect(EngineConfig.fromEnv({}).SQLITE_WRITER).toBe('main');
    expect(EngineConfig.fromEnv({ SQLITE_WRITER: 'thread' }).SQLITE_WRITER).toBe('thread');
    for (const bad of ['Thread', 'worker', 'threads', ' main', '1', 'true', 'main,thread', '\u0000', 'x'.repeat(10_000)]) {
      expect(problemsOf(() => EngineConfig.fromEnv({ SQLITE_WRITER: bad }))).toEqual([
        expect.stringMatching(/^SQLITE_WRITER: SQLITE_WRITER must be "main" \(default\) or "thread"/),
      ]);
    }
  });

  it('requires a connection string for EventStoreDB', () => {
    expect(problemsOf(() => EngineConfig.fromEnv({ EVENT_STORE: 'eventstoredb' }))).toEqual([
      expect.stringContaining('EVENTSTORE_CONNECTION_STRING must be set to an esdb:// connection string'),
    ]);
  });
});

describe('settings of a config class, named once in the class', () => {
  it('are its validated properties, optional ones included', () => {
    expect(settingNames(EngineConfig)).toEqual(expect.arrayContaining(['DATA_DIR', 'EVENTSTORE_CONNECTION_STRING', 'LIFECYCLE_CONFIG', 'IDEMPOTENCY_TTL_HOURS']));
  });

  it('are taken from the environment without other variables, and unset or empty ones fall back to the defaults', () => {
    expect(settingsFromEnv(EngineConfig, { DATA_DIR: '/srv/data', EVENT_STORE: '', PATH: '/usr/bin', KAFKA_TOPIC: 't' })).toEqual({ DATA_DIR: '/srv/data' });
  });
});

describe('lifecycle rules file', () => {
  it('defaults to the built-in rules', () => {
    expect(loadLifecycleConfig()).toEqual(DEFAULT_LIFECYCLE_CONFIG);
  });

  it('merges objects with the defaults and replaces arrays and values', () => {
    const config = loadLifecycleConfig(
      file({ scoring: { mqlThreshold: 70, engagement: { activities: { trial_started: 40 } } }, pipeline: { stages: ['discovery', 'closing'] } }),
    );
    expect(config.scoring.mqlThreshold).toBe(70);
    expect(config.scoring.engagement.activities).toMatchObject({ trial_started: 40, demo_request: 25 });
    expect(config.scoring.engagement.halfLifeDays).toBe(30);
    expect(config.pipeline.stages).toEqual(['discovery', 'closing']);
  });

  it('names every wrong setting', () => {
    const problems = problemsOf(() =>
      loadLifecycleConfig(
        file({
          scoring: {
            mqlThreshold: 'high',
            engagement: { halfLifeDays: 0, activities: { email_open: 'one' } },
            fit: { jobTitle: [{ pattern: '(unclosed', points: 5 }] },
          },
          bant: { rules: [{ minMet: 5, mustMeet: ['charisma'] }] },
          pipeline: { stages: [] },
          phone: { defaultCountryCode: '+1' },
        }),
      ),
    );
    const fields = problems.map((p) => p.split(':')[0]);
    expect(fields).toEqual(
      expect.arrayContaining([
        'scoring.fit.jobTitle.0.pattern',
        'scoring.engagement.halfLifeDays',
        'scoring.engagement.activities.email_open',
        'scoring.mqlThreshold',
        'bant.rules.0.minMet',
        'bant.rules.0.mustMeet.0',
        'pipeline.stages',
        'phone.defaultCountryCode',
      ]),
    );
  });

  it('says what is wrong with a setting and what it got', () => {
    expect(problemsOf(() => loadLifecycleConfig(file({ scoring: { mqlThreshold: 'high' }, bant: { rules: [{ minMet: 5 }] } })))).toEqual([
      'scoring.mqlThreshold: must be a finite number (got "high")',
      'bant.rules.0.minMet: must be at most 4 (got 5)',
    ]);
  });

  it('takes numbers as JSON numbers only: a numeric string is a wrong setting, not converted', () => {
    expect(problemsOf(() => loadLifecycleConfig(file({ scoring: { mqlThreshold: '70' } })))).toEqual([
      'scoring.mqlThreshold: must be a finite number (got "70")',
    ]);
  });

  it('refuses a file that is not a JSON object', () => {
    expect(problemsOf(() => loadLifecycleConfig(file([1, 2])))).toEqual([expect.stringMatching(/^LIFECYCLE_CONFIG: .*rules\.json must hold a JSON object$/)]);
  });

  it('checks rules that span settings, and a file that cannot be read', () => {
    expect(problemsOf(() => loadLifecycleConfig(file({ scoring: { temperature: { warm: 80, hot: 60 } } })))).toEqual([
      'scoring.temperature: warm must be below hot',
    ]);
    expect(problemsOf(() => loadLifecycleConfig(file('{ not json')))[0]).toMatch(/^LIFECYCLE_CONFIG: cannot read .*rules\.json/);
  });
});

describe('lifecycle rules: time window and money', () => {
  it('has the defaults', () => {
    expect(loadLifecycleConfig()).toMatchObject({ time: { maxFutureSkewSeconds: 300, maxBackdateDays: 3650 }, money: { maxAmount: 1e12 } });
  });

  it('takes them from the rules file', () => {
    expect(loadLifecycleConfig(file({ time: { maxFutureSkewSeconds: 60 }, money: { maxAmount: 5000 } }))).toMatchObject({
      time: { maxFutureSkewSeconds: 60, maxBackdateDays: 3650 },
      money: { maxAmount: 5000 },
    });
  });

  it('refuses a window or maximum that cannot work', () => {
    const problems = problemsOf(() => loadLifecycleConfig(file({ time: { maxFutureSkewSeconds: -1, maxBackdateDays: 0 }, money: { maxAmount: 1e300 } })));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^time\.maxFutureSkewSeconds: /),
        expect.stringMatching(/^time\.maxBackdateDays: /),
        expect.stringMatching(/^money\.maxAmount: must be at most \d+, so that every amount is an exact number of minor units/),
      ]),
    );
  });
});

describe('the complete example configuration (config/lifecycle.example.json)', () => {
  it('loads, with routing, SLA and aging settings in seconds so they can be watched live', () => {
    const config = loadLifecycleConfig(join(__dirname, '../../../../config/lifecycle.example.json'));
    expect(config.routing.rules.map((rule) => rule.id)).toEqual(['enterprise-us', 'hot-inbound', 'partners', 'everyone-else']);
    expect(config.sla.policies[0]).toMatchObject({ id: 'hot-30s', firstTouchWithin: 'PT30S' });
    expect(config.aging.decay).toEqual({ step: 5, every: 'PT1M' });
    expect(config.scoring.engagement.activities).toEqual(DEFAULT_LIFECYCLE_CONFIG.scoring.engagement.activities);
  });
});
