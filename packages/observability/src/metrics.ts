// Metrics are plain prom-client objects on a registry the process owns; the all-in-one shares one registry
// across services, so every wapipe metric name carries its service prefix (`wapipe_<service>_…`) and its
// unit (`_seconds`, `_records`, `_total`). Process metrics keep their standard names (process_*, nodejs_*)
// so stock dashboards and alert rules work unchanged.
import { readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** wapipe's version: the repository's package.json (present in every image, which runs the workspaces). */
export const WAPIPE_VERSION: string = (() => {
  try {
    const root = new URL('../../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(root, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();

export { Counter, Gauge, Histogram, Registry };

export interface RegistryOptions {
  /** Process and Node.js runtime metrics (process_*, nodejs_*); one registry per process should have them. */
  defaultMetrics?: boolean;
  /** `wapipe_build_info{version,node,service} 1`: which build runs where (version: WAPIPE_VERSION). */
  build?: { service: string; version?: string };
}

export function createRegistry(options: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics) {
    collectDefaultMetrics({ register: registry });
    // Gauges named like counters (promtool check metrics refuses them); nodejs_active_{handles,requests,
    // resources}{type} carry the same numbers by type.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      registry.removeSingleMetric(name);
    }
  }
  if (options.build) {
    new Gauge({
      name: 'wapipe_build_info',
      help: 'Always 1; the labels name the running build',
      labelNames: ['version', 'node', 'service'],
      registers: [registry],
    }).set(
      {
        version: options.build.version ?? WAPIPE_VERSION,
        node: process.version,
        service: options.build.service,
      },
      1,
    );
  }
  return registry;
}

/** Returns the metric already registered under `name`, or registers the one `make` builds. */
export function metricOnce<T>(registry: Registry, name: string, make: () => T): T {
  const existing = registry.getSingleMetric(name);
  return (existing as T | undefined) ?? make();
}

export const latencyBucketsSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
