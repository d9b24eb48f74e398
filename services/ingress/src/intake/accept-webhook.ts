// The intake pipeline, cheapest check first: declared size, content type, session, a body slot (503 when
// too many bodies are in flight), body (limit enforced while streaming), signature over the raw bytes,
// JSON, provider shape and limits, replay check, then Kafka. Nothing here interprets events: the raw bytes
// go to the topic as received, and consumers do the rest.
import type { Context } from 'hono';
import { rawKafkaRecord } from '@wapipe/events';
import { HttpError, requestIdOf } from '@wapipe/http';
import { isRetryable } from '@wapipe/kafka';
import type { IngressDeps } from '../deps.ts';
import type { StoredSession } from '../sessions/session-config.ts';
import { eventLimitProblem } from './event-limits.ts';
import type { Provider } from './event-limits.ts';
import type { IntakeGuards } from './intake-guards.ts';
import { parseJson, readBody, requireJson } from './read-body.ts';

export interface ProviderIntake {
  provider: Provider;
  verify(body: Buffer, c: Context, session: StoredSession): void;
  validate(json: unknown, sessionId: string): { ok: true; events: number } | { ok: false; message: string };
  /** The request's id when the signature covers it (Standard Webhooks), with its unix-seconds timestamp. */
  signedId?(c: Context): { id: string; timestamp: number } | undefined;
}

export async function acceptWebhook(
  c: Context,
  deps: IngressDeps,
  guards: IntakeGuards,
  intake: ProviderIntake,
) {
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
  const release = guards.acquireBodySlot();
  if (!release) {
    // The body is not read: close the connection rather than leave it unread on a kept-alive socket.
    c.header('Connection', 'close');
    throw new HttpError(503, 'unavailable', 'too many webhook requests in progress; retry later', 1);
  }
  try {
    const body = await readBody(c, {
      maxBytes: deps.limits.maxBodyBytes,
      timeoutMs: deps.limits.bodyTimeoutMs,
    });
    intake.verify(body, c, session);
    const json = parseJson(body);
    const result = intake.validate(json, sessionId);
    if (!result.ok) throw new HttpError(400, 'bad_shape', result.message);
    const tooMuch = eventLimitProblem(intake.provider, json, result.events);
    if (tooMuch) throw new HttpError(400, 'bad_shape', tooMuch);

    const signed = intake.signedId?.(c);
    const requestId = requestIdOf(c);
    const produce = () =>
      deps.publishRaw(
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
    try {
      if (signed) {
        // Signed ids can be replayed until their timestamp leaves the tolerance window, and no longer.
        const untilMs = (signed.timestamp + deps.limits.signatureToleranceSeconds) * 1000;
        await guards.produceOnce(`${sessionId}\n${signed.id}`, untilMs, produce);
      } else {
        await produce();
      }
    } catch (error) {
      if (!isRetryable(error)) throw error;
      throw new HttpError(503, 'unavailable', 'the event could not be stored durably; retry later', 5);
    }
    deps.metrics.events.inc({ provider: intake.provider }, result.events);
    return c.json({ received: result.events }, 200);
  } finally {
    release();
  }
}
