import { z } from 'zod';
import { apiKeySettings, kafkaSettings, logSettings, port, positiveInt } from '@wapipe/config';

export const ingressEnv = z.object({
  PORT: port(8080),
  ...kafkaSettings,
  ...apiKeySettings,
  ...logSettings,
  /** Largest webhook body accepted; Meta sends up to 3 MB. */
  MAX_BODY_BYTES: positiveInt(4 * 1024 * 1024),
  /** A body that takes longer than this to arrive is answered 408. */
  BODY_TIMEOUT_MS: positiveInt(10_000),
  /** A request whose record is not acked by Kafka within this time is answered 503. */
  PRODUCE_TIMEOUT_MS: positiveInt(5_000),
  /** Standard Webhooks timestamps further than this from now are rejected. */
  SIGNATURE_TOLERANCE_SECONDS: positiveInt(300),
  /** Optional JSON file of sessions to load at start (development). */
  SESSIONS_FILE: z.string().optional(),
});
export type IngressEnv = z.infer<typeof ingressEnv>;
