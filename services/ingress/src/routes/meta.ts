import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { META_BODY_EXAMPLES, MetaWebhookBody, validateMetaBody } from '@wapipe/events';
import type { OperationDoc } from '@wapipe/http';
import type { IngressDeps } from '../deps.ts';
import { acceptWebhook } from '../intake/accept-webhook.ts';
import type { ProviderIntake } from '../intake/accept-webhook.ts';
import type { IntakeGuards } from '../intake/intake-guards.ts';
import { verifyMetaSignature } from '../intake/verify-meta-signature.ts';
import { SessionPath, webhookAnswer, webhookErrors, webhookTag } from './intake-doc.ts';

const VerifyQuery = z.object({
  'hub.mode': z.literal('subscribe'),
  'hub.verify_token': z.string().meta({ description: 'The session’s `verifyToken`.' }),
  'hub.challenge': z
    .string()
    .default('')
    .meta({ description: 'Echoed back on success.', example: '1158201444' }),
});

export const metaOperations: readonly OperationDoc[] = [
  {
    method: 'get',
    path: '/webhooks/meta/{sessionId}',
    operationId: 'verifyMetaWebhook',
    tag: webhookTag,
    summary: 'Meta’s subscription handshake',
    description: 'Answers `hub.challenge` when `hub.verify_token` is the session’s `verifyToken`.',
    security: 'none',
    pathParams: SessionPath,
    query: VerifyQuery,
    response: {
      status: 200,
      description: 'The challenge, as is.',
      contentType: 'text/plain',
      example: '1158201444',
    },
    errors: { 403: 'Unknown session, not a Meta session, or a wrong `hub.verify_token`.' },
  },
  {
    method: 'post',
    path: '/webhooks/meta/{sessionId}',
    operationId: 'receiveMetaWebhook',
    tag: webhookTag,
    summary: 'A WhatsApp Cloud API webhook (statuses, messages, errors)',
    description:
      'Kept raw and produced to Kafka before the answer; the consumers normalize it. Items of a kind this ' +
      'version does not know are accepted and kept (counted as `unknown`).',
    security: 'metaSignature',
    pathParams: SessionPath,
    body: { schema: MetaWebhookBody, examples: META_BODY_EXAMPLES },
    response: webhookAnswer,
    errors: webhookErrors,
  },
];

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

// No signedId: Meta signs only the body, so a webhook-id header on a Meta post is anyone's to set.
const metaIntake: ProviderIntake = {
  provider: 'meta',
  verify: (body, c, session) =>
    verifyMetaSignature(body, c.req.header('x-hub-signature-256'), session.secret),
  validate: (json) => validateMetaBody(json),
};

export function metaRoutes(deps: IngressDeps, guards: IntakeGuards): Hono {
  const app = new Hono();
  // Meta's subscription handshake: echo hub.challenge when hub.verify_token is the session's token.
  app.get('/webhooks/meta/:sessionId', (c) => {
    const session = deps.sessions.get(c.req.param('sessionId'));
    const query = VerifyQuery.safeParse(c.req.query());
    const expected = session?.provider === 'meta' ? session.verifyToken : undefined;
    if (query.success && expected !== undefined && sameText(query.data['hub.verify_token'], expected)) {
      return c.text(query.data['hub.challenge'], 200);
    }
    return c.json(
      {
        error: {
          code: 'forbidden',
          message: 'verification failed: unknown session or wrong hub.verify_token',
        },
      },
      403,
    );
  });
  app.post('/webhooks/meta/:sessionId', (c) => acceptWebhook(c, deps, guards, metaIntake));
  return app;
}
