// The read API as a Hono app built from its dependencies; index.ts (or the all-in-one) serves it, tests
// call app.request().
import { Hono } from 'hono';
import { isClickHouseError } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { HttpError, errorBody, handleAppError, requireApiKey } from '@wapipe/http';
import type { Logger } from '@wapipe/observability';
import type { ApiMetrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { mountRoutes } from './route.ts';
import type { AnyRoute } from './route.ts';
import { alertRoutes } from './routes/alerts.ts';
import { messageRoutes } from './routes/messages.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { streamRoutes } from './routes/stream.ts';

export { apiEnv } from './env.ts';
export type { ApiEnv } from './env.ts';
export { createApiMetrics } from './metrics.ts';
export type { ApiMetrics } from './metrics.ts';
export { startApi } from './start.ts';
export type { RunningApi } from './start.ts';

export const API_VERSION = '0.1.0';

export interface ApiDeps {
  /** The API's own connection (the embedded engine runs one query at a time per connection). */
  ch: ClickHouse;
  apiKeys: readonly string[];
  logger: Logger;
  metrics?: ApiMetrics;
  /** The clock for default time ranges; tests pin it. */
  now?: () => Date;
}

export function apiRoutes(ch: ClickHouse, now: () => Date): AnyRoute[] {
  return [...messageRoutes(ch), ...sessionRoutes(ch, now), ...alertRoutes(ch)];
}

/** A short, bounded label per route for logs and metrics (never the ids in the path). */
function routeLabel(path: string): string {
  if (path.startsWith('/v1/messages/')) return 'message';
  const session = /^\/v1\/sessions\/[^/]+\/(stats|failures|replies)$/.exec(path);
  if (session) return session[1]!;
  if (path === '/v1/alerts') return 'alerts';
  if (path === '/openapi.json') return 'openapi';
  return 'other';
}

export function createApiApp(deps: ApiDeps): Hono {
  const app = new Hono();
  const routes = apiRoutes(deps.ch, deps.now ?? (() => new Date()));
  const document = openApiDocument(routes, { title: 'wapipe read API', version: API_VERSION });

  // One wide line per request: successes at debug, refusals at info, failures at warn. Only this app's
  // routes: mounted beside the ingress (all-in-one), the ingress's requests are the ingress's to count.
  app.use('*', async (c, next) => {
    const route = routeLabel(c.req.path);
    if (route === 'other') return next();
    const started = performance.now();
    try {
      await next();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const status = c.res.status;
      deps.metrics?.requests.inc({ route, status: String(status) });
      deps.metrics?.seconds.observe({ route }, seconds);
      const line = { route, status, ms: Math.round(seconds * 10_000) / 10 };
      if (status >= 500) deps.logger.warn('request', line);
      else if (status >= 400) deps.logger.info('request', line);
      else deps.logger.debug('request', line);
    }
  });

  app.get('/openapi.json', (c) => c.json(document));
  app.use('/v1/*', requireApiKey(deps.apiKeys));
  mountRoutes(app, routes);
  app.route('/', streamRoutes(deps.ch));

  app.onError((error, c) => {
    if (isClickHouseError(error)) {
      if (error.clickhouseType === 'UNKNOWN_TABLE' || error.clickhouseType === 'UNKNOWN_DATABASE') {
        deps.logger.warn('tables missing: have the consumers run their migrations?', {
          reason: error.message,
        });
        return handleAppError(
          new HttpError(503, 'unavailable', 'the data is not ready yet; retry later', 5),
          c,
        );
      }
      if (error.retry) {
        deps.logger.warn('clickhouse unavailable', { code: error.code });
        return handleAppError(
          new HttpError(503, 'unavailable', 'the data store does not answer; retry later', 5),
          c,
        );
      }
    }
    return handleAppError(error, c, (e) =>
      deps.logger.error('unhandled error', { error: e.message, stack: e.stack }),
    );
  });
  app.notFound((c) => c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404));
  return app;
}
