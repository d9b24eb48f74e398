// The intake pipeline, cheapest check first: declared size, content type, session, body (limit enforced
// while streaming), signature over the raw bytes, JSON, provider shape, then Kafka. Nothing here interprets
// events: the raw bytes go to the topic as received, and consumers do the rest.
import type { Context } from 'hono';
import { rawKafkaRecord } from '@wapipe/events';
import { HttpError, requestIdOf } from '@wapipe/http';
import { isRetryable } from '@wapipe/kafka';
import type { IngressDeps } from '../deps.ts';
import type { StoredSession } from '../sessions/session-config.ts';
import { parseJson, readBody, requireJson } from './read-body.ts';

export type Provider = 'meta' | 'chatsend';

export interface ProviderIntake {
  provider: Provider;
  verify(body: Buffer, c: Context, session: StoredSession): void;
  validate(json: unknown, sessionId: string): { ok: true; events: number } | { ok: false; message: string };
}

export async function acceptWebhook(c: Context, deps: IngressDeps, intake: ProviderIntake) {
  const sessionId = c.req.param('sessionId') ?? '';
  const contentType = requireJson(c.req.header('content-type'));
  const session = deps.sessions.get(sessionId);
  if (!session || session.provider !== intake.provider || !session.enableWebhook) {
    throw new HttpError(
      404,
      'unknown_session',
      `no ${intake.provider} session "${sessionId}" with webhooks enabled`,
    );
  }
  const body = await readBody(c, {
    maxBytes: deps.limits.maxBodyBytes,
    timeoutMs: deps.limits.bodyTimeoutMs,
  });
  intake.verify(body, c, session);
  const result = intake.validate(parseJson(body), sessionId);
  if (!result.ok) throw new HttpError(400, 'bad_shape', result.message);

  const requestId = requestIdOf(c);
  try {
    await deps.publishRaw(
      rawKafkaRecord(
        {
          kind: 'webhook',
          provider: intake.provider,
          sessionId,
          requestId,
          contentType,
          ingressVersion: deps.version,
        },
        body,
      ),
    );
  } catch (error) {
    if (!isRetryable(error)) throw error;
    throw new HttpError(503, 'unavailable', 'the event could not be stored durably; retry later', 5);
  }
  deps.metrics.events.inc({ provider: intake.provider }, result.events);
  return c.json({ received: result.events }, 200);
}
