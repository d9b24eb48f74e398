// The ingress as a Hono app built from its dependencies; index.ts serves it, tests call app.request().
import { Hono } from 'hono';
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
import type { ObservedRoute, OperationDoc } from '@wapipe/http';
import type { IngressDeps } from './deps.ts';
import { createIntakeGuards } from './intake/intake-guards.ts';
import { rejectionReason } from './metrics.ts';
import { chatsendOperations, chatsendRoutes } from './routes/chatsend.ts';
import { messageOperations, messageRoutes } from './routes/messages.ts';
import { metaOperations, metaRoutes } from './routes/meta.ts';
import { sessionOperations, sessionRoutes } from './routes/sessions.ts';
import { INGRESS_VERSION } from './version.ts';

/** The ingress's own routes, each counted and logged under its label (and nobody else's). */
export const ingressRoutes: readonly ObservedRoute[] = [
  { method: 'GET', path: '/webhooks/meta/:sessionId', label: 'meta_verify' },
  { method: 'POST', path: '/webhooks/meta/:sessionId', label: 'meta_webhook', inFlight: true },
  { method: 'POST', path: '/webhooks/chatsend/:sessionId', label: 'chatsend_webhook', inFlight: true },
  { method: 'GET', path: '/v1/sessions', label: 'sessions_list' },
  { method: 'PUT', path: '/v1/sessions/:sessionId', label: 'sessions_put' },
  { method: 'GET', path: '/v1/sessions/:sessionId', label: 'sessions_get' },
  { method: 'POST', path: '/v1/messages', label: 'messages_register' },
];

/** The ingress's operations for the OpenAPI document; each route file describes its own. */
export const ingressOperations: readonly OperationDoc[] = [
  ...metaOperations,
  ...chatsendOperations,
  ...sessionOperations,
  ...messageOperations,
];

export const INGRESS_DOCUMENT_INFO = {
  title: 'wapipe ingress',
  version: INGRESS_VERSION,
  description:
    'The write side of wapipe: provider webhooks (signed), sessions and the outbound registry (API key). ' +
    'The all-in-one serves the whole interface in one document.',
};

export function createIngressApp(deps: IngressDeps): Hono {
  const app = new Hono();
  const { metrics } = deps;
  const observer = {
    requests: metrics.requests,
    seconds: metrics.intakeSeconds,
    inFlight: metrics.inFlight,
    logger: deps.logger,
  };
  app.use('*', requestIdMiddleware());
  for (const route of ingressRoutes) app.on(route.method, route.path, observeRoute(route, observer));

  app.use('/v1/*', requireApiKey(deps.apiKeys));
  const guards = createIntakeGuards({
    maxInFlight: deps.limits.maxWebhooksInFlight,
    maxReplayEntries: deps.limits.replayCacheEntries,
  });
  app.route('/', metaRoutes(deps, guards));
  app.route('/', chatsendRoutes(deps, guards));
  app.route('/', sessionRoutes(deps));
  app.route('/', messageRoutes(deps));
  // The service's own document (its root serves the health routes too); the all-in-one serves its own first.
  app.route('/', openApiRoutes(INGRESS_DOCUMENT_INFO, [...healthOperations, ...ingressOperations]).app);

  app.onError((error, c) => {
    if (error instanceof HttpError) {
      const reason = rejectionReason(error.code);
      if (reason) metrics.rejections.inc({ reason });
    }
    return handleAppError(error, c, (e) =>
      deps.logger.error('unhandled error', { error: e.message, stack: e.stack }),
    );
  });
  answerUnmatchedAsJson(app);
  return app;
}
