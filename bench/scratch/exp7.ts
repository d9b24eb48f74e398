import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClickHouse, migrate } from '@wapipe/clickhouse';
import { deliveryMigrations } from '@wapipe/delivery';
import { normalizeRecord, readRawRecord } from '@wapipe/events';
import { createDeliveryProcess } from '../../services/delivery/src/process.ts';
import { statusTraffic } from '../support/status-traffic.ts';
import { silentLogger } from '@wapipe/observability';
const dataPath = await mkdtemp(join(tmpdir(), 'exp7-'));
const ch = createClickHouse({ database: 'exp', dataPath });
await ch.command({ query: 'CREATE DATABASE IF NOT EXISTS exp' });
await migrate(ch, { owner: 'delivery', migrations: await deliveryMigrations() });
const traffic = statusTraffic({ statusEvents: 100000 });
const events: any[] = [];
let t = performance.now();
for (const [i, r] of traffic.records.entries()) {
  const n = normalizeRecord(readRawRecord({ headers: Object.fromEntries(Object.entries(r.headers ?? {})), value: Buffer.from(r.value as string) }));
  for (const e of n.events) events.push({ ...e, origin: { partition: 0, offset: String(i) } });
}
console.log('normalize', Math.round(performance.now() - t), events.length);
const { process: run } = createDeliveryProcess({ ch, transitionsTopic: 't' });
for (let i = 0; i < 3; i++) {
  const slice = events.slice(i * 30000, (i + 1) * 30000);
  t = performance.now();
  const b = await run(slice, { records: [], logger: silentLogger });
  console.log('process', Math.round(performance.now() - t), b.writes.map((w) => w.rows.length));
  b.onStored?.();
}
await ch.close();
