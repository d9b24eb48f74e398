// The ingress as a Hono app built from its dependencies; index.ts serves it, tests call app.request().
import { Hono } from 'hono';
import {
  HttpError,
  answerUnmatchedAsJson,
  handleAppError,
  observeRoute,
  requestIdMiddleware,
  requireApiKey,
} from '@wapipe/http';
import type { ObservedRoute } from '@wapipe/http';
import type { IngressDeps } from './deps.ts';
import { createIntakeGuards } from './intake/intake-guards.ts';
import { rejectionReason } from './metrics.ts';
import { chatsendRoutes } from './routes/chatsend.ts';
import { messageRoutes } from './routes/messages.ts';
import { metaRoutes } from './routes/meta.ts';
import { sessionRoutes } from './routes/sessions.ts';

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
