import { z } from 'zod';
import {
  apiKeySettings,
  httpServerSettings,
  kafkaSettings,
  logSettings,
  port,
  positiveInt,
} from '@wapipe/config';

export const ingressEnv = z.object({
  PORT: port(8080),
  ...kafkaSettings,
  ...apiKeySettings,
  ...logSettings,
  ...httpServerSettings,
  /** Largest webhook body accepted; Meta sends up to 3 MB. */
  MAX_BODY_BYTES: positiveInt(4 * 1024 * 1024),
  /** A body that takes longer than this to arrive is answered 408. */
  BODY_TIMEOUT_MS: positiveInt(10_000),
  /** Webhook bodies read or held at once (each up to MAX_BODY_BYTES); beyond it, 503 + Retry-After. */
  MAX_WEBHOOKS_IN_FLIGHT: positiveInt(256),
  /** Standard Webhooks ids remembered to answer a replay within the tolerance without producing it. */
  REPLAY_CACHE_ENTRIES: positiveInt(100_000),
  /** A request whose record is not acked by Kafka within this time is answered 503. */
  PRODUCE_TIMEOUT_MS: positiveInt(5_000),
  /** Standard Webhooks timestamps further than this from now are rejected. */
  SIGNATURE_TOLERANCE_SECONDS: positiveInt(300),
  /**
   * 32 random bytes in base64 (`openssl rand -base64 32`): seals session secrets in the sessions topic.
   * Required; the all-in-one makes one in SESSIONS_ENCRYPTION_KEY_FILE when it is unset.
   */
  SESSIONS_ENCRYPTION_KEY: z.string().optional(),
  /** Optional JSON file of sessions to load at start (development). */
  SESSIONS_FILE: z.string().optional(),
});
export type IngressEnv = z.infer<typeof ingressEnv>;
