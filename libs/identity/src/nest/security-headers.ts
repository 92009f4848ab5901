import type { INestApplication } from '@nestjs/common';
import helmet from 'helmet';
import type { AuthConfig } from '../auth.config';

/** Headers a browser may send to us cross-origin, when CORS_ORIGINS allows the origin. */
const CORS_REQUEST_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Actor', 'X-Correlation-Id'];
const CORS_EXPOSED_HEADERS = ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Location'];

/**
 * The HTTP hardening of the application: helmet's security headers, no `X-Powered-By`, and CORS closed
 * unless CORS_ORIGINS lists origins (then those only, no credentials by cookie: bearer tokens only).
 */
export function applySecurityHeaders(app: INestApplication, config: AuthConfig): void {
  const instance = app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void };
  instance.disable?.('x-powered-by');
  app.use(helmet());
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: CORS_REQUEST_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      credentials: false,
      maxAge: 600,
    });
  }
}
