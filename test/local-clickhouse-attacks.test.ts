// Issue 13: the local ClickHouse server must be safe to leave running. Each attack is sent over HTTP to
// the real server on the real engine, the way another local process (or a web page) would send it.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClickHouse } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { startChdbHttpServer } from '@wapipe/local-clickhouse';
import type { ChdbHttpServer } from '@wapipe/local-clickhouse';
import { randomDatabaseName } from './harness/clickhouse.ts';

const password = 'attack-test-secret';
let dataDir: string;
let server: ChdbHttpServer;
let ch: ClickHouse;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'wapipe-chdb-attacks-'));
  // One engine connection: every request lands on the connection the previous one used.
  server = await startChdbHttpServer({ path: dataDir, port: 0, password, connections: 1 });
  ch = createClickHouse({ url: server.url, password, database: randomDatabaseName() });
  await ch.command({ query: `CREATE DATABASE IF NOT EXISTS ${ch.database}` });
});

afterAll(async () => {
  await ch?.command({ query: `DROP DATABASE IF EXISTS ${ch.database} SYNC` }).catch(() => undefined);
  await ch?.close();
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** SQL as another local process sends it: authenticated, no browser headers. */
function send(
  sql: string,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; search?: Record<string, string> } = {},
): Promise<Response> {
  const url = new URL(server.url);
  for (const [key, value] of Object.entries(init.search ?? {})) url.searchParams.set(key, value);
  const method = init.method ?? 'POST';
  if (method === 'GET') url.searchParams.set('query', sql);
  return fetch(url, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`default:${password}`).toString('base64')}`,
      ...init.headers,
    },
    body: method === 'POST' ? Buffer.from(sql) : undefined,
  });
}

const Count = z.object({ n: z.coerce.number() });
const tableExists = async (name: string) =>
  (
    await ch.query({
      query: 'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {name:String}',
      params: { db: ch.database, name },
      schema: Count,
    })
  )[0]?.n === 1;

async function freshTable(name: string): Promise<string> {
  await ch.command({
    query: `CREATE TABLE ${ch.table(name)} (id UInt32) ENGINE = MergeTree ORDER BY id
            SETTINGS non_replicated_deduplication_window = 100`,
  });
  return ch.table(name);
}

describe('the local ClickHouse server refuses what reaches the host', () => {
  it('does not read a host file through file(), as a table or as a function', async () => {
    const hostname = readFileSync('/etc/hostname', 'utf8').trim();
    for (const sql of [
      "SELECT * FROM file('/etc/hostname', 'LineAsString')",
      "SELECT file('/etc/hostname')",
    ]) {
      const response = await send(sql);
      const body = await response.text();
      expect(response.status, body).toBe(403);
      expect(response.headers.get('x-clickhouse-exception-code')).toBe('497');
      expect(body).toMatch(/file/);
      expect(body).not.toContain(hostname);
    }
  });

  it('does not write a host file through INSERT INTO FUNCTION file() or INTO OUTFILE', async () => {
    const target = join(dataDir, 'written-by-attack.csv');
    const attempts = [
      `INSERT INTO FUNCTION file('${target}', 'CSV', 'x String') SELECT 'owned'`,
      `SELECT 'owned' INTO OUTFILE '${target}'`,
    ];
    for (const sql of attempts) {
      const response = await send(sql);
      expect(response.status, await response.text()).toBe(403);
    }
    expect(existsSync(target)).toBe(false);
  });

  it('refuses other table functions, engines and statements that reach the host, the network or the server', async () => {
    const denied = [
      "SELECT * FROM url('http://127.0.0.1:9/', 'CSV', 'x String')",
      "SELECT * FROM executable('id', 'TSV', 'x String')",
      "SELECT * FROM remote('127.0.0.1', system.one)",
      "SELECT * FROM s3('http://127.0.0.1:9/b/k', 'CSV', 'x String')",
      `CREATE TABLE ${ch.database}.leak (x String) ENGINE = File(CSV)`,
      `CREATE TABLE ${ch.database}.leak (x String) ENGINE = URL('http://127.0.0.1:9/', CSV)`,
      `CREATE DATABASE ${randomDatabaseName()} ENGINE = Filesystem('/etc')`,
      "INSERT INTO t FROM INFILE '/etc/hostname' FORMAT LineAsString",
      'SYSTEM FLUSH LOGS',
      'KILL QUERY WHERE 1',
      "BACKUP DATABASE default TO File('/tmp/wapipe-backup')",
      `ATTACH TABLE ${ch.database}.a FROM '/etc' (x String) ENGINE = MergeTree ORDER BY x`,
      `DETACH TABLE ${ch.database}.x`,
      "SET insert_deduplication_token = 'x'",
      'USE system',
      'CREATE TEMPORARY TABLE tmp (x UInt8)',
    ];
    for (const sql of denied) {
      const response = await send(sql);
      expect(response.status, `${sql}: ${await response.text()}`).toBe(403);
    }
  });
});

describe('the local ClickHouse server runs one statement per request', () => {
  it('does not drop a table through a heredoc that hides a ";" on the read-only GET path', async () => {
    const table = await freshTable('heredoc_target');
    const response = await send(`SELECT $$'$$; DROP TABLE ${table}`, { method: 'GET' });
    expect(response.status, await response.text()).toBe(400);
    expect(await tableExists('heredoc_target')).toBe(true);
  });

  it('does not run a statement smuggled after insert data or after VALUES', async () => {
    const table = await freshTable('insert_target');
    const attempts = [
      `INSERT INTO ${table} FORMAT JSONEachRow\n{"id":1}\n\nDROP TABLE ${table}`,
      `INSERT INTO ${table} FORMAT JSONEachRow; DROP TABLE ${table}`,
      `INSERT INTO ${table} VALUES (1); DROP TABLE ${table}`,
    ];
    for (const sql of attempts) {
      const response = await send(sql);
      expect(response.status, `${sql}: ${await response.text()}`).toBeGreaterThanOrEqual(400);
      expect(await tableExists('insert_target')).toBe(true);
    }
  });

  it('keeps the next client’s insert after a smuggled SET insert_deduplication_token', async () => {
    const table = await freshTable('sticky_target');
    const smuggled = await send(`SELECT $$'$$; SET insert_deduplication_token = 'x'`);
    expect(smuggled.status, await smuggled.text()).toBe(400);
    await ch.insert({ table: 'sticky_target', rows: [{ id: 1 }] });
    await ch.insert({ table: 'sticky_target', rows: [{ id: 2 }] });
    expect(await ch.query({ query: `SELECT count() AS n FROM ${table}`, schema: Count })).toEqual([{ n: 2 }]);
  });
});

describe('the local ClickHouse server lets in only the client that knows the password', () => {
  it('asks for credentials (401) when none are sent, and refuses a wrong password (403)', async () => {
    const anonymous = await fetch(new URL('/?query=SELECT%201', server.url));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('x-clickhouse-exception-code')).toBe('194');
    const wrong = await fetch(new URL('/?query=SELECT%201', server.url), {
      headers: { 'x-clickhouse-user': 'default', 'x-clickhouse-key': 'guess' },
    });
    expect(wrong.status).toBe(403);
    const right = await fetch(new URL('/?query=SELECT%201', server.url), {
      headers: { 'x-clickhouse-user': 'default', 'x-clickhouse-key': password },
    });
    expect(await right.text()).toBe('1\n');
  });

  it('generates a password when none is given, and accepts only that one', async () => {
    // The same data directory: chdb opens one per process.
    const generated = await startChdbHttpServer({ path: dataDir, port: 0 });
    try {
      expect(generated.passwordGenerated).toBe(true);
      expect(generated.password.length).toBeGreaterThanOrEqual(20);
      const anonymous = await fetch(new URL('/?query=SELECT%201', generated.url));
      expect(anonymous.status).toBe(401);
      const client = createClickHouse({
        url: generated.url,
        password: generated.password,
        database: 'default',
      });
      expect(await client.query({ query: 'SELECT 1 AS n', schema: Count })).toEqual([{ n: 1 }]);
      await client.close();
    } finally {
      await generated.close();
    }
  });

  it('refuses browser-style requests even with the right password', async () => {
    const browserish: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'text/plain' },
    ];
    for (const headers of browserish) {
      const response = await send('SELECT 1', { headers });
      expect(response.status, JSON.stringify(headers)).toBe(403);
    }
    const preflight = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.status).toBeGreaterThanOrEqual(400);
  });
});
