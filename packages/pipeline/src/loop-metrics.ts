import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  latencyBucketsSeconds,
  metricOnce,
} from '@wapipe/observability';

/** Metrics every consumer loop reports, labelled by consumer so the all-in-one can share one registry. */
export function loopMetrics(registry: Registry | undefined, consumer: string) {
  const reg = registry ?? new Registry();
  const records = metricOnce(
    reg,
    'wapipe_consumer_records_total',
    () =>
      new Counter({
        name: 'wapipe_consumer_records_total',
        help: 'Records committed',
        labelNames: ['consumer'],
        registers: [reg],
      }),
  );
  const deadLetters = metricOnce(
    reg,
    'wapipe_consumer_dead_letters_total',
    () =>
      new Counter({
        name: 'wapipe_consumer_dead_letters_total',
        help: 'Records sent to the dead-letter topic',
        labelNames: ['consumer'],
        registers: [reg],
      }),
  );
  const retries = metricOnce(
    reg,
    'wapipe_consumer_retries_total',
    () =>
      new Counter({
        name: 'wapipe_consumer_retries_total',
        help: 'Batch retries after a retryable failure',
        labelNames: ['consumer'],
        registers: [reg],
      }),
  );
  const outageWaits = metricOnce(
    reg,
    'wapipe_consumer_outage_waits_total',
    () =>
      new Counter({
        name: 'wapipe_consumer_outage_waits_total',
        help: 'Waits for an unavailable dependency',
        labelNames: ['consumer'],
        registers: [reg],
      }),
  );
  const claimsRefused = metricOnce(
    reg,
    'wapipe_consumer_claims_refused_total',
    () =>
      new Counter({
        name: 'wapipe_consumer_claims_refused_total',
        help: 'Units dropped unstored because the group refused their claim: the member had left its generation (ADR 15)',
        labelNames: ['consumer'],
        registers: [reg],
      }),
  );
  const batchRecords = metricOnce(
    reg,
    'wapipe_consumer_batch_records',
    () =>
      new Histogram({
        name: 'wapipe_consumer_batch_records',
        help: 'Records per processed batch',
        labelNames: ['consumer'],
        buckets: [1, 10, 100, 500, 1000, 5000, 10000, 50000],
        registers: [reg],
      }),
  );
  const batchSeconds = metricOnce(
    reg,
    'wapipe_consumer_batch_seconds',
    () =>
      new Histogram({
        name: 'wapipe_consumer_batch_seconds',
        help: 'Time to process and commit a batch',
        labelNames: ['consumer'],
        buckets: latencyBucketsSeconds,
        registers: [reg],
      }),
  );
  const lag = metricOnce(
    reg,
    'wapipe_consumer_lag_records',
    () =>
      new Gauge({
        name: 'wapipe_consumer_lag_records',
        help: 'Records behind the partition end after the last commit',
        labelNames: ['consumer', 'topic', 'partition'],
        registers: [reg],
      }),
  );
  return {
    records: records.labels({ consumer }),
    deadLetters: deadLetters.labels({ consumer }),
    retries: retries.labels({ consumer }),
    outageWaits: outageWaits.labels({ consumer }),
    claimsRefused: claimsRefused.labels({ consumer }),
    batchRecords: batchRecords.labels({ consumer }),
    batchSeconds: batchSeconds.labels({ consumer }),
    lag: {
      set: (labels: { topic: string; partition: string }, value: number) =>
        lag.set({ consumer, ...labels }, value),
    },
  };
}
export type LoopMetrics = ReturnType<typeof loopMetrics>;
