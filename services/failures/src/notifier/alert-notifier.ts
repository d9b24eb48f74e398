// POSTs every record of the alerts topic to ALERT_WEBHOOK_URL, in order, from its own consumer group. The
// consumer that decides alerts only publishes them, so a slow or broken receiver never holds its commits,
// and a replayed decision never POSTs twice: the topic records carry deterministic ids, sent as the
// `Idempotency-Key` header, and ids already delivered by this process are skipped.
import type { CoalescingProducer, ConsumedRecord, KafkaConnection, TopicCatalog } from '@wapipe/kafka';
import type { Counter, Logger, Registry } from '@wapipe/observability';
import { createConsumerLoop, handleRecords } from '@wapipe/pipeline';
import type { ConsumerLoop } from '@wapipe/pipeline';
import { loggableUrl, postAlert } from './post-alert.ts';

export interface AlertNotifierOptions {
  kafka: KafkaConnection;
  topics: TopicCatalog;
  groupId: string;
  producer: CoalescingProducer;
  url: string;
  timeoutMs: number;
  logger: Logger;
  registry?: Registry;
  posts?: Counter<string>;
  /** Retry delays while the receiver fails; default 0.5 s doubling to 30 s. */
  backoff?: { initialMs: number; maxMs: number };
}

class ReceiverUnavailable extends Error {
  override readonly name = 'ReceiverUnavailable';
  readonly code = 'ALERT_WEBHOOK_UNAVAILABLE';
  readonly retry = true;
}

/** The record's alertEventId, or its coordinates when the value is not an alert (still POSTed as is). */
function idempotencyKey(record: ConsumedRecord): string {
  try {
    const value = JSON.parse(record.value?.toString('utf8') ?? '') as { alertEventId?: unknown };
    if (typeof value.alertEventId === 'string' && value.alertEventId !== '') return value.alertEventId;
  } catch {
    // not JSON: fall through
  }
  return `${record.topic}:${record.partition}:${record.offset}`;
}

const REMEMBERED = 10_000;

export function createAlertNotifier(options: AlertNotifierOptions): ConsumerLoop {
  const log = options.logger.child({ component: 'alert-notifier' });
  const webhook = loggableUrl(options.url);
  const delivered = new Set<string>();
  const remember = (key: string) => {
    delivered.add(key);
    if (delivered.size > REMEMBERED) delivered.delete(delivered.values().next().value!);
  };

  const handle = async (records: ConsumedRecord[]) => {
    for (const record of records) {
      const key = idempotencyKey(record);
      if (delivered.has(key)) continue;
      const result = await postAlert({
        url: options.url,
        body: record.value?.toString('utf8') ?? '',
        idempotencyKey: key,
        timeoutMs: options.timeoutMs,
      });
      options.posts?.inc({ outcome: result.outcome });
      if (result.outcome === 'failed') {
        // The consumer loop backs off (heartbeating) and calls again; delivered ones are skipped then.
        throw new ReceiverUnavailable(`alert webhook did not take alert ${key}: ${result.reason}`);
      }
      if (result.outcome === 'rejected' && result.status >= 300 && result.status < 400) {
        log.error(
          'alert webhook answered a redirect, which is not followed; not retried. Set ALERT_WEBHOOK_URL to the receiver itself',
          {
            alertEventId: key,
            status: result.status,
            webhook: webhook,
          },
        );
      } else if (result.outcome === 'rejected') {
        log.error('alert webhook rejected an alert; not retried', {
          alertEventId: key,
          status: result.status,
          webhook: webhook,
        });
      }
      remember(key);
    }
  };

  return createConsumerLoop(options.kafka, {
    name: 'alert-notifier',
    groupId: options.groupId,
    topics: [options.topics.alerts],
    // Never used: every failure is retried until the receiver answers, and nothing is refused.
    deadLetterTopic: options.topics.deadLetter('failures'),
    producer: options.producer,
    handler: handleRecords(handle),
    maxAttempts: Number.MAX_SAFE_INTEGER,
    backoff: options.backoff ?? { initialMs: 500, maxMs: 30_000 },
    fetch: { minBytes: 1, maxWaitMs: 250 },
    ...(options.registry ? { registry: options.registry } : {}),
  });
}
