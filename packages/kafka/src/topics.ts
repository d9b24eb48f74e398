// The one catalog of topics: who writes each, its key, and what its value is. Producers and consumers
// take names from here, so a topic is spelled in one place.

export const consumerNames = ['delivery', 'replies', 'failures', 'archive'] as const;
export type ConsumerName = (typeof consumerNames)[number];

export interface TopicSpec {
  name: string;
  /** What the record key is; every topic here is keyed so that one session's records stay in order. */
  key: string;
  /** What the value is. */
  value: string;
  partitions?: number;
  config?: Record<string, string>;
}

/** Meta sends bodies of up to 3 MB and the ingress accepts 4 MiB, above the broker's 1 MB default. */
const LARGE_RECORDS = { 'max.message.bytes': String(8 * 1024 * 1024) };

/**
 * The raw topic is the replay source after a consumer's journal (7-day TTL) has forgotten a record, so it
 * must outlive the journal: 14 days unless RAW_TOPIC_RETENTION_DAYS says otherwise. Set explicitly, never
 * the broker's default (7 days on a stock broker, the same as the journal).
 */
export const DEFAULT_RAW_RETENTION_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface TopicCatalog {
  /** The TOPIC_PREFIX the names were built from. */
  prefix: string;
  /** Raw webhook requests and outbound registrations, exact bytes, metadata in headers (raw.v1). */
  raw: string;
  /** Session configuration, compacted, latest value per session wins. */
  sessions: string;
  statusTransitions: string;
  suppressions: string;
  optOuts: string;
  followUps: string;
  retryAdvice: string;
  alerts: string;
  /** Operator actions (audit entries JSON), stored by the archive service. */
  audit: string;
  deadLetter(consumer: ConsumerName): string;
  /** A consumer's own group (CONSUMER_GROUP may override it in that consumer's process). */
  consumerGroup(consumer: ConsumerName): string;
  /** The group that redrive uses to remember which dead letters of `consumer` it has copied back. */
  redriveGroup(consumer: ConsumerName): string;
  specs(partitions: number, options?: { rawRetentionDays?: number }): TopicSpec[];
}

export function topicCatalog(prefix: string): TopicCatalog {
  const name = (suffix: string) => (prefix ? `${prefix}.${suffix}` : suffix);
  const catalog: TopicCatalog = {
    prefix,
    raw: name('raw.v1'),
    sessions: name('sessions.v1'),
    statusTransitions: name('status-transitions.v1'),
    suppressions: name('suppressions.v1'),
    optOuts: name('opt-outs.v1'),
    followUps: name('follow-ups.v1'),
    retryAdvice: name('retry-advice.v1'),
    alerts: name('alerts.v1'),
    audit: name('audit.v1'),
    deadLetter: (consumer) => name(`dlq.${consumer}.v1`),
    consumerGroup: (consumer) => name(consumer),
    redriveGroup: (consumer) => name(`redrive.${consumer}`),
    specs: (partitions, options = {}): TopicSpec[] => [
      {
        name: catalog.raw,
        key: 'sessionId',
        value: 'raw body bytes (raw.v1 headers)',
        partitions,
        config: {
          ...LARGE_RECORDS,
          'retention.ms': String((options.rawRetentionDays ?? DEFAULT_RAW_RETENTION_DAYS) * DAY_MS),
        },
      },
      {
        name: catalog.sessions,
        key: 'sessionId',
        value: 'session config JSON, or null to delete',
        partitions: 1,
        config: { 'cleanup.policy': 'compact' },
      },
      {
        name: catalog.statusTransitions,
        key: 'sessionId',
        value: 'status transition JSON',
        partitions,
        config: LARGE_RECORDS,
      },
      {
        name: catalog.suppressions,
        key: 'sessionId',
        value: 'suppression command JSON',
        partitions,
        config: LARGE_RECORDS,
      },
      {
        name: catalog.optOuts,
        key: 'sessionId',
        value: 'opt-out command JSON',
        partitions,
        config: LARGE_RECORDS,
      },
      {
        name: catalog.followUps,
        key: 'sessionId',
        value: 'follow-up request JSON',
        partitions,
        config: LARGE_RECORDS,
      },
      {
        name: catalog.retryAdvice,
        key: 'sessionId',
        value: 'retry advice JSON',
        partitions,
        config: LARGE_RECORDS,
      },
      { name: catalog.alerts, key: 'sessionId', value: 'alert JSON', partitions, config: LARGE_RECORDS },
      // Few and small; one partition keeps every entry in the order it was made.
      { name: catalog.audit, key: 'target', value: 'audit entry JSON', partitions: 1 },
      // Redrive copies a dead letter back into the raw topic, marked for its consumer (wapipe-redrive-for).
      ...consumerNames.map((c) => ({
        name: catalog.deadLetter(c),
        key: 'original key',
        value: 'original value (dlq headers)',
        partitions: 1,
        config: LARGE_RECORDS,
      })),
    ],
  };
  return catalog;
}
