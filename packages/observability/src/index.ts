export { createLogger, redact, silentLogger } from './logger.ts';
export type { LogFields, LogLevel, Logger, LoggerOptions } from './logger.ts';
export {
  Counter,
  Gauge,
  Histogram,
  Registry,
  createRegistry,
  latencyBucketsSeconds,
  metricOnce,
} from './metrics.ts';
