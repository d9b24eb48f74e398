import { Hono } from 'hono';
import { z } from 'zod';
import { auditEntry, bearerFingerprint } from '@wapipe/events';
import { HttpError } from '@wapipe/http';
import type { OperationDoc } from '@wapipe/http';
import { isRetryable } from '@wapipe/kafka';
import type { IngressDeps } from '../deps.ts';
import { parseJson, readBody, requireJson } from '../intake/read-body.ts';
import {
  RedactedSession,
  SESSION_ID,
  SESSION_ID_RULE,
  SessionConfig,
  redactSession,
} from '../sessions/session-config.ts';
import { describeIssue } from './describe-issue.ts';

const pageRule = 'a whole number from 1 to 1000 (default 100)';
// The cursor is the last id of the page in base64url, opaque to clients.
const SessionListQuery = z.object({
  limit: z
    .string()
    .regex(/^\d+$/, pageRule)
    .transform(Number)
    .pipe(z.number().min(1, pageRule).max(1000, pageRule))
    .default(100)
    .meta({ description: `Page size, ${pageRule}.` }),
  cursor: z
    .string()
    .transform((cursor, ctx) => {
      const after = /^[A-Za-z0-9_-]{1,256}$/.test(cursor)
        ? Buffer.from(cursor, 'base64url').toString('utf8')
        : '';
      if (!SESSION_ID.test(after)) {
        ctx.addIssue({ code: 'custom', message: 'not a cursor from a previous page' });
        return z.NEVER;
      }
      return after;
    })
    .optional()
    .meta({ description: 'The `nextCursor` of the previous page, unchanged.' }),
});

const SessionPath = z.object({
  sessionId: z.string().regex(SESSION_ID, SESSION_ID_RULE).meta({ example: 'sess_shop_main' }),
});

/** Reads `schema` from `raw`; a refused value is a 400 `bad_parameter` naming it. */
function parameters<S extends z.ZodType>(schema: S, raw: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new HttpError(400, 'bad_parameter', `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
}

const sessionsTag = 'Sessions';
const keyErrors = {
  401: 'No API key, or not a valid one.',
  403: 'A `read:` key cannot write.',
};

export const sessionOperations: readonly OperationDoc[] = [
  {
    method: 'put',
    path: '/v1/sessions/{sessionId}',
    operationId: 'putSession',
    tag: sessionsTag,
    summary: 'Create or replace a session’s webhook configuration',
    description:
      'The ingress uses it from the moment this answers. `secret` is Meta’s app secret (16+ characters) ' +
      'for `meta`, a Standard Webhooks key (`whsec_<base64>`, 24+ bytes decoded) for `chatsend`.',
    security: 'apiKey',
    pathParams: SessionPath,
    body: {
      schema: SessionConfig,
      examples: {
        meta: {
          summary: 'A Meta session',
          value: {
            provider: 'meta',
            enableWebhook: true,
            secret: '<Meta app secret>',
            verifyToken: 'a-token-you-choose',
          },
        },
        chatsend: {
          summary: 'A ChatSend session',
          value: { provider: 'chatsend', enableWebhook: true, secret: 'whsec_<base64 of 24+ random bytes>' },
        },
      },
    },
    response: {
      status: 200,
      description: 'The stored configuration, secrets redacted.',
      schema: RedactedSession,
      example: {
        sessionId: 'sess_shop_main',
        provider: 'meta',
        enableWebhook: true,
        secret: '[redacted]',
        verifyToken: '[redacted]',
        updatedAt: '2026-11-29T10:00:00.000Z',
      },
    },
    errors: {
      400: 'Malformed JSON, a bad `sessionId`, or a body that is not a session (a weak secret too).',
      ...keyErrors,
      413: 'The body is over 64 KiB.',
      415: 'Not `application/json`.',
      503: 'The session could not be stored durably; retry after `Retry-After`.',
    },
  },
  {
    method: 'get',
    path: '/v1/sessions/{sessionId}',
    operationId: 'getSession',
    tag: sessionsTag,
    summary: 'One session’s configuration, secrets redacted',
    security: 'apiKey',
    pathParams: SessionPath,
    response: { status: 200, description: 'The session.', schema: RedactedSession },
    errors: { 400: 'A bad `sessionId`.', 401: keyErrors[401], 404: 'No such session.' },
  },
  {
    method: 'get',
    path: '/v1/sessions',
    operationId: 'listSessions',
    tag: sessionsTag,
    summary: 'Every session, by sessionId, secrets redacted, paged',
    security: 'apiKey',
    query: SessionListQuery,
    response: {
      status: 200,
      description: 'One page.',
      schema: z.object({ sessions: z.array(RedactedSession), nextCursor: z.string().nullable() }),
    },
    errors: { 400: 'A bad `limit` or `cursor`.', 401: keyErrors[401] },
  },
];

export function sessionRoutes(deps: IngressDeps): Hono {
  const app = new Hono();
  const sessionIdOf = (raw: string) => parameters(SessionPath, { sessionId: raw }).sessionId;

  app.put('/v1/sessions/:sessionId', async (c) => {
    const sessionId = sessionIdOf(c.req.param('sessionId'));
    requireJson(c.req.header('content-type'));
    const body = await readBody(c, { maxBytes: 64 * 1024, timeoutMs: deps.limits.bodyTimeoutMs });
    const parsed = SessionConfig.safeParse(parseJson(body));
    if (!parsed.success) throw new HttpError(400, 'bad_shape', describeIssue(parsed.error));
    try {
      const stored = await deps.sessions.put(sessionId, parsed.data);
      // The detail is an allow-list: never the secret, nor the verify token.
      await deps.publishAudit(
        auditEntry({
          actor: bearerFingerprint(c.req.header('authorization')),
          action: 'session.put',
          target: sessionId,
          detail: {
            provider: stored.provider,
            enableWebhook: stored.enableWebhook,
            verifyTokenSet: Boolean(parsed.data.verifyToken),
          },
        }),
      );
      deps.logger.info('session stored', {
        sessionId,
        provider: stored.provider,
        enableWebhook: stored.enableWebhook,
      });
      return c.json(redactSession(stored), 200);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      throw new HttpError(503, 'unavailable', 'the session could not be stored durably; retry later', 5);
    }
  });

  // Paged in sessionId order; the cursor is the last id of the page, opaque to clients.
  app.get('/v1/sessions', (c) => {
    const { limit, cursor: after } = parameters(SessionListQuery, c.req.query());
    const rest = deps.sessions.list().filter((s) => after === undefined || s.sessionId > after);
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      rest.length > limit && last ? Buffer.from(last.sessionId, 'utf8').toString('base64url') : null;
    return c.json({ sessions: page.map(redactSession), nextCursor }, 200);
  });

  app.get('/v1/sessions/:sessionId', (c) => {
    const sessionId = sessionIdOf(c.req.param('sessionId'));
    const session = deps.sessions.get(sessionId);
    if (!session) throw new HttpError(404, 'not_found', `no session "${sessionId}"`);
    return c.json(redactSession(session), 200);
  });
  return app;
}
