import { Counter, Histogram, latencyBucketsSeconds, metricOnce } from '@wapipe/observability';
import type { Registry } from '@wapipe/observability';

export function createApiMetrics(registry: Registry) {
  const registers = [registry];
  return {
    requests: metricOnce(
      registry,
      'wapipe_api_requests_total',
      () =>
        new Counter({
          name: 'wapipe_api_requests_total',
          help: 'Requests answered, by route and status',
          labelNames: ['route', 'status'],
          registers,
        }),
    ),
    seconds: metricOnce(
      registry,
      'wapipe_api_request_seconds',
      () =>
        new Histogram({
          name: 'wapipe_api_request_seconds',
          help: 'Time from request to answer, by route',
          labelNames: ['route'],
          buckets: latencyBucketsSeconds,
          registers,
        }),
    ),
  };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;
