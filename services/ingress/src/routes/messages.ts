// The outbound registry: the operator's send path tells us which provider id belongs to which of its
// messages. Registrations travel in the raw topic as typed records, keyed by session like the webhooks,
// so the delivery consumer sees them in order with the statuses they link to.
import { Hono } from 'hono';
import { z } from 'zod';
import {
  EXAMPLE_PROVIDER_MESSAGE_ID,
  OutboundRegistration,
  auditEntry,
  bearerFingerprint,
  rawKafkaRecord,
} from '@wapipe/events';
import { HttpError, requestIdOf } from '@wapipe/http';
import type { OperationDoc } from '@wapipe/http';
import { isRetryable } from '@wapipe/kafka';
import type { IngressDeps } from '../deps.ts';
import { parseJson, readBody, requireJson } from '../intake/read-body.ts';
import { SESSION_ID, SESSION_ID_RULE } from '../sessions/session-config.ts';
import { describeIssue } from './describe-issue.ts';

const MAX_PER_REQUEST = 1000;
const RegistrationList = z.object({ messages: z.array(OutboundRegistration).min(1).max(MAX_PER_REQUEST) });
const SingleRegistration = OutboundRegistration.transform((one) => ({ messages: [one] }));
// Picking the schema by shape (rather than a union) lets the error name the exact field at fault.
const parseRegistrations = (json: unknown) =>
  typeof json === 'object' && json !== null && 'messages' in json
    ? RegistrationList.safeParse(json)
    : SingleRegistration.safeParse(json);

const exampleRegistration = {
  messageId: 'order-4711-confirmation',
  sessionId: 'sess_shop_main',
  recipient: '+16505551234',
  providerMessageId: EXAMPLE_PROVIDER_MESSAGE_ID,
  sentAt: '2025-06-25T13:16:20Z',
  campaignId: 'june-orders',
  category: 'utility',
  template: 'order_confirmation',
};

export const messageOperations: readonly OperationDoc[] = [
  {
    method: 'post',
    path: '/v1/messages',
    operationId: 'registerMessages',
    tag: 'Outbound registry',
    summary: 'Register outbound messages: which provider message id is which of your messages',
    description:
      `One registration, or \`{ "messages": [ … ] }\` with up to ${MAX_PER_REQUEST}. Registrations and ` +
      'webhooks may arrive in any order; the link holds either way.',
    security: 'apiKey',
    body: {
      schema: z.union([OutboundRegistration, RegistrationList]),
      examples: {
        one: { summary: 'One message', value: exampleRegistration },
        many: { summary: 'A list', value: { messages: [exampleRegistration] } },
      },
    },
    response: {
      status: 202,
      description: 'Durable in Kafka; the delivery consumer links them.',
      schema: z.object({ accepted: z.number().int() }),
      example: { accepted: 1 },
    },
    errors: {
      400: 'Malformed JSON, or an item that is not a registration (the message names the field).',
      401: 'No API key, or not a valid one.',
      403: 'A `read:` key cannot write.',
      413: 'The body is over MAX_BODY_BYTES.',
      415: 'Not `application/json`.',
      503: 'Not stored durably; retry after `Retry-After`.',
    },
  },
];

export function messageRoutes(deps: IngressDeps): Hono {
  const app = new Hono();
  app.post('/v1/messages', async (c) => {
    const contentType = requireJson(c.req.header('content-type'));
    const body = await readBody(c, {
      maxBytes: deps.limits.maxBodyBytes,
      timeoutMs: deps.limits.bodyTimeoutMs,
    });
    const parsed = parseRegistrations(parseJson(body));
    if (!parsed.success) throw new HttpError(400, 'bad_shape', describeIssue(parsed.error));
    // The same rule as the session routes, so a registration can only name a session that could exist.
    const badSession = parsed.data.messages.findIndex((m) => !SESSION_ID.test(m.sessionId));
    if (badSession >= 0) {
      throw new HttpError(400, 'bad_shape', `messages[${badSession}].sessionId: ${SESSION_ID_RULE}`);
    }
    const requestId = requestIdOf(c);
    const receivedAt = new Date().toISOString();
    const perSession = new Map<string, number>();
    for (const m of parsed.data.messages) perSession.set(m.sessionId, (perSession.get(m.sessionId) ?? 0) + 1);
    const actor = bearerFingerprint(c.req.header('authorization'));
    try {
      await Promise.all([
        ...[...perSession].map(([sessionId, count]) =>
          deps.publishAudit(
            auditEntry({
              actor,
              action: 'messages.register',
              target: sessionId,
              detail: { count, requestId },
            }),
          ),
        ),
        ...parsed.data.messages.map((m) =>
          deps.publishRaw(
            rawKafkaRecord(
              {
                kind: 'registration',
                provider: 'registry',
                sessionId: m.sessionId,
                requestId,
                receivedAt,
                contentType,
                ingressVersion: deps.version,
              },
              JSON.stringify(m),
            ),
          ),
        ),
      ]);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      throw new HttpError(
        503,
        'unavailable',
        'the registrations could not be stored durably; retry later',
        5,
      );
    }
    return c.json({ accepted: parsed.data.messages.length }, 202);
  });
  return app;
}
