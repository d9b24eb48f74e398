// The OpenAPI documents against the apps that serve them: valid (swagger-parser), and every route each
// server answers is in its document with the right method. A route added without its OperationDoc fails here.
import SwaggerParser from '@apidevtools/swagger-parser';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { apiAppRoutes, apiOperations, createApiApp, memorySessionDirectory } from '@wapipe/api';
import { createClickHouse } from '@wapipe/clickhouse';
import { healthRoutes } from '@wapipe/http';
import {
  createIngressApp,
  createIngressMetrics,
  createMemorySessionStore,
  ingressOperations,
} from '@wapipe/ingress';
import { createRegistry, silentLogger } from '@wapipe/observability';
import { allInOneApp } from './start.ts';

const KEY = 'openapi-test-key-0123';
const registry = createRegistry();
const checks = { kafka: async () => true };
const notCalled = () => Promise.reject(new Error('no request in this test produces'));
const ingress = createIngressApp({
  sessions: createMemorySessionStore(),
  publishRaw: notCalled,
  publishAudit: notCalled,
  limits: {
    maxBodyBytes: 1024,
    bodyTimeoutMs: 1000,
    signatureToleranceSeconds: 300,
    maxWebhooksInFlight: 1,
    replayCacheEntries: 1,
  },
  apiKeys: [KEY],
  metrics: createIngressMetrics(registry),
  logger: silentLogger,
  version: 'test',
});
// An HTTP connection is made only by a query, and no request here queries.
const ch = createClickHouse({ url: 'http://127.0.0.1:9', database: 'wapipe' });
const api = createApiApp({ ch, apiKeys: [KEY], sessions: memorySessionDirectory([]), logger: silentLogger });
afterAll(() => ch.close());

// As the services' index.ts serve them: health, then the service's app.
function alone(app: Hono) {
  const root = new Hono();
  root.route('/', healthRoutes({ registry, checks }));
  root.route('/', app);
  return root;
}
const servers: Record<string, Hono> = {
  ingress: alone(ingress),
  api: alone(api),
  'all-in-one': allInOneApp({
    registry,
    checks,
    ingress,
    api: { app: api, operations: apiOperations(apiAppRoutes({ ch })) },
  }),
};

type Doc = {
  servers: { url: string }[];
  paths: Record<
    string,
    Record<string, { security: Record<string, unknown>[]; responses: Record<string, unknown> }>
  >;
};
const documentOf = async (app: Hono) => (await (await app.request('/openapi.json')).json()) as Doc;

/** What a Hono app answers: [METHOD, OpenAPI path], middleware and catch-alls left out. */
const served = (app: Hono) =>
  [
    ...new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && !r.path.endsWith('*'))
        .map((r) => `${r.method} ${r.path}`),
    ),
  ]
    .map((entry) => entry.split(' ') as [string, string])
    .map(([method, path]) => [method, path.replace(/:([A-Za-z]+)/g, '{$1}')] as const);

describe.each(Object.keys(servers))('the %s document', (name) => {
  const app = servers[name]!;

  it('is valid OpenAPI 3.1 with servers', async () => {
    const doc = await documentOf(app);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
    expect(doc.servers.length).toBeGreaterThan(0);
  });

  it('has every route the server answers, with its method', async () => {
    const doc = await documentOf(app);
    const routes = served(app);
    expect(routes.length).toBeGreaterThan(5);
    for (const [method, path] of routes) {
      expect(doc.paths[path]?.[method.toLowerCase()], `${method} ${path}`).toBeDefined();
    }
    // …and nothing the server does not answer.
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map(([m, p]) => `${m} ${p}`).sort());
  });

  it('serves a self-contained reference page naming every operation', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    for (const [, path] of served(app)) expect(html, path).toContain(path);
    expect(html).not.toMatch(/<(script|link|img)\b[^>]*(src|href)=["']?(https?:)?\/\//i);
  });
});

describe('the all-in-one document', () => {
  it('covers the contract, each route with its credential', async () => {
    const doc = await documentOf(servers['all-in-one']!);
    const security = (method: string, path: string) => doc.paths[path]?.[method]?.security;
    const key = [{ apiKey: [] }];
    expect(security('get', '/webhooks/meta/{sessionId}')).toEqual([]);
    expect(security('post', '/webhooks/meta/{sessionId}')).toEqual([{ metaSignature: [] }]);
    expect(security('post', '/webhooks/chatsend/{sessionId}')).toEqual([{ standardWebhooks: [] }]);
    for (const [method, path] of [
      ['put', '/v1/sessions/{sessionId}'],
      ['get', '/v1/sessions/{sessionId}'],
      ['get', '/v1/sessions'],
      ['post', '/v1/messages'],
      ['get', '/v1/messages/{id}'],
      ['get', '/v1/messages/{id}/raw'],
      ['get', '/v1/raw'],
      ['get', '/v1/audit'],
      ['get', '/v1/alerts'],
      ['get', '/v1/sessions/{sessionId}/stats'],
      ['get', '/v1/sessions/{sessionId}/failures'],
      ['get', '/v1/sessions/{sessionId}/replies'],
      ['get', '/v1/sessions/{sessionId}/stream'],
    ] as const) {
      expect(security(method, path), `${method} ${path}`).toEqual(key);
      expect(doc.paths[path]?.[method]?.responses['401'], `${method} ${path}`).toEqual({
        description: expect.any(String),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      });
    }
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
      expect(security('get', path), path).toEqual([]);
    }
  });

  it('has request examples that the routes’ own schemas accept', () => {
    let examples = 0;
    for (const op of ingressOperations) {
      for (const [name, example] of Object.entries(op.body?.examples ?? {})) {
        if (JSON.stringify(example.value).includes('<')) continue; // a placeholder secret
        const result = op.body!.schema.safeParse(example.value);
        expect(result.success, `${op.operationId} ${name}: ${result.error?.message}`).toBe(true);
        examples++;
      }
    }
    expect(examples).toBeGreaterThanOrEqual(10);
  });
});
