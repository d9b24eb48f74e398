// The chdb HTTP server against the real engine, through the same createClickHouse({ url }) the services
// use, plus raw HTTP where the protocol itself is the point. The outage tests run it in a child process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClickHouse, migrate } from '@wapipe/clickhouse';
import { startChdbHttpServer } from '@wapipe/local-clickhouse';
import type { ClickHouse, ClickHouseOptions } from '@wapipe/clickhouse';
import type { ChdbHttpServer } from '@wapipe/local-clickhouse';
import { randomDatabaseName } from './harness/clickhouse.ts';
import { startChdbServerProcess } from './harness/clickhouse-server.ts';
import { waitFor } from './harness/kafka.ts';

const password = 'server-test-secret';
let dataDir: string;
let server: ChdbHttpServer;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'wapipe-chdb-http-'));
  server = await startChdbHttpServer({ path: dataDir, port: 0, password });
});

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const opened: ClickHouse[] = [];
const databases: string[] = [];
afterEach(async () => {
  const admin = createClickHouse({ url: server.url, password, database: 'default' });
  for (const database of databases.splice(0)) {
    await admin.command({ query: `DROP DATABASE IF EXISTS ${database} SYNC` });
  }
  await Promise.all([admin, ...opened.splice(0)].map((ch) => ch.close()));
});

/** A client on its own fresh database, closed and dropped after the test. */
async function openClient(extra: Partial<ClickHouseOptions> = {}): Promise<ClickHouse> {
  const database = randomDatabaseName();
  const ch = createClickHouse({ url: server.url, username: 'default', password, database, ...extra });
  opened.push(ch);
  databases.push(database);
  await ch.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  return ch;
}

/** A raw POST (or GET) to the server, authenticated unless told otherwise; no form Content-Type. */
function send(
  target: { url: string },
  search: Record<string, string>,
  init: { body?: string | Buffer; method?: string; headers?: Record<string, string>; password?: string } = {},
): Promise<Response> {
  const url = new URL(target.url);
  for (const [key, value] of Object.entries(search)) url.searchParams.set(key, value);
  const credentials = Buffer.from(`default:${init.password ?? password}`).toString('base64');
  return fetch(url, {
    method: init.method ?? 'POST',
    headers: { authorization: `Basic ${credentials}`, ...init.headers },
    body: typeof init.body === 'string' ? Buffer.from(init.body) : init.body,
  });
}

const Text = z.object({ s: z.string() });
const Count = z.object({ n: z.coerce.number() });

describe('the chdb HTTP server behind createClickHouse({ url })', () => {
  it('answers /ping with "Ok." without credentials, like a server', async () => {
    const response = await fetch(new URL('/ping', server.url));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('Ok.\n');
    expect(await (await openClient()).ping()).toBe(true);
  });

  it('round-trips bound strings with quotes, backslashes, control characters and unicode', async () => {
    const ch = await openClient();
    const values = [
      "it's",
      'back\\slash',
      "\\'",
      '\\N',
      'tab\there\nnew line\r',
      '"double" and `back`',
      'emoji 🚀, ünïcödé, 漢字',
      '{curly:String}',
      "'; DROP DATABASE default; --",
      '',
    ];
    for (const s of values) {
      expect(await ch.query({ query: 'SELECT {s:String} AS s', params: { s }, schema: Text })).toEqual([
        { s },
      ]);
    }
    const [row] = await ch.query({
      query: 'SELECT {list:Array(String)} AS list',
      params: { list: values },
      schema: z.object({ list: z.array(z.string()) }),
    });
    expect(row?.list).toEqual(values);

    await ch.command({ query: `CREATE TABLE ${ch.table('texts')} (s String) ENGINE = MergeTree ORDER BY s` });
    await ch.insert({ table: 'texts', rows: values.map((s) => ({ s })) });
    for (const s of values) {
      const found = await ch.query({
        query: `SELECT count() AS n FROM ${ch.table('texts')} WHERE s = {s:String}`,
        params: { s },
        schema: Count,
      });
      expect(found).toEqual([{ n: 1 }]);
    }
  });

  it('stores an insert repeated with the same dedupToken once, and keeps a later plain insert', async () => {
    const ch = await openClient();
    await ch.command({
      query: `CREATE TABLE ${ch.table('events')} (id UInt32) ENGINE = MergeTree ORDER BY id
              SETTINGS non_replicated_deduplication_window = 100`,
    });
    const rows = [{ id: 1 }, { id: 2 }];
    await ch.insert({ table: 'events', rows, dedupToken: 'batch:1' });
    await ch.insert({ table: 'events', rows, dedupToken: 'batch:1' });
    await ch.insert({ table: 'events', rows: [{ id: 3 }] });
    const count = await ch.query({ query: `SELECT count() AS n FROM ${ch.table('events')}`, schema: Count });
    expect(count).toEqual([{ n: 3 }]);
  });

  it('applies migrations once and skips them on the next run', async () => {
    const ch = await openClient();
    const migrations = [
      {
        version: 1,
        name: 'create_status',
        sql: `CREATE TABLE IF NOT EXISTS {db}.status (id String, at DateTime64(3, 'UTC'))
              ENGINE = MergeTree ORDER BY id`,
      },
      { version: 2, name: 'add_note', sql: 'ALTER TABLE {db}.status ADD COLUMN IF NOT EXISTS note String' },
    ];
    expect(await migrate(ch, { owner: 'http-test', migrations })).toEqual({ applied: [1, 2], skipped: [] });
    expect(await migrate(ch, { owner: 'http-test', migrations })).toEqual({ applied: [], skipped: [1, 2] });
    const at = new Date('2024-03-10T06:59:59.123Z');
    await ch.insert({ table: 'status', rows: [{ id: 'a', at: at.toISOString(), note: 'n' }] });
    const rows = await ch.query({
      query: `SELECT id, at, note FROM ${ch.table('status')} WHERE at = {at:DateTime64(3, 'UTC')}`,
      params: { at },
      schema: z.object({ id: z.string(), at: z.coerce.date(), note: z.string() }),
    });
    expect(rows).toEqual([{ id: 'a', at, note: 'n' }]);
  });

  it('reports a syntax error as a non-retryable CLICKHOUSE_QUERY_FAILED of type SYNTAX_ERROR', async () => {
    const ch = await openClient();
    const failure = await ch.command({ query: 'SELEC 1' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      name: 'ClickHouseError',
      code: 'CLICKHOUSE_QUERY_FAILED',
      clickhouseType: 'SYNTAX_ERROR',
      retry: false,
    });

    const response = await send(server, {}, { body: 'SELEC 1' });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-clickhouse-exception-code')).toBe('62');
    expect(await response.text()).toMatch(
      /^Code: 62\. DB::Exception: Syntax error: .*\(SYNTAX_ERROR\) \(version [\d.]+\)\n$/s,
    );
  });

  it('reports an unknown table as a non-retryable UNKNOWN_TABLE with status 404', async () => {
    const ch = await openClient();
    const failure = await ch
      .query({ query: `SELECT count() AS n FROM ${ch.table('missing')}`, schema: Count })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'CLICKHOUSE_QUERY_FAILED',
      clickhouseType: 'UNKNOWN_TABLE',
      retry: false,
    });
    const response = await send(server, {}, { body: `SELECT 1 FROM ${ch.table('missing')}` });
    expect(response.status).toBe(404);
  });

  it('rejects a wrong password with a non-retryable CLICKHOUSE_AUTH_FAILED that hides the password', async () => {
    const wrong = 'not-the-password';
    const ch = createClickHouse({
      url: server.url,
      username: 'default',
      password: wrong,
      database: 'wapipe',
    });
    opened.push(ch);
    const failure = await ch.command({ query: 'SELECT 1' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'CLICKHOUSE_AUTH_FAILED',
      clickhouseType: 'AUTHENTICATION_FAILED',
      retry: false,
    });
    expect((failure as Error).message).not.toContain(wrong);
    expect(await ch.ping()).toBe(false);

    const response = await send(server, {}, { body: 'SELECT 1', password: wrong });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-clickhouse-exception-code')).toBe('516');
    const anonymous = await fetch(new URL(`/?query=SELECT%201`, server.url));
    expect(anonymous.status).toBe(401);
  });

  it('runs 10 parallel queries on several engine connections at once, each with its own parameters', async () => {
    const ch = await openClient();
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ch.query({
          query: 'SELECT {i:UInt32} AS n, sleep(0.3) AS slept',
          params: { i },
          schema: Count,
        }),
      ),
    );
    const elapsed = performance.now() - started;
    expect(results.map((rows) => rows[0]?.n)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    // One connection would need 10 × 0.3 s; four need three rounds.
    expect(elapsed).toBeLessThan(2_400);
  });

  // @clickhouse/client sends query parameters in the URL. A read by 500 message ids made a 17 KB URL, which
  // Node's default header limit (16 KiB) refused with an empty error; ClickHouse takes URLs up to 1 MiB.
  it('takes a URL of 100 KB of query parameters, and names the limit past 1 MiB', async () => {
    const ch = await openClient();
    const ids = Array.from({ length: 2_000 }, (_, i) => `wamid.${'x'.repeat(40)}.${i}`);
    const [row] = await ch.query({
      query: 'SELECT length({ids:Array(String)}) AS n',
      params: { ids },
      schema: Count,
    });
    expect(row?.n).toBe(2_000);

    const tooLong = await ch
      .query({
        query: 'SELECT length({ids:Array(String)}) AS n',
        params: { ids: Array.from({ length: 10 }, () => ids).flat() },
        schema: Count,
      })
      .catch((error: unknown) => error);
    expect(tooLong).toMatchObject({
      name: 'ClickHouseError',
      clickhouseType: 'QUERY_IS_TOO_LARGE',
      retry: false,
    });
    expect(String((tooLong as Error).message)).toMatch(/longer than 1048576 bytes/);
  });

  it('refuses what a server refuses: several statements, writes over GET, binary insert formats', async () => {
    const multi = await send(server, {}, { body: 'SELECT 1; SELECT 2' });
    expect(multi.status).toBe(400);
    expect(await multi.text()).toContain('Multi-statements are not allowed');

    const write = await send(
      server,
      { query: 'CREATE DATABASE IF NOT EXISTS never_made' },
      { method: 'GET' },
    );
    expect(write.headers.get('x-clickhouse-exception-code')).toBe('164');
    const read = await send(server, { query: 'SELECT 40 + 2' }, { method: 'GET' });
    expect(await read.text()).toBe('42\n');

    const binary = await send(
      server,
      { query: 'INSERT INTO default.t FORMAT RowBinary' },
      { body: Buffer.from([1, 2]) },
    );
    expect(binary.status).toBe(501);
  });

  it('takes gzip request bodies and gzips the response when enable_http_compression=1', async () => {
    const response = await send(
      server,
      { enable_http_compression: '1', default_format: 'JSONEachRow' },
      {
        body: gzipSync('SELECT toString(number) AS n FROM numbers(3)'),
        headers: { 'content-encoding': 'gzip', 'accept-encoding': 'gzip' },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(response.headers.get('x-clickhouse-format')).toBe('JSONEachRow');
    expect(await response.text()).toBe('{"n":"0"}\n{"n":"1"}\n{"n":"2"}\n');
  });
});

describe('one request’s session state on the engine connection', () => {
  // One connection, so every request lands on the connection the previous one used.
  let single: ChdbHttpServer;
  beforeAll(async () => {
    single = await startChdbHttpServer({ path: dataDir, port: 0, password, connections: 1 });
  });
  afterAll(async () => {
    await single?.close();
  });

  const rowsOf = async (response: Response) => (await response.text()).trim().split('\n');

  it('does not keep URL settings or the database for the next request, and refuses SET', async () => {
    const numbers = { query: 'SELECT number FROM numbers(5)' };
    const limited = await send(single, { ...numbers, max_result_rows: '1', result_overflow_mode: 'throw' });
    expect(limited.status).toBe(500);
    expect(await rowsOf(await send(single, numbers))).toHaveLength(5);

    const set = await send(single, {}, { body: "SET max_result_rows = 1, result_overflow_mode = 'throw'" });
    expect(set.status).toBe(403);
    expect(await set.text()).toMatch(/SET would outlive the request/);
    expect(await rowsOf(await send(single, numbers))).toHaveLength(5);

    const database = randomDatabaseName();
    databases.push(database);
    await send(single, {}, { body: `CREATE DATABASE ${database}` });
    const current = { query: 'SELECT currentDatabase()' };
    expect(await rowsOf(await send(single, { ...current, database }))).toEqual([database]);
    expect(await rowsOf(await send(single, current))).toEqual(['default']);
  });

  it('does not lend a parameter of one request to the next, which then fails as on a server', async () => {
    const query = { query: 'SELECT {p:UInt8}' };
    expect(await rowsOf(await send(single, { ...query, param_p: '7' }))).toEqual(['7']);
    const missing = await send(single, query);
    expect(missing.headers.get('x-clickhouse-exception-code')).toBe('456'); // UNKNOWN_QUERY_PARAMETER
    expect(await rowsOf(await send(single, { ...query, param_p: '8' }))).toEqual(['8']);
  });
});

describe('a ClickHouse outage, with the server in a child process', () => {
  it('fails calls quickly and retryably while the server is down, and keeps the data across a restart', async () => {
    const outageDir = await mkdtemp(join(tmpdir(), 'wapipe-chdb-outage-'));
    const clickhouse = await startChdbServerProcess({ dataDir: outageDir, password });
    const database = randomDatabaseName();
    const ch = createClickHouse({ url: clickhouse.url, password, database, requestTimeoutMs: 10_000 });
    try {
      await ch.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
      await ch.command({
        query: `CREATE TABLE ${ch.table('kept')} (id UInt32) ENGINE = MergeTree ORDER BY id`,
      });
      await ch.insert({ table: 'kept', rows: [{ id: 1 }, { id: 2 }] });

      await clickhouse.kill();
      const started = performance.now();
      const failure = await ch.insert({ table: 'kept', rows: [{ id: 3 }] }).catch((error: unknown) => error);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(failure).toMatchObject({ code: 'CLICKHOUSE_UNAVAILABLE', retry: true });
      expect(await ch.ping()).toBe(false);

      await clickhouse.restart();
      await waitFor('the restarted server to answer', () => ch.ping(), { timeoutMs: 30_000 });
      const before = await ch.query({ query: `SELECT count() AS n FROM ${ch.table('kept')}`, schema: Count });
      expect(before).toEqual([{ n: 2 }]);
      await ch.insert({ table: 'kept', rows: [{ id: 3 }] });
      const after = await ch.query({ query: `SELECT count() AS n FROM ${ch.table('kept')}`, schema: Count });
      expect(after).toEqual([{ n: 3 }]);

      await clickhouse.stop();
      expect(clickhouse.pid()).toBeUndefined();
      expect(await ch.ping()).toBe(false);
    } finally {
      await ch.close();
      await clickhouse.kill();
      await rm(outageDir, { recursive: true, force: true });
    }
  });
});
