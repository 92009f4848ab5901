import { ConfigurationError } from '@lead-lifecycle/lifecycle';
import { HttpConfig } from './http.config';

describe('HttpConfig', () => {
  it('has the documented defaults for the edge', () => {
    expect(HttpConfig.fromEnv({})).toMatchObject({ PORT: 3000, HTTP_BODY_LIMIT_BYTES: 262144, HTTP_JSON_MAX_DEPTH: 32 });
  });

  it('reads the limits from the environment', () => {
    expect(HttpConfig.fromEnv({ HTTP_BODY_LIMIT_BYTES: '1048576', HTTP_JSON_MAX_DEPTH: '8' })).toMatchObject({ HTTP_BODY_LIMIT_BYTES: 1048576, HTTP_JSON_MAX_DEPTH: 8 });
  });

  it('runs on Express unless HTTP_ADAPTER says fastify, and refuses any other server', () => {
    expect(HttpConfig.fromEnv({}).HTTP_ADAPTER).toBe('express');
    expect(HttpConfig.fromEnv({ HTTP_ADAPTER: 'fastify' }).HTTP_ADAPTER).toBe('fastify');
    expect(() => HttpConfig.fromEnv({ HTTP_ADAPTER: 'koa' })).toThrow(/HTTP_ADAPTER/);
  });

  it('refuses limits that are not sensible, naming each', () => {
    const refusal = (() => {
      try {
        HttpConfig.fromEnv({ HTTP_BODY_LIMIT_BYTES: '10', HTTP_JSON_MAX_DEPTH: 'deep' });
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(ConfigurationError);
    expect(new Set((refusal as ConfigurationError).problems.map((p) => p.split(':')[0]))).toEqual(new Set(['HTTP_BODY_LIMIT_BYTES', 'HTTP_JSON_MAX_DEPTH']));
  });
});
