// Issue 13, finding 3: before the signature is checked, anyone who knows a session id can open a webhook
// body. A flood of slow uploads (loopback only, bounded in count and time) against the real ingress, served
// the way every process serves (serveHttp with the env's limits), must keep memory bounded, turn away what
// is beyond the caps, and leave the ingress answering legitimate requests afterwards.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveHttp } from '@wapipe/http';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import {
  META_SECRET,
  auth,
  metaHeaders,
  metaStatusBody,
  startTestIngress,
} from '../../../test/support/ingress.ts';

const ATTACKERS = 300;
const MAX_CONNECTIONS = 250;
const MAX_IN_FLIGHT = 40;
const BODY_TIMEOUT_MS = 3_000;
const HEADERS_TIMEOUT_MS = 2_000;
/** What each slow sender manages to upload before it stalls. */
const UPLOAD_BYTES = 512 * 1024;

let ingress: Awaited<ReturnType<typeof startTestIngress>>;
let server: ReturnType<typeof serveHttp>;
let port = 0;

beforeAll(async () => {
  ingress = await startTestIngress(testBrokers(), uniqueName('ingress-flood'), {
    MAX_WEBHOOKS_IN_FLIGHT: String(MAX_IN_FLIGHT),
    BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
  });
  const put = await ingress.request('/v1/sessions/flood', {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'meta', enableWebhook: true, secret: META_SECRET }),
  });
  expect(put.status).toBe(200);
  await new Promise<void>((resolve) => {
    server = serveHttp({
      fetch: ingress.app.fetch,
      port: 0,
      hostname: '127.0.0.1',
      limits: {
        headersTimeoutMs: HEADERS_TIMEOUT_MS,
        requestTimeoutMs: 30_000,
        maxConnections: MAX_CONNECTIONS,
      },
      onListening: (p) => {
        port = p;
        resolve();
      },
    });
  });
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await ingress?.stop();
});

type Outcome = { status: number } | { status: 'closed' };

/** Sends a 4 MB request head and 16 KiB, then 64 KiB every 100 ms up to UPLOAD_BYTES, then stalls. */
function slowUpload(): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (outcome: Outcome) => {
      clearInterval(timer);
      socket.destroy();
      resolve(outcome);
    };
    const send = (bytes: number) => {
      if (sent >= UPLOAD_BYTES || socket.destroyed) return;
      socket.write(Buffer.alloc(bytes, 0x20));
      sent += bytes;
    };
    socket.on('connect', () => {
      socket.write(
        'POST /webhooks/meta/flood HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
          `Content-Length: 4000000\r\nX-Hub-Signature-256: sha256=${'0'.repeat(64)}\r\n\r\n`,
      );
      send(16 * 1024);
      timer = setInterval(() => send(64 * 1024), 100);
    });
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status) done({ status: Number(status[1]) });
    });
    socket.on('error', () => done({ status: 'closed' }));
    socket.on('close', () => done({ status: 'closed' }));
  });
}

const memory = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

/** A signed Meta post on a connection of its own (no keep-alive pool, so every call is a new socket). */
const legitimate = () =>
  new Promise<{ status: number; retryAfter: string | undefined; json: unknown }>((resolve, reject) => {
    const body = metaStatusBody([{ id: `wamid.legit.${randomUUID()}`, status: 'sent' }]);
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhooks/meta/flood',
        headers: metaHeaders(body),
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'] as string | undefined,
            json: JSON.parse(text) as unknown,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });

it('a slow-body flood gets 503s beyond the cap, memory stays bounded, and legitimate requests succeed after', async () => {
  expect((await legitimate()).status).toBe(200);
  const before = memory();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, memory())), 20);
  const started = performance.now();
  const outcomes = await Promise.all(Array.from({ length: ATTACKERS }, () => slowUpload()));
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;

  const count = (status: number | 'closed') => outcomes.filter((o) => o.status === status).length;
  const growthMiB = (peak - before) / 2 ** 20;
  console.log(
    `flood of ${ATTACKERS}: ${count(503)} × 503, ${count(408)} × 408, ${count('closed')} closed ` +
      `unanswered, peak heap+external growth ${growthMiB.toFixed(1)} MiB, ${seconds.toFixed(1)} s`,
  );
  // Every connection ends: turned away at once (503, or closed beyond MAX_CONNECTIONS) or timed out (408).
  expect(count(503) + count(408) + count('closed')).toBe(ATTACKERS);
  expect(count(408)).toBeLessThanOrEqual(MAX_IN_FLIGHT);
  expect(count(503) + count('closed')).toBeGreaterThanOrEqual(ATTACKERS - MAX_IN_FLIGHT);
  expect(count(503)).toBeGreaterThan(0);
  // Unbounded, 300 uploads of 512 KiB each would hold 150 MiB; the cap holds at most 40 of them (20 MiB).
  expect(growthMiB).toBeLessThan(100);
  expect(seconds).toBeLessThan(BODY_TIMEOUT_MS / 1000 + 10);

  await waitFor('a legitimate request to be accepted after the flood', async () => {
    const res = await legitimate();
    return res.status === 200 && (res.json as { received?: number }).received === 1;
  });
});

it('a legitimate request while every body slot is held answers 503 with Retry-After', async () => {
  const held = Array.from({ length: MAX_IN_FLIGHT }, () => slowUpload());
  await waitFor('every body slot to be held', async () => (await legitimate()).status === 503, {
    timeoutMs: 10_000,
  });
  const res = await legitimate();
  expect(res.status).toBe(503);
  expect(res.retryAfter).toBe('1');
  expect(res.json).toMatchObject({ error: { code: 'unavailable' } });
  await Promise.all(held);
  await waitFor('the ingress to accept again', async () => (await legitimate()).status === 200);
});

it('connections beyond MAX_CONNECTIONS are closed at once, and accepted again once others close', async () => {
  const idle: Socket[] = [];
  try {
    for (let i = 0; i < MAX_CONNECTIONS; i++) {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => {});
      idle.push(socket);
    }
    await Promise.all(idle.map((s) => new Promise((resolve) => s.once('connect', resolve))));
    await waitFor('the server to count every connection', async () => {
      const open = await new Promise<number>((resolve) => server.getConnections((_, n) => resolve(n)));
      return open >= MAX_CONNECTIONS;
    });
    await expect(legitimate()).rejects.toThrow();
  } finally {
    for (const socket of idle) socket.destroy();
  }
  await waitFor(
    'a connection to be accepted again',
    async () => (await legitimate().catch(() => null))?.status === 200,
  );
});

it('a client that never finishes its headers is cut off after HEADERS_TIMEOUT_MS', async () => {
  const started = performance.now();
  const outcome = await new Promise<string>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.on('connect', () => socket.write('POST /webhooks/meta/flood HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', () => {});
  });
  const seconds = (performance.now() - started) / 1000;
  expect(outcome).toMatch(/^(HTTP\/1\.1 408|)/);
  expect(seconds).toBeGreaterThan(HEADERS_TIMEOUT_MS / 1000 - 0.5);
  expect(seconds).toBeLessThan(HEADERS_TIMEOUT_MS / 1000 + 3);
});
