import { Hono } from 'hono';
import { validateChatSendBody } from '@wapipe/events';
import type { IngressDeps } from '../deps.ts';
import { acceptWebhook } from '../intake/accept-webhook.ts';
import type { ProviderIntake } from '../intake/accept-webhook.ts';
import type { IntakeGuards } from '../intake/intake-guards.ts';
import { verifyStandardWebhook } from '../intake/verify-standard-webhooks.ts';

export function chatsendRoutes(deps: IngressDeps, guards: IntakeGuards): Hono {
  const intake: ProviderIntake = {
    provider: 'chatsend',
    verify: (body, c, session) =>
      verifyStandardWebhook(
        body,
        {
          id: c.req.header('webhook-id'),
          timestamp: c.req.header('webhook-timestamp'),
          signature: c.req.header('webhook-signature'),
        },
        session.secret,
        { toleranceSeconds: deps.limits.signatureToleranceSeconds },
      ),
    // verify() has already required a non-empty webhook-id and a numeric timestamp.
    signedId: (c) => ({
      id: c.req.header('webhook-id')!,
      timestamp: Number(c.req.header('webhook-timestamp')),
    }),
    validate(json, sessionId) {
      const result = validateChatSendBody(json);
      if (!result.ok) return result;
      const bodySession = (json as { sessionId?: unknown }).sessionId;
      if (bodySession !== sessionId) {
        return { ok: false, message: `sessionId in the body does not match the URL's "${sessionId}"` };
      }
      return result;
    },
  };
  const app = new Hono();
  app.post('/webhooks/chatsend/:sessionId', (c) => acceptWebhook(c, deps, guards, intake));
  return app;
}
