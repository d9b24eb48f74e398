// The read API on a fresh database with the real tables, for one test file: a setup connection to insert
// rows, and the app on its own connection, as in production.
import { createClickHouse } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { createApiApp, memorySessionDirectory } from '@wapipe/api';
import { createLogger, silentLogger } from '@wapipe/observability';
import type { Hono } from 'hono';
import { testClickHouse } from '../harness/clickhouse.ts';
import { createApiTables } from './api-tables.ts';

export const API_KEY = 'test-key-0123456789';

export interface ApiTestApp {
  /** Setup connection: insert rows, count rows. */
  ch: ClickHouse;
  app: Hono;
  /** The sessions the app knows exist (routes under /v1/sessions/{id}/ answer 404 for the others). */
  sessions: ReturnType<typeof memorySessionDirectory>;
  /** GET with the API key; `key: null` sends none. */
  get(path: string, options?: { key?: string | null }): Promise<Response>;
  /** GET with the API key, expecting `status`; returns the JSON body. */
  getJson<T = Record<string, unknown>>(path: string, status?: number): Promise<T>;
  cleanup(): Promise<void>;
}

export async function startApiTestApp(
  options: { now?: Date; tables?: boolean; sessions?: string[] } = {},
): Promise<ApiTestApp> {
  const t = await testClickHouse();
  if (options.tables !== false) await createApiTables(t.ch);
  const apiCh = createClickHouse(t.options);
  const now = options.now;
  const sessions = memorySessionDirectory(options.sessions ?? []);
  const app = createApiApp({
    ch: apiCh,
    apiKeys: [API_KEY, 'second-key'],
    sessions,
    logger: process.env['API_TEST_LOG'] ? createLogger({ level: 'info' }) : silentLogger,
    ...(now ? { now: () => now } : {}),
  });
  const get = async (path: string, o: { key?: string | null } = {}) => {
    const key = o.key === undefined ? API_KEY : o.key;
    return await app.request(path, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  };
  return {
    ch: t.ch,
    app,
    sessions,
    get,
    async getJson<T>(path: string, status = 200) {
      const res = await get(path);
      const body = (await res.json()) as T;
      if (res.status !== status) {
        throw new Error(`GET ${path}: expected ${status}, got ${res.status} ${JSON.stringify(body)}`);
      }
      return body;
    },
    async cleanup() {
      await apiCh.close();
      await t.cleanup();
    },
  };
}
