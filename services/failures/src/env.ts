// The failures service's settings: the shared consumer settings plus its alert rules and the webhook.
import { z } from 'zod';
import { list, positiveInt } from '@wapipe/config';
import { consumerEnv } from '@wapipe/pipeline';

export const failuresEnv = consumerEnv.extend({
  /** Alerts are also POSTed here (JSON, `Idempotency-Key` header) when set. */
  ALERT_WEBHOOK_URL: z.url({ message: 'expected an http(s) URL' }).optional(),
  /** One POST waits this long for an answer before it counts as failed and is retried. */
  ALERT_WEBHOOK_TIMEOUT_MS: positiveInt(5_000),
  /** Consumer group of the alert notifier; default `<TOPIC_PREFIX>.failures.alert-notifier`. */
  ALERT_NOTIFIER_GROUP: z.string().optional(),
  /** A session's failure rate (failed / messages) above this fraction, in one window, opens an alert. */
  FAILURE_RATE_THRESHOLD: z.coerce.number().gt(0).lte(1).default(0.1),
  FAILURE_RATE_WINDOW_MINUTES: positiveInt(5),
  /** Fewer messages than this in a window never open a failure-rate alert. */
  FAILURE_RATE_MIN_MESSAGES: positiveInt(20),
  /** This many failed messages to one recipient within RECIPIENT_FAILURE_WINDOW_HOURS open an alert. */
  RECIPIENT_FAILURE_THRESHOLD: positiveInt(3),
  RECIPIENT_FAILURE_WINDOW_HOURS: positiveInt(24),
  /** Failure codes that mean the whole account cannot send (blocked, locked, payment). */
  ACCOUNT_ALERT_CODES: list.default(['368', '131031', '131042']),
  /** First delay the retry advice gives for failures worth retrying with backoff. */
  RETRY_BACKOFF_SECONDS: positiveInt(60),
});
export type FailuresEnv = z.infer<typeof failuresEnv>;
