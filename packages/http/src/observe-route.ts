// One wide line and one count per request, attached to each of a service's own routes (not to `*`): in the
// all-in-one several services share one Hono app, and a `*` middleware would count and log the others'
// requests as its own. Successes log at debug so a busy service does not spend its CPU on logging.
import type { Context, MiddlewareHandler } from 'hono';
import type { Counter, Gauge, Histogram, Logger } from '@wapipe/observability';
import { requestIdOf } from './request-id.ts';

export interface RouteObserver {
  requests: Counter<'route' | 'status'>;
  seconds: Histogram<'route'>;
  logger: Logger;
  /** Requests being answered right now, for routes that ask for it. */
  inFlight?: Gauge;
}

export interface ObservedRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Hono form, e.g. `/v1/sessions/:sessionId`. */
  path: string;
  /** A short, bounded label (never an id from the path). */
  label: string;
  inFlight?: boolean;
}

export function observeRoute(route: ObservedRoute, observer: RouteObserver): MiddlewareHandler {
  return async (c: Context, next) => {
    const started = performance.now();
    const requestId = requestIdOf(c);
    if (route.inFlight) observer.inFlight?.inc();
    try {
      await next();
    } finally {
      if (route.inFlight) observer.inFlight?.dec();
      const seconds = (performance.now() - started) / 1000;
      const status = c.res.status;
      observer.requests.inc({ route: route.label, status: String(status) });
      observer.seconds.observe({ route: route.label }, seconds);
      const line = {
        route: route.label,
        method: c.req.method,
        status,
        ms: Math.round(seconds * 10_000) / 10,
        sessionId: c.req.param('sessionId'),
        requestId,
      };
      if (status >= 500) observer.logger.warn('request', line);
      else if (status >= 400) observer.logger.info('request', line);
      else observer.logger.debug('request', line);
    }
  };
}
