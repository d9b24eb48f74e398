import { describe, expect, it } from 'vitest';
import { WAPIPE_VERSION, createRegistry } from './metrics.ts';

describe('registry', () => {
  it('keeps the standard process and Node.js metric names', async () => {
    const text = await createRegistry({ defaultMetrics: true }).metrics();
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_total_bytes /m);
    expect(text).not.toMatch(/^wapipe_(nodejs|process)_/m);
    // Gauges named like counters are left out (promtool check metrics refuses them).
    expect(text).not.toMatch(/^nodejs_active_handles_total/m);
  });

  it('says which build runs where', async () => {
    const text = await createRegistry({ build: { service: 'api' } }).metrics();
    expect(WAPIPE_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(text).toContain(
      `wapipe_build_info{version="${WAPIPE_VERSION}",node="${process.version}",service="api"} 1`,
    );
  });
});
