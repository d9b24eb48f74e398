// One id per HTTP request, so a log line of the ingress, the raw record in Kafka and a consumer's log line
// about that record can be joined. A caller's id is kept when it is safe to log (X-Request-Id, else the
// trace id of a W3C traceparent, else a Standard Webhooks `webhook-id`, which a provider keeps across its
// retries), otherwise one is made; the answer always echoes it as X-Request-Id.
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';

const SAFE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
// version "-" trace-id (32 hex, not all zero) "-" parent-id "-" flags
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** The request id a caller gave, if it is one we can log as is. */
export function requestIdFromHeaders(header: (name: string) => string | undefined): string | undefined {
  const given = header('x-request-id')?.trim();
  if (given && SAFE_ID.test(given)) return given;
  const trace = TRACEPARENT.exec(header('traceparent')?.trim().toLowerCase() ?? '')?.[1];
  if (trace && !/^0+$/.test(trace)) return trace;
  const webhookId = header('webhook-id')?.trim();
  if (webhookId && SAFE_ID.test(webhookId)) return webhookId;
  return undefined;
}

/** The id of this request (set by requestIdMiddleware; made here if it did not run). */
export function requestIdOf(c: Context): string {
  const known = c.get('requestId' as never) as string | undefined;
  if (known) return known;
  const made = requestIdFromHeaders((n) => c.req.header(n)) ?? randomUUID();
  c.set('requestId' as never, made as never);
  c.header(REQUEST_ID_HEADER, made);
  return made;
}

/** Settles the request id before anything else runs and echoes it; safe to mount more than once. */
export function requestIdMiddleware(): MiddlewareHandler {
  return async (c, next) => {
    requestIdOf(c);
    await next();
    // A handler that built its own Response (c.body, c.json do keep headers) still carries the id.
    if (!c.res.headers.has(REQUEST_ID_HEADER)) c.res.headers.set(REQUEST_ID_HEADER, requestIdOf(c));
  };
}
