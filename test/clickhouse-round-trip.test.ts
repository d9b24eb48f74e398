import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeCompactRows, encodeTsvRows } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { testClickHouse } from './harness/clickhouse.ts';
import type { TestClickHouse } from './harness/clickhouse.ts';

const awkwardStrings = [
  "it's",
  'back\\slash and \\n not a newline',
  '"double" and `backtick`',
  "'; DROP TABLE x; --",
  '{curly} {name:String}',
  'emoji 😀, ñ, 中文, עברית',
  'real\nnewline\tand tab',
  '',
];

const Message = z.object({
  id: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  big: z.string(),
  at: z.coerce.date(),
});

let t: TestClickHouse;
let ch: ClickHouse;

beforeEach(async () => {
  t = await testClickHouse();
  ch = t.ch;
  await ch.command({
    query: `CREATE TABLE ${ch.table('messages')} (
      id String, body String, tags Array(String), big UInt64, at DateTime64(3, 'UTC')
    ) ENGINE = MergeTree ORDER BY id`,
  });
});

afterEach(async () => {
  await t.cleanup();
});

describe('ClickHouse round trip', () => {
  it('stores rows and finds each one again through bound parameters, whatever the characters', async () => {
    const at = new Date('2024-05-06T07:08:09.045Z');
    const rows = awkwardStrings.map((body, i) => ({
      id: `m${i}`,
      body,
      tags: [body, 'plain'],
      big: '18446744073709551615',
      at,
    }));
    await ch.insert({ table: 'messages', rows });

    for (const [i, body] of awkwardStrings.entries()) {
      const found = await ch.query({
        query: `SELECT id, body, tags, big, at FROM ${ch.table('messages')}
                WHERE body = {body:String} AND has(tags, {tag:String}) AND at = {at:DateTime64(3, 'UTC')}`,
        params: { body, tag: body, at },
        schema: Message,
      });
      expect(found).toEqual([{ id: `m${i}`, body, tags: [body, 'plain'], big: '18446744073709551615', at }]);
    }

    const [count] = await ch.query({
      query: `SELECT count() AS n FROM ${ch.table('messages')} WHERE id IN {ids:Array(String)}`,
      params: { ids: ['m0', 'm1', 'nope'] },
      schema: z.object({ n: z.coerce.number() }),
    });
    expect(count).toEqual({ n: 2 });
  });

  it('stores pre-encoded rows (compact JSON, JSONEachRow, TSV) exactly as row inserts do', async () => {
    const at = new Date('2024-05-06T07:08:09.045Z');
    const rows = awkwardStrings.map((body, i) => ({ id: `c${i}`, body, tags: [body], big: '42', at }));
    await ch.insert({
      table: 'messages',
      encoded: encodeCompactRows(rows),
      format: 'JSONCompactEachRowWithNames',
    });
    await ch.insert({
      table: 'messages',
      encoded: rows.map((r) => JSON.stringify({ ...r, id: `j${r.id}` })).join('\n'),
      format: 'JSONEachRow',
    });
    await ch.insert({
      table: 'messages',
      encoded: encodeTsvRows(
        rows.map((r) => ({ id: `t${r.id}`, body: r.body, big: r.big, at: '2024-05-06 07:08:09.045' })),
      ),
      format: 'TabSeparatedWithNames',
    });
    // A row without a key gets the column default.
    await ch.insert({
      table: 'messages',
      encoded: encodeCompactRows([
        { id: 'short', at },
        { id: 'full', body: 'b', tags: ['t'], big: '1', at },
      ]),
      format: 'JSONCompactEachRowWithNames',
    });
    const stored = await ch.query({
      query: `SELECT id, body, tags, big, at FROM ${ch.table('messages')} ORDER BY id`,
      schema: Message,
    });
    const expected = [
      ...rows.map((r) => ({ ...r })),
      ...rows.map((r) => ({ ...r, id: `j${r.id}` })),
      ...rows.map((r) => ({ ...r, id: `t${r.id}`, tags: [] })),
      { id: 'short', body: '', tags: [], big: '0', at },
      { id: 'full', body: 'b', tags: ['t'], big: '1', at },
    ].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(stored).toEqual(expected);
  });

  it('treats an empty insert as a no-op', async () => {
    await ch.insert({ table: 'does_not_exist', rows: [] });
  });

  it('reports a row that does not fit the schema without echoing its value', async () => {
    await ch.insert({
      table: 'messages',
      rows: [{ id: 'a', body: 'secret-body', tags: [], big: 1, at: new Date() }],
    });
    const failure = await ch
      .query({
        query: `SELECT id, body FROM ${ch.table('messages')}`,
        schema: z.object({ id: z.string(), body: z.number() }),
      })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'CLICKHOUSE_SCHEMA_MISMATCH', retry: false });
    expect(String((failure as Error).message)).toMatch(/row 0 .* body/);
    expect(String((failure as Error).message)).not.toContain('secret-body');
  });

  it('reports a row the engine cannot parse without echoing its value', async () => {
    const failure = await ch
      .insert({
        table: 'messages',
        rows: [{ id: 'a', body: 'b', tags: [], big: 'secret-not-a-number', at: new Date() }],
      })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'CLICKHOUSE_QUERY_FAILED', retry: false });
    expect(String((failure as Error).message)).not.toContain('secret-not-a-number');
    const badParam = await ch
      .query({ query: 'SELECT {n:UInt8} AS n', params: { n: 'secret-param' }, schema: z.object({}) })
      .catch((error: unknown) => error);
    expect(badParam).toMatchObject({
      code: 'CLICKHOUSE_QUERY_FAILED',
      clickhouseType: 'BAD_QUERY_PARAMETER',
    });
    expect(String((badParam as Error).message)).not.toContain('secret-param');
  });

  it('reports a syntax error as a final query failure with the engine error name', async () => {
    await expect(ch.command({ query: 'SELEC 1' })).rejects.toMatchObject({
      code: 'CLICKHOUSE_QUERY_FAILED',
      retry: false,
      clickhouseType: 'SYNTAX_ERROR',
    });
    await expect(
      ch.query({ query: `SELECT * FROM ${ch.table('missing')}`, schema: z.object({}) }),
    ).rejects.toMatchObject({
      code: 'CLICKHOUSE_QUERY_FAILED',
      retry: false,
      clickhouseType: 'UNKNOWN_TABLE',
    });
  });

  it('refuses unsafe table names and dedup tokens before sending anything', async () => {
    expect(() => ch.table('x; DROP TABLE y')).toThrow(
      expect.objectContaining({ code: 'CLICKHOUSE_BAD_INPUT' }),
    );
    await expect(ch.insert({ table: 'messages; --', rows: [{ id: 'x' }] })).rejects.toMatchObject({
      code: 'CLICKHOUSE_BAD_INPUT',
    });
    await expect(
      ch.insert({ table: 'messages', rows: [{ id: 'x' }], dedupToken: "a'b" }),
    ).rejects.toMatchObject({
      code: 'CLICKHOUSE_BAD_INPUT',
    });
  });

  it('answers ping and refuses work after close', async () => {
    expect(await ch.ping()).toBe(true);
    const other = await testClickHouse();
    await other.cleanup();
    expect(await other.ch.ping()).toBe(false);
    await expect(other.ch.command({ query: 'SELECT 1' })).rejects.toMatchObject({
      code: 'CLICKHOUSE_UNAVAILABLE',
    });
  });
});
