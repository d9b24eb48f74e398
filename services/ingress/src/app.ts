// The ingress as a Hono app built from its dependencies; index.ts serves it, tests call app.request().
import { Hono } from 'hono';
import { HttpError, errorBody, handleAppError, requireApiKey } from '@wapipe/http';
import type { IngressDeps } from './deps.ts';
import { createIntakeGuards } from './intake/intake-guards.ts';
import { rejectionReason } from './metrics.ts';
import { chatsendRoutes } from './routes/chatsend.ts';
import { messageRoutes } from './routes/messages.ts';
import { metaRoutes } from './routes/meta.ts';
import { sessionRoutes } from './routes/sessions.ts';

export type { IngressDeps } from './deps.ts';
export { createIngressMetrics } from './metrics.ts';
export {
  createKafkaSessionStore,
  createMemorySessionStore,
  readSessionsFile,
} from './sessions/session-store.ts';
export type { SessionStore } from './sessions/session-store.ts';
export { signMetaBody } from './intake/verify-meta-signature.ts';
export { signStandardWebhook } from './intake/verify-standard-webhooks.ts';
export { ingressEnv } from './env.ts';
export { INGRESS_VERSION, startIngress } from './start.ts';
export type { RunningIngress } from './start.ts';
export type { IngressEnv } from './env.ts';

function routeLabel(method: string, path: string): string {
  if (path.startsWith('/webhooks/meta/')) return method === 'GET' ? 'meta_verify' : 'meta_webhook';
  if (path.startsWith('/webhooks/chatsend/')) return 'chatsend_webhook';
  if (path.startsWith('/v1/sessions/')) return `sessions_${method.toLowerCase()}`;
  if (path === '/v1/messages') return 'messages_register';
  return 'other';
}

export function createIngressApp(deps: IngressDeps): Hono {
  const app = new Hono();
  const { metrics } = deps;

  // One wide line per request; successes at debug so a busy intake does not spend its CPU on logging.
  app.use('*', async (c, next) => {
    const started = performance.now();
    const route = routeLabel(c.req.method, c.req.path);
    const webhook = route.endsWith('_webhook');
    if (webhook) metrics.inFlight.inc();
    try {
      await next();
    } finally {
      if (webhook) metrics.inFlight.dec();
      const seconds = (performance.now() - started) / 1000;
      const status = c.res.status;
      metrics.requests.inc({ route, status: String(status) });
      metrics.intakeSeconds.observe({ route }, seconds);
      const line = {
        route,
        method: c.req.method,
        status,
        ms: Math.round(seconds * 1000 * 10) / 10,
        sessionId: c.req.param('sessionId'),
        requestId: c.get('requestId' as never) as string | undefined,
      };
      if (status >= 500) deps.logger.warn('request', line);
      else if (status >= 400) deps.logger.info('request', line);
      else deps.logger.debug('request', line);
    }
  });

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
  app.notFound((c) => c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404));
  return app;
}
