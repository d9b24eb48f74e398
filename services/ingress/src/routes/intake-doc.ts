// What the two webhook routes share in the OpenAPI document: the path, the answer and the errors.
import { z } from 'zod';
import { SESSION_ID } from '../sessions/session-config.ts';

export const webhookTag = 'Webhook intake';

export const SessionPath = z.object({
  sessionId: z.string().regex(SESSION_ID).meta({ example: 'sess_shop_main' }),
});

export const WebhookAccepted = z.object({
  received: z.number().int().min(0).meta({ description: 'Events in the request, now durable in Kafka.' }),
});

export const webhookAnswer = {
  status: 200,
  description: 'The raw request is durably in Kafka (acks=all).',
  schema: WebhookAccepted,
  example: { received: 1 },
};

export const webhookErrors = {
  400: 'Malformed JSON (a body that is not UTF-8 too), not this provider’s shape, over 1000 events or an id over 256 characters.',
  401: 'Missing, bad or stale signature.',
  404: '`unknown_session`: no such session for this provider, or `enableWebhook: false`.',
  408: 'The body did not arrive in time (BODY_TIMEOUT_MS).',
  413: 'The body is over MAX_BODY_BYTES (default 4 MiB).',
  415: 'Not `application/json`.',
  503: 'The request could not be made durable, or too many bodies are in flight; retry after `Retry-After`.',
};
