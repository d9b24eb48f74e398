// The service's metrics. Counts of what is stored (failures by category, open alerts) are read from
// ClickHouse, and the dead-letter depth from Kafka, when Prometheus scrapes — at most every few seconds —
// so they are exact across restarts and replays, which counters kept in memory would not be.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { FAILURE_CATEGORIES } from '@wapipe/events';
import { consumerNames } from '@wapipe/kafka';
import type { KafkaConnection, TopicCatalog } from '@wapipe/kafka';
import { Counter, Gauge, metricOnce } from '@wapipe/observability';
import type { Logger, Registry } from '@wapipe/observability';
import { ALERT_KINDS, ALERT_SEVERITY } from '@wapipe/events';
import { dlqDepth } from './redrive/redrive.ts';

export function failuresCounters(registry: Registry) {
  return {
    repeats: metricOnce(
      registry,
      'wapipe_failures_repeats_total',
      () =>
        new Counter({
          name: 'wapipe_failures_repeats_total',
          help: 'Failure and session-state events dropped because they were already stored',
          registers: [registry],
        }),
    ),
    alertPosts: metricOnce(
      registry,
      'wapipe_failures_alert_posts_total',
      () =>
        new Counter({
          name: 'wapipe_failures_alert_posts_total',
          help: 'Alert webhook POSTs by outcome (delivered, rejected: 3xx or 4xx, not retried, failed: retried)',
          labelNames: ['outcome'],
          registers: [registry],
        }),
    ),
  };
}

const CountRow = z.object({ label: z.string(), n: z.coerce.number() });
const AlertCountRow = z.object({ kind: z.string(), severity: z.string(), n: z.coerce.number() });

interface Snapshot {
  byCategory: Map<string, number>;
  openAlerts: { kind: string; severity: string; n: number }[];
  dlqDepth: Map<string, number>;
}

const STATE_GAUGES = ['wapipe_failures_stored', 'wapipe_failures_open_alerts', 'wapipe_failures_dlq_depth'];

/** Gauges read at scrape time; returns a function that unregisters them (they hold live connections). */
export function registerStateGauges(
  registry: Registry,
  sources: { ch: ClickHouse; kafka: KafkaConnection; topics: TopicCatalog; logger: Logger },
  refreshMs = 2_000,
): () => void {
  const { ch, kafka, topics, logger } = sources;
  // A previous start on the same registry left gauges bound to closed connections: replace them.
  for (const name of STATE_GAUGES) registry.removeSingleMetric(name);
  let cached: { at: number; value: Promise<Snapshot | null> } | undefined;

  const read = async (): Promise<Snapshot | null> => {
    try {
      const [categories, alerts, depths] = await Promise.all([
        ch.query({
          query: `SELECT toString(category) AS label, count() AS n FROM ${ch.table('failures_events')} GROUP BY category`,
          schema: CountRow,
        }),
        ch.query({
          query: `SELECT toString(kind) AS kind, toString(severity) AS severity, count() AS n
                  FROM ${ch.table('failures_alerts')} FINAL WHERE status = 'open' GROUP BY kind, severity`,
          schema: AlertCountRow,
        }),
        Promise.all(consumerNames.map(async (c) => [c, await dlqDepth(kafka, topics, c)] as const)),
      ]);
      return {
        byCategory: new Map(categories.map((r) => [r.label, r.n])),
        openAlerts: alerts,
        dlqDepth: new Map(depths),
      };
    } catch (error) {
      logger.debug('metrics snapshot failed', { error: (error as Error).message });
      return null;
    }
  };
  const snapshot = () => {
    if (!cached || Date.now() - cached.at > refreshMs) cached = { at: Date.now(), value: read() };
    return cached.value;
  };

  new Gauge({
    name: 'wapipe_failures_stored',
    help: 'Failure events stored, by category',
    labelNames: ['category'],
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (!s) return;
      for (const category of new Set([...FAILURE_CATEGORIES, ...s.byCategory.keys()])) {
        this.set({ category }, s.byCategory.get(category) ?? 0);
      }
    },
  });
  new Gauge({
    name: 'wapipe_failures_open_alerts',
    help: 'Open alerts, by kind and severity',
    labelNames: ['kind', 'severity'],
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (!s) return;
      for (const kind of ALERT_KINDS) this.set({ kind, severity: ALERT_SEVERITY[kind] }, 0);
      for (const a of s.openAlerts) this.set({ kind: a.kind, severity: a.severity }, a.n);
    },
  });
  new Gauge({
    name: 'wapipe_failures_dlq_depth',
    help: 'Dead letters not yet copied back by a redrive, per consumer',
    labelNames: ['consumer'],
    registers: [registry],
    async collect() {
      const s = await snapshot();
      if (!s) return;
      for (const [consumer, depth] of s.dlqDepth) this.set({ consumer }, depth);
    },
  });
  return () => {
    for (const name of STATE_GAUGES) registry.removeSingleMetric(name);
  };
}
