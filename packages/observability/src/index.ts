export { createLogger, redact, silentLogger } from './logger.ts';
export type { LogFields, LogLevel, Logger, LoggerOptions } from './logger.ts';
export {
  Counter,
  Gauge,
  Histogram,
  Registry,
  WAPIPE_VERSION,
  createRegistry,
  latencyBucketsSeconds,
  metricOnce,
} from './metrics.ts';
export type { RegistryOptions } from './metrics.ts';
