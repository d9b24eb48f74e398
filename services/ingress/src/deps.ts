import type { AuditEntry } from '@wapipe/events';
import type { ProducedRecord } from '@wapipe/kafka';
import type { Logger } from '@wapipe/observability';
import type { IngressMetrics } from './metrics.ts';
import type { SessionStore } from './sessions/session-store.ts';

/** Everything the ingress app needs, built by index.ts (or a test) and passed in. */
export interface IngressDeps {
  sessions: SessionStore;
  /** Produces one record to the raw topic; resolves when acked by all in-sync replicas. */
  publishRaw(record: ProducedRecord & { value: Buffer | string }): Promise<void>;
  /** Records an operator action in the audit topic; resolves when acked. */
  publishAudit(entry: AuditEntry): Promise<void>;
  limits: {
    maxBodyBytes: number;
    bodyTimeoutMs: number;
    signatureToleranceSeconds: number;
    /** Webhook bodies read or held at once; beyond it, 503 + Retry-After. */
    maxWebhooksInFlight: number;
    /** Standard Webhooks ids remembered for replay detection. */
    replayCacheEntries: number;
  };
  apiKeys: readonly string[];
  metrics: IngressMetrics;
  logger: Logger;
  version: string;
}
