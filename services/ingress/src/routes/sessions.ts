import { Hono } from 'hono';
import { auditEntry, bearerFingerprint } from '@wapipe/events';
import { HttpError } from '@wapipe/http';
import { isRetryable } from '@wapipe/kafka';
import type { IngressDeps } from '../deps.ts';
import { parseJson, readBody, requireJson } from '../intake/read-body.ts';
import { SESSION_ID, SESSION_ID_RULE, SessionConfig, redactSession } from '../sessions/session-config.ts';
import { describeIssue } from './describe-issue.ts';

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

  app.get('/v1/sessions/:sessionId', (c) => {
    const sessionId = sessionIdOf(c.req.param('sessionId'));
    const session = deps.sessions.get(sessionId);
    if (!session) throw new HttpError(404, 'not_found', `no session "${sessionId}"`);
    return c.json(redactSession(session), 200);
  });
  return app;
}
