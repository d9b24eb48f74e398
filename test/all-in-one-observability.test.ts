// What an operator sees of a running all-in-one (issue 20): JSON answers for unknown routes, methods and
// sessions, the sessions list, request ids from the webhook to a consumer's log line, /metrics that
// promtool accepts with each service counting only its own routes, alert rules promtool accepts, and a
// clean start that logs no error or warning.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { PrometheusFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './harness/kafka.ts';
import { startReadyAllInOne } from './support/all-in-one-process.ts';
import type { ReadyAllInOne } from './support/all-in-one-process.ts';
import { META_SECRET, metaHeaders, metaStatusBody } from './support/ingress.ts';

const run = promisify(execFile);
const KEY = 'observability-key-0123456789';
const auth = { Authorization: `Bearer ${KEY}` };
const json = { ...auth, 'content-type': 'application/json' };
const docs = new URL('../docs/', import.meta.url).pathname;

let aio: ReadyAllInOne;
beforeAll(async () => {
  aio = await startReadyAllInOne({ API_KEYS: KEY, LOG_LEVEL: 'debug' });
  for (const id of ['obs-a', 'obs-b', 'obs-c']) {
    const put = await fetch(`${aio.url}/v1/sessions/${id}`, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ provider: 'meta', enableWebhook: true, secret: META_SECRET, verifyToken: 'vt' }),
    });
    expect(put.status, await put.text()).toBe(200);
  }
}, 180_000);

afterAll(async () => {
  await aio?.stop();
});

const get = (path: string, init: RequestInit = {}) =>
  fetch(`${aio.url}${path}`, { ...init, headers: { ...auth, ...init.headers } });
const range = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;

describe('answers', () => {
  it('answers an unknown route 404 and a wrong method 405 with Allow, in the error shape', async () => {
    const unknown = await get('/nothing-here');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });

    const wrongMethod = await get('/v1/messages');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(await wrongMethod.json()).toEqual({
      error: { code: 'method_not_allowed', message: expect.stringContaining('POST') },
    });

    const deleteSession = await get('/v1/sessions/obs-a', { method: 'DELETE' });
    expect(deleteSession.status).toBe(405);
    expect(deleteSession.headers.get('allow')).toBe('GET, HEAD, PUT');
  });

  it('answers 404 unknown_session on every read under /v1/sessions/{id}/ for a session nobody configured', async () => {
    for (const path of [`stats?${range}`, `failures?${range}`, `replies?${range}`]) {
      const missing = await get(`/v1/sessions/nobody-${randomUUID().slice(0, 8)}/${path}`);
      expect(missing.status, path).toBe(404);
      expect(await missing.json()).toEqual({
        error: { code: 'unknown_session', message: expect.any(String) },
      });
      expect((await get(`/v1/sessions/obs-a/${path}`)).status, path).toBe(200);
    }
    // The event stream too, before it opens (a stream that opened would answer 200 and never end).
    const stream = await get(`/v1/sessions/nobody-${randomUUID().slice(0, 8)}/stream`);
    expect(stream.status).toBe(404);
    expect(await stream.json()).toEqual({ error: { code: 'unknown_session', message: expect.any(String) } });
  });

  it('lists every session, paged, with secrets redacted', async () => {
    const first = await get('/v1/sessions?limit=2');
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as { sessions: { sessionId: string }[]; nextCursor: string | null };
    expect(page1.sessions.map((s) => s.sessionId)).toEqual(['obs-a', 'obs-b']);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const second = await get(`/v1/sessions?limit=2&cursor=${page1.nextCursor}`);
    const page2 = (await second.json()) as { sessions: Record<string, unknown>[]; nextCursor: string | null };
    expect(page2).toEqual({
      sessions: [
        {
          sessionId: 'obs-c',
          provider: 'meta',
          enableWebhook: true,
          secret: '[redacted]',
          verifyToken: '[redacted]',
          updatedAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
    expect(JSON.stringify(page1) + JSON.stringify(page2)).not.toContain(META_SECRET);
    expect((await get('/v1/sessions?limit=0')).status).toBe(400);
    expect((await get('/v1/sessions?cursor=not-ours!')).status).toBe(400);
  });
});

describe('request ids', () => {
  it('echoes X-Request-Id and names it in each consumer’s log line about the record', async () => {
    const requestId = `obs-${randomUUID()}`;
    const body = metaStatusBody([{ id: `wamid.obs.${Date.now()}`, status: 'delivered' }]);
    const res = await fetch(`${aio.url}/webhooks/meta/obs-a`, {
      method: 'POST',
      headers: { ...metaHeaders(body), 'X-Request-Id': requestId },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const consumersNaming = () =>
      new Set(
        aio
          .records()
          .filter((r) => r['msg'] === 'batch stored' && (r['requestIds'] as unknown[]).includes(requestId))
          .map((r) => r['service']),
      );
    await waitFor('every consumer to log the request id', () => consumersNaming().size === 4, {
      timeoutMs: 60_000,
      pollMs: 200,
    });
    expect([...consumersNaming()].sort()).toEqual(['archive', 'delivery', 'failures', 'replies']);

    // Without one, the answer carries a made id, and a traceparent's trace id is taken as the id.
    expect((await get('/healthz')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const traced = await get('/healthz', {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(traced.headers.get('x-request-id')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });
});

describe('metrics', () => {
  let families: PrometheusFamily[] = [];
  let text = '';
  beforeAll(async () => {
    // Traffic of both services, including a request no route serves (GET /v1/messages); the answers
    // themselves are checked above.
    for (const path of [
      `/v1/sessions/obs-b/stats?${range}`,
      '/v1/sessions/obs-b',
      '/v1/messages',
      '/v1/messages/wamid.nothing',
    ]) {
      await (await get(path)).arrayBuffer();
    }
    text = await (await fetch(`${aio.url}/metrics`)).text();
    families = parsePrometheusTextFormat(text);
  });
  const family = (name: string) => families.find((f) => f.name === name);
  const routes = (name: string) => new Set(family(name)?.metrics.map((m) => m.labels?.['route']));

  it('pass promtool check metrics', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wapipe-metrics-'));
    try {
      await writeFile(join(dir, 'metrics.txt'), text);
      const { stdout, stderr } = await run('sh', [
        '-c',
        `promtool check metrics < ${join(dir, 'metrics.txt')}`,
      ]);
      expect(stdout + stderr).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('count each service’s own routes only, by the matched route', () => {
    const ingress = routes('wapipe_ingress_requests_total');
    const api = routes('wapipe_api_requests_total');
    for (const route of ingress) {
      expect([
        'meta_verify',
        'meta_webhook',
        'chatsend_webhook',
        'sessions_list',
        'sessions_put',
        'sessions_get',
        'messages_register',
      ]).toContain(route);
    }
    expect(ingress).toContain('sessions_put');
    expect(ingress).not.toContain('messages_register');
    expect(api).toContain('stats');
    expect(api).toContain('message');
    const apiStats = family('wapipe_api_requests_total')!.metrics.filter(
      (m) => m.labels?.['route'] === 'stats',
    );
    expect(apiStats.find((m) => m.labels?.['status'] === '404')?.value).toBe('1');
    const sessionsGets = family('wapipe_ingress_requests_total')!.metrics.filter(
      (m) => m.labels?.['route'] === 'sessions_get',
    );
    expect(sessionsGets.map((m) => [m.labels?.['status'], m.value])).toEqual([['200', '1']]);
  });

  it('log each request once, as the service whose route it is', () => {
    const requestLines = aio.records().filter((r) => r['msg'] === 'request');
    const byService = (service: string) =>
      new Set(requestLines.filter((r) => r['service'] === service).map((r) => r['route']));
    expect(byService('ingress')).not.toContain('stats');
    expect(byService('ingress')).not.toContain('other');
    expect(byService('api')).toContain('stats');
    const ids = requestLines.map((r) => r['requestId']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keep the standard process metric names, name units, and say which build runs', () => {
    expect(family('process_cpu_seconds_total')?.type).toBe('COUNTER');
    expect(family('nodejs_heap_size_total_bytes')?.type).toBe('GAUGE');
    expect(
      families.filter((f) => f.name.startsWith('wapipe_nodejs_') || f.name.startsWith('wapipe_process_')),
    ).toEqual([]);
    expect(family('wapipe_consumer_lag_records')?.type).toBe('GAUGE');
    expect(family('wapipe_consumer_lag')).toBeUndefined();
    const build = family('wapipe_build_info')!.metrics;
    expect(build).toEqual([
      {
        value: '1',
        labels: {
          version: expect.stringMatching(/^\d+\.\d+\.\d+/),
          node: process.version,
          service: 'all-in-one',
        },
      },
    ]);
  });
});

describe('alert rules example', () => {
  it('passes promtool check rules and its rule unit tests', async () => {
    const check = await run('promtool', ['check', 'rules', join(docs, 'alerts.rules.yml')]);
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const tests = await run('promtool', ['test', 'rules', join(docs, 'alerts.rules.test.yml')]);
    expect(tests.stdout).toContain('SUCCESS');
  });
});

describe('a clean start', () => {
  it('logs no error and no warning, from the start through all of the above', () => {
    const noisy = aio.records().filter((r) => r['level'] === 'error' || r['level'] === 'warn');
    expect(noisy.map((r) => JSON.stringify(r).slice(0, 300))).toEqual([]);
    expect(aio.run.lines.map((l) => l.text).filter((t) => t.length > 0 && !t.startsWith('{'))).toEqual([]);
  });
});
