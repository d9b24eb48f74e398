import { Hono } from 'hono';
import { auditEntry, bearerFingerprint } from '@wapipe/events';
import { HttpError } from '@wapipe/http';
import { isRetryable } from '@wapipe/kafka';
import type { IngressDeps } from '../deps.ts';
import { parseJson, readBody, requireJson } from '../intake/read-body.ts';
import { SESSION_ID, SESSION_ID_RULE, SessionConfig, redactSession } from '../sessions/session-config.ts';
import { describeIssue } from './describe-issue.ts';

function sessionPage(limitText: string | undefined, cursor: string | undefined) {
  const limit = limitText === undefined ? 100 : Number(limitText);
  if (!/^\d+$/.test(limitText ?? '100') || limit < 1 || limit > 1000) {
    throw new HttpError(400, 'bad_parameter', 'limit: a whole number from 1 to 1000 (default 100)');
  }
  if (cursor === undefined) return { limit, after: undefined };
  const after = /^[A-Za-z0-9_-]{1,256}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  if (!SESSION_ID.test(after)) {
    throw new HttpError(400, 'bad_parameter', 'cursor: not a cursor from a previous page');
  }
  return { limit, after };
}

export function sessionRoutes(deps: IngressDeps): Hono {
  const app = new Hono();
  const sessionIdOf = (raw: string) => {
    if (!SESSION_ID.test(raw)) {
      throw new HttpError(400, 'bad_parameter', `sessionId: ${SESSION_ID_RULE}`);
    }
    return raw;
  };

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
    const { limit, after } = sessionPage(c.req.query('limit'), c.req.query('cursor'));
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
