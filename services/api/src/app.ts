// The read API as a Hono app built from its dependencies; index.ts (or the all-in-one) serves it, tests
// call app.request().
import { Hono } from 'hono';
import { isClickHouseError } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import {
  HttpError,
  answerUnmatchedAsJson,
  handleAppError,
  healthOperations,
  observeRoute,
  openApiRoutes,
  requestIdMiddleware,
  requireApiKey,
} from '@wapipe/http';
import type { OperationDoc } from '@wapipe/http';
import type { Logger } from '@wapipe/observability';
import type { ApiMetrics } from './metrics.ts';
import { apiOperation } from './openapi.ts';
import { honoPath, mountRoutes } from './route.ts';
import type { SessionDirectory } from './session-directory.ts';
import type { AnyRoute } from './route.ts';
import type { ConsumerStateReader } from './consumer-lag.ts';
import { alertRoutes } from './routes/alerts.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { failuresAcrossRoutes } from './routes/failures-across.ts';
import { consoleOperations, consoleRoutes } from './routes/console.ts';
import { consumerRoutes } from './routes/consumers.ts';
import { debuggingRoutes } from './routes/debugging.ts';
import { messageRoutes } from './routes/messages.ts';
import { sessionStateRoutes } from './routes/session-states.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { streamOperation, streamRoutes } from './routes/stream.ts';

export const API_VERSION = '0.1.0';

export interface ApiDeps {
  /** The API's own connection (the embedded engine runs one query at a time per connection). */
  ch: ClickHouse;
  apiKeys: readonly string[];
  /** Which sessions exist (followSessionDirectory in production). */
  sessions: Pick<SessionDirectory, 'has'>;
  logger: Logger;
  metrics?: ApiMetrics;
  /** The clock for default time ranges; tests pin it. */
  now?: () => Date;
  /** Consumers' lag and dead letters (from Kafka); without it GET /v1/consumers answers 503. */
  consumers?: ConsumerStateReader;
}

export function apiRoutes(ch: ClickHouse, now: () => Date): AnyRoute[] {
  return [
    ...messageRoutes(ch),
    ...debuggingRoutes(ch, now),
    ...sessionRoutes(ch, now),
    ...alertRoutes(ch),
    ...analyticsRoutes(ch, now),
    ...failuresAcrossRoutes(ch, now),
  ];
}

/** The API's operations for the OpenAPI document: every read route, the stream included. */
export function apiOperations(routes: readonly AnyRoute[]): OperationDoc[] {
  return [...routes.map(apiOperation), streamOperation, ...consoleOperations];
}

export const API_DOCUMENT_INFO = {
  title: 'wapipe read API',
  version: API_VERSION,
  description:
    'The read side of wapipe: messages, session analytics, raw requests, audit and alerts. Every /v1 route ' +
    'needs `Authorization: Bearer <key>` (API_KEYS). The all-in-one serves the whole interface in one document.',
};

/** Every /v1 read route the api app serves: the read routes and the console's two. */
export function apiAppRoutes(deps: Pick<ApiDeps, 'ch' | 'now' | 'consumers'>): AnyRoute[] {
  return [
    ...apiRoutes(deps.ch, deps.now ?? (() => new Date())),
    ...sessionStateRoutes(deps.ch),
    ...consumerRoutes(deps.consumers),
  ];
}

export function createApiApp(deps: ApiDeps): Hono {
  const app = new Hono();
  const routes = apiAppRoutes(deps);

  // Each of this app's routes is counted and logged as the API's, and nothing else is (observeRoute).
  app.use('*', requestIdMiddleware());
  if (deps.metrics) {
    const observer = { requests: deps.metrics.requests, seconds: deps.metrics.seconds, logger: deps.logger };
    const observed = [
      { method: 'GET' as const, path: '/openapi.json', label: 'openapi' },
      ...routes.map((r) => ({ method: 'GET' as const, path: honoPath(r.path), label: r.label })),
    ];
    for (const route of observed) app.on(route.method, route.path, observeRoute(route, observer));
  }

  // The service's own document (its root serves the health routes too); the all-in-one serves its own first.
  app.route('/', openApiRoutes(API_DOCUMENT_INFO, [...healthOperations, ...apiOperations(routes)]).app);
  app.route('/', consoleRoutes());
  app.use('/v1/*', requireApiKey(deps.apiKeys));
  mountRoutes(app, routes, (id) => deps.sessions.has(id));
  app.route('/', streamRoutes(deps.ch, { sessionExists: (id) => deps.sessions.has(id) }));

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
  answerUnmatchedAsJson(app);
  return app;
}
