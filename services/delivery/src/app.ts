// The delivery consumer as a startable unit; index.ts runs it alone, the all-in-one runs it beside others.
import { loadMigrations } from '@wapipe/clickhouse';
import { Counter } from '@wapipe/observability';
import type { Logger, Registry } from '@wapipe/observability';
import { startConsumerService } from '@wapipe/pipeline';
import type { JournalViews, RunningConsumer } from '@wapipe/pipeline';
import type { DeliveryEnv } from './env.ts';
import { createDeliveryHandler } from './handler.ts';

export { deliveryEnv } from './env.ts';
export type { DeliveryEnv } from './env.ts';

export const deliveryMigrations = () => loadMigrations(new URL('../migrations/', import.meta.url));

/** The rollup and latency views sum, so they hang off feeds; the state view is idempotent (migration 0010). */
export const deliveryJournalViews: JournalViews = {
  feeds: [
    { source: 'delivery_cohort_changes', feed: 'delivery_rollup_feed', target: 'delivery_rollup_minute' },
    { source: 'delivery_latency_samples', feed: 'delivery_latency_feed', target: 'delivery_latency_minute' },
    ...(
      ['cohort_minute', 'cohort_hour', 'cohort_by_day', 'latency_hist_minute', 'latency_hist_hour'] as const
    ).map((rollup) => ({
      source: 'delivery_cohort_changes',
      feed: `delivery_${rollup}_feed`,
      target: `delivery_${rollup}`,
    })),
  ],
  replays: [{ source: 'delivery_status_events', replay: 'delivery_status_events_replay' }],
  // One insert each for the cohort rows and the latency samples, whatever their feeds (migration 0013).
  fanOuts: [
    { source: 'delivery_cohort_changes', fanOut: 'delivery_cohort_fan_out' },
    { source: 'delivery_latency_samples', fanOut: 'delivery_latency_fan_out' },
  ],
};

export function deliveryMetrics(registry: Registry) {
  return {
    stored: new Counter({
      name: 'wapipe_delivery_status_events_total',
      help: 'Status events stored',
      registers: [registry],
    }),
    repeats: new Counter({
      name: 'wapipe_delivery_repeats_total',
      help: 'Status events and registrations dropped because they were already stored',
      registers: [registry],
    }),
  };
}

export async function startDelivery(
  env: DeliveryEnv & { KAFKA_BROKERS: string[] },
  context: { logger: Logger; registry: Registry },
): Promise<RunningConsumer> {
  return startConsumerService({
    name: 'delivery',
    env,
    migrations: await deliveryMigrations(),
    logger: context.logger,
    registry: context.registry,
    // Every insert makes a part per table, so units of tens of thousands of events (a few seconds of
    // traffic at full speed) amortise that: bench/delivery.ts measured 24 MB fetches 13% faster than 6 MB.
    fetch: { maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 24 * 1024 * 1024 },
    journalViews: deliveryJournalViews,
    handler: ({ ch, topics, registry }) =>
      createDeliveryHandler({
        ch,
        transitionsTopic: topics.statusTransitions,
        metrics: deliveryMetrics(registry),
      }),
  });
}
