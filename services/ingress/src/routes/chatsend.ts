import { Hono } from 'hono';
import { z } from 'zod';
import { CHATSEND_BODY_EXAMPLES, ChatSendEnvelope, validateChatSendBody } from '@wapipe/events';
import type { OperationDoc } from '@wapipe/http';
import type { IngressDeps } from '../deps.ts';
import { acceptWebhook } from '../intake/accept-webhook.ts';
import type { ProviderIntake } from '../intake/accept-webhook.ts';
import type { IntakeGuards } from '../intake/intake-guards.ts';
import { verifyStandardWebhook } from '../intake/verify-standard-webhooks.ts';
import { SessionPath, webhookAnswer, webhookErrors, webhookTag } from './intake-doc.ts';

// The signature itself is the `standardWebhooks` security scheme; these two are signed with the body.
const SignedHeaders = z.object({
  'webhook-id': z.string().min(1).meta({
    description: 'The event’s id; a replay within the window answers 200 once more.',
    example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
  }),
  'webhook-timestamp': z
    .string()
    .regex(/^\d+$/)
    .meta({ description: 'Unix seconds; more than 5 minutes from now is refused.', example: '1764410400' }),
});

export const chatsendOperations: readonly OperationDoc[] = [
  {
    method: 'post',
    path: '/webhooks/chatsend/{sessionId}',
    operationId: 'receiveChatSendWebhook',
    tag: webhookTag,
    summary: 'A ChatSend event, signed per Standard Webhooks',
    description:
      'One event per request: `message.status`, `message.received`, `message.failed` or `session.status` ' +
      '(another type is accepted and kept raw). Its `sessionId` must be the URL’s.',
    security: 'standardWebhooks',
    pathParams: SessionPath,
    headers: SignedHeaders,
    body: { schema: ChatSendEnvelope, examples: CHATSEND_BODY_EXAMPLES },
    response: webhookAnswer,
    errors: webhookErrors,
  },
];

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
