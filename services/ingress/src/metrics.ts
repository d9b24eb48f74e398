import { Counter, Gauge, Histogram, latencyBucketsSeconds } from '@wapipe/observability';
import type { Registry } from '@wapipe/observability';

export const rejectionReasons = [
  'signature',
  'schema',
  'json',
  'size',
  'session',
  'content_type',
  'body_timeout',
  'unavailable',
] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

export function createIngressMetrics(registry: Registry) {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'wapipe_ingress_requests_total',
      help: 'Requests answered, by route and status',
      labelNames: ['route', 'status'],
      registers,
    }),
    intakeSeconds: new Histogram({
      name: 'wapipe_ingress_request_seconds',
      help: 'Time from request to answer',
      labelNames: ['route'],
      buckets: latencyBucketsSeconds,
      registers,
    }),
    produceSeconds: new Histogram({
      name: 'wapipe_ingress_produce_seconds',
      help: 'Time for one produce batch to be acked (acks=all)',
      buckets: latencyBucketsSeconds,
      registers,
    }),
    produceBatchRecords: new Histogram({
      name: 'wapipe_ingress_produce_batch_records',
      help: 'Records per produce batch',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
      registers,
    }),
    inFlight: new Gauge({
      name: 'wapipe_ingress_in_flight_requests',
      help: 'Webhook requests being processed',
      registers,
    }),
    rejections: new Counter({
      name: 'wapipe_ingress_rejections_total',
      help: 'Rejected webhook requests by reason',
      labelNames: ['reason'],
      registers,
    }),
    events: new Counter({
      name: 'wapipe_ingress_events_total',
      help: 'Events accepted, by provider',
      labelNames: ['provider'],
      registers,
    }),
  };
}
export type IngressMetrics = ReturnType<typeof createIngressMetrics>;

const reasonByCode: Record<string, RejectionReason> = {
  missing_signature: 'signature',
  bad_signature: 'signature',
  stale_timestamp: 'signature',
  bad_shape: 'schema',
  session_mismatch: 'schema',
  bad_json: 'json',
  payload_too_large: 'size',
  unknown_session: 'session',
  unsupported_media_type: 'content_type',
  body_timeout: 'body_timeout',
  unavailable: 'unavailable',
};
export const rejectionReason = (code: string): RejectionReason | undefined => reasonByCode[code];
