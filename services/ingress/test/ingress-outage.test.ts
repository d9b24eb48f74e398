// With its broker gone, the ingress must answer 503 with Retry-After within the produce timeout instead of
// hanging, never 200; and it must recover by itself when the broker is back.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findFreePort, startLocalBroker } from '@wapipe/local-kafka';
import type { LocalBroker } from '@wapipe/local-kafka';
import { waitFor } from '../../../test/harness/kafka.ts';
import {
  META_SECRET,
  auth,
  metaHeaders,
  metaStatusBody,
  readRawTopic,
  startTestIngress,
} from '../../../test/support/ingress.ts';

let dataDir: string;
let ports: { port: number; controllerPort: number };
let broker: LocalBroker;
let ingress: Awaited<ReturnType<typeof startTestIngress>>;
const prefix = 'outage';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'wapipe-outage-'));
  ports = { port: await findFreePort(), controllerPort: await findFreePort() };
  broker = await startLocalBroker({ dataDir, ...ports });
  ingress = await startTestIngress(broker.brokers, prefix, { PRODUCE_TIMEOUT_MS: '3000' });
  const put = await ingress.request('/v1/sessions/s1', {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'meta', enableWebhook: true, secret: META_SECRET }),
  });
  expect(put.status).toBe(200);
});

afterAll(async () => {
  await ingress?.stop().catch(() => {});
  await broker?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const post = (body: string) =>
  ingress.request('/webhooks/meta/s1', { method: 'POST', headers: metaHeaders(body), body });

it('answers 503 with Retry-After while the broker is stopped, and 200 again once it is back', async () => {
  const before = metaStatusBody([{ id: `wamid.${randomUUID()}`, status: 'sent' }]);
  expect((await post(before)).status).toBe(200);

  await broker.stop();
  const during = metaStatusBody([{ id: `wamid.${randomUUID()}`, status: 'delivered' }]);
  const started = performance.now();
  const res = await post(during);
  const seconds = (performance.now() - started) / 1000;
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('5');
  expect(await res.json()).toMatchObject({ error: { code: 'unavailable' } });
  expect(seconds).toBeLessThan(8);

  broker = await startLocalBroker({ dataDir, ...ports });
  const after = metaStatusBody([{ id: `wamid.${randomUUID()}`, status: 'read' }]);
  await waitFor('the ingress to accept again', async () => (await post(after)).status === 200, {
    timeoutMs: 60_000,
    pollMs: 500,
  });

  const reader = await readRawTopic(broker.brokers, prefix);
  try {
    await waitFor('the accepted bodies', () => {
      const bodies = reader.records.map((r) => r.value!.toString());
      return bodies.includes(before) && bodies.includes(after);
    });
  } finally {
    await reader.close();
  }
});
