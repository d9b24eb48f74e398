// bench/ingress: signed Meta webhooks per second and their latency, wapipe's ingress against a baseline
// built like the seed guide's minimal receiver (verify, then one awaited produce per request), both on the
// same broker in the same run. Run: `npx tsx bench/ingress.ts` (BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS;
// BENCH_KAFKA_NODES=3 runs both on a local 3-node cluster: replication 3, min ISR 2, acks=all, issue 19).
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
// The baseline is deliberately the naive design, straight on the client library.
// eslint-disable-next-line no-restricted-imports -- the baseline is kafkajs used directly, one send per request
import { Kafka, logLevel } from 'kafkajs';
import { metaEnvelope } from '@wapipe/events';
import { ingressEnv, signMetaBody, startIngress } from '@wapipe/ingress';
import { createRegistry, silentLogger } from '@wapipe/observability';
import { topicCatalog } from '@wapipe/kafka';
import { benchBroker } from './support/local-kafka.ts';
import { median, runLoad } from './support/load.ts';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 64);
const SECRET = 'bench-app-secret';

function metaBody(statuses: number) {
  return JSON.stringify(
    metaEnvelope(
      {
        statuses: Array.from({ length: statuses }, (_, i) => ({
          id: `wamid.${randomUUID()}`,
          status: i % 3 === 0 ? 'sent' : 'delivered',
          timestamp: '1764403200',
          recipient_id: '16505551234',
          pricing: { billable: true, pricing_model: 'PMP', category: 'utility' },
        })),
      },
      { businessAccountId: '1' },
    ),
  );
}

async function listen(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The seed guide's receiver: check the signature, await one produce (acks=all), answer. */
async function startBaseline(brokers: string[], topic: string) {
  const kafka = new Kafka({ clientId: 'baseline', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const app = new Hono();
  app.post('/webhooks/meta/:sessionId', async (c) => {
    const body = Buffer.from(await c.req.arrayBuffer());
    if (signMetaBody(body, SECRET) !== c.req.header('x-hub-signature-256'))
      return c.json({ error: 'bad signature' }, 401);
    const event = JSON.parse(body.toString()) as { entry?: unknown };
    if (!event || typeof event !== 'object') return c.json({ error: 'invalid webhook payload' }, 400);
    await producer.send({ topic, acks: -1, messages: [{ key: c.req.param('sessionId'), value: body }] });
    return c.json({ received: true });
  });
  const server = await listen(app.fetch);
  return {
    url: server.url,
    async stop() {
      await server.close();
      await producer.disconnect();
    },
  };
}

async function main() {
  const broker = await benchBroker();
  const prefix = `bench-${randomUUID().slice(0, 6)}`;
  const env = ingressEnv.parse({
    KAFKA_BROKERS: broker.brokers.join(','),
    TOPIC_PREFIX: prefix,
    API_KEYS: 'bench-key-0123456789',
    SESSIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
  });
  const ingress = await startIngress(
    { ...env, KAFKA_BROKERS: env.KAFKA_BROKERS! },
    { logger: silentLogger, registry: createRegistry() },
  );
  await ingress.app.request('/v1/sessions/bench', {
    method: 'PUT',
    headers: { Authorization: 'Bearer bench-key-0123456789', 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'meta', enableWebhook: true, secret: SECRET }),
  });
  const wapipe = await listen(ingress.app.fetch);
  const baseline = await startBaseline(broker.brokers, topicCatalog(prefix).raw);

  const results: Record<string, { rps: number[]; p50: number[]; p99: number[] }> = {};
  for (const statuses of [1, 50]) {
    const body = metaBody(statuses);
    const headers = { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(body, SECRET) };
    for (let round = 1; round <= rounds; round++) {
      for (const [name, url] of [
        ['wapipe', wapipe.url],
        ['baseline', baseline.url],
      ] as const) {
        const key = `${name} ${statuses}/req`;
        process.stdout.write(`round ${round}/${rounds}: ${key}, ${seconds}s × ${connections} connections… `);
        const r = await runLoad({ url: `${url}/webhooks/meta/bench`, body, headers, connections, seconds });
        if (r.non2xx > 0 || r.errors > 0)
          throw new Error(`${key}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
        process.stdout.write(`${Math.round(r.requestsPerSecond)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms\n`);
        const entry = (results[key] ??= { rps: [], p50: [], p99: [] });
        entry.rps.push(r.requestsPerSecond);
        entry.p50.push(r.p50);
        entry.p99.push(r.p99);
      }
    }
  }
  await baseline.stop();
  await wapipe.close();
  await ingress.stop();
  await broker.stop();

  console.log(
    `\nmedians of ${rounds} rounds (signed Meta webhooks, ${connections} connections, broker on this machine)`,
  );
  console.log('case              req/s   events/s   p50 ms   p99 ms');
  for (const [key, r] of Object.entries(results)) {
    const rps = median(r.rps);
    const events = rps * Number(key.split(' ')[1]!.split('/')[0]);
    console.log(
      `${key.padEnd(16)} ${String(Math.round(rps)).padStart(6)} ${String(Math.round(events)).padStart(10)} ${String(median(r.p50)).padStart(8)} ${String(median(r.p99)).padStart(8)}`,
    );
  }
  for (const statuses of [1, 50]) {
    const w = results[`wapipe ${statuses}/req`]!;
    const b = results[`baseline ${statuses}/req`]!;
    console.log(
      `ratio wapipe/baseline, ${statuses} status(es) per request: throughput ${(median(w.rps) / median(b.rps)).toFixed(2)}×, p99 ${(median(w.p99) / median(b.p99)).toFixed(2)}×`,
    );
  }
}

await main();
