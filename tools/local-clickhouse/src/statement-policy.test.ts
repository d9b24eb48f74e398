// The policy judges the engine's rendering of a statement (formatQuery output, as measured on chdb 3.4).
import { describe, expect, it } from 'vitest';
import { deniedSettingReason, refuseSqlInInsertData, statementPolicy } from './statement-policy.ts';

const policy = statementPolicy(['file', 'url', 's3', 'remote', 'executable', 'numbers', 'format', 'input']);
const write = { readonly: false, hasInsertData: false };
const read = { readonly: true, hasInsertData: false };
const allowed =
  (sql: string, options = write) =>
  () =>
    policy.check(sql, options);

describe('statementPolicy', () => {
  it('lets through what the pipeline sends: reads, inserts, migrations DDL', () => {
    for (const sql of [
      'SELECT count() AS n\nFROM t_1.status\nWHERE id = {id:String}',
      'WITH\n    1 AS x\nSELECT x\nFORMAT JSONEachRow',
      "INSERT INTO db.t\nSETTINGS async_insert = 0, insert_deduplication_token = 'it\\'s'\nFORMAT JSONEachRow",
      'CREATE TABLE IF NOT EXISTS db.t\n(\n    `a` UInt8\n)\nENGINE = ReplacingMergeTree\nORDER BY a',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS db.mv TO db.t\nAS SELECT 1 AS a',
      'CREATE DATABASE IF NOT EXISTS db',
      'ALTER TABLE db.t\n    (ADD COLUMN IF NOT EXISTS `b` String)',
      'DROP DATABASE IF EXISTS db SYNC',
      // The journal's feeds: the rendering quotes the keyword (regression: the feeds were refused).
      'CREATE TABLE IF NOT EXISTS db.feed\n(\n    `a` String\n)\nENGINE = `Null`',
      'SELECT *\nFROM numbers(3)',
      "SELECT format('{}', 'x')",
    ]) {
      expect(allowed(sql), sql).not.toThrow();
    }
    expect(
      allowed('INSERT INTO db.t FORMAT JSONEachRow', { readonly: false, hasInsertData: true }),
    ).not.toThrow();
  });

  it('denies table functions and functions that reach the host, whatever their case or quoting', () => {
    for (const sql of [
      "SELECT *\nFROM file('/etc/hostname')",
      "SELECT *\nFROM FILE('/etc/hostname')",
      "SELECT file('/etc/hostname')",
      "SELECT *\nFROM `url`('http://x/', 'CSV', 'a String')",
      "CREATE TABLE db.t\nENGINE = MergeTree\nORDER BY a\nSETTINGS disk = disk(type = local, path = '/tmp/d/')",
      "INSERT INTO FUNCTION file('/tmp/y') SELECT 1",
    ]) {
      expect(allowed(sql), sql).toThrow(/ACCESS_DENIED|INSERT INTO FUNCTION/);
    }
  });

  it('denies host files, foreign engines, Values data and statements that act on the server or the session', () => {
    for (const [sql, why] of [
      ["SELECT 1\nINTO OUTFILE '/tmp/x'", /INTO OUTFILE/],
      ["INSERT INTO t FROM INFILE '/etc/hostname' FORMAT CSV", /FROM INFILE/],
      ['CREATE TABLE db.t\n(\n    `x` UInt8\n)\nENGINE = File(CSV)', /ENGINE = File/],
      ["CREATE DATABASE d\nENGINE = Filesystem('/etc')", /ENGINE = Filesystem/],
      ['INSERT INTO t FORMAT Values', /VALUES/],
      ['SET x = 1', /SET would outlive/],
      ['USE system', /USE would outlive/],
      ['CREATE TEMPORARY TABLE t\n(\n    `a` UInt8\n)', /temporary table/],
      ['SYSTEM FLUSH LOGS', /whole server/],
      ['KILL QUERY WHERE 1 ASYNC', /KILL/],
      ["BACKUP TABLE t TO File('/tmp/b')", /BACKUP/],
      ["ATTACH TABLE t FROM '/tmp/x'", /ATTACH/],
      ['DETACH TABLE t', /DETACH/],
      ['GRANT SELECT ON *.* TO u', /only reads/],
      ['CREATE FUNCTION f AS x -> x', /CREATE FUNCTION/],
      ['EXPLAIN\nINSERT INTO t FORMAT JSONEachRow', /EXPLAIN of an INSERT/],
      ['SELECT 1\nSETTINGS allow_introspection_functions = 1', /allow_introspection_functions/],
    ] as const) {
      expect(allowed(sql), sql).toThrow(why);
    }
  });

  it('lets GET run reads only, and insert data follow only an INSERT', () => {
    expect(allowed('SHOW TABLES FROM db', read)).not.toThrow();
    expect(allowed('DESCRIBE TABLE t', read)).not.toThrow();
    expect(allowed('DROP TABLE t', read)).toThrow(/READONLY/);
    expect(allowed('SELECT 1', { readonly: false, hasInsertData: true })).toThrow(/insert data/);
  });

  it('names settings that point at host files or change parsing', () => {
    expect(deniedSettingReason('format_schema')).toMatch(/format_schema/);
    expect(deniedSettingReason('dialect')).toBeDefined();
    expect(deniedSettingReason('max_threads')).toBeUndefined();
  });
});

describe('refuseSqlInInsertData', () => {
  it('refuses data the engine would partly run as SQL: after an empty line, or after a leading ";"', () => {
    expect(() => refuseSqlInInsertData('\n{"id":1}\n\nDROP TABLE t')).toThrow(/empty line/);
    expect(() => refuseSqlInInsertData('\n{"id":1}\n\r\nDROP TABLE t')).toThrow(/empty line/);
    expect(() => refuseSqlInInsertData(' ; DROP TABLE t')).toThrow(/Multi-statements/);
  });

  it('accepts rows, whatever they hold, and trailing empty lines', () => {
    expect(() => refuseSqlInInsertData('\n{"s":"a\\n\\nb; DROP"}\n{"s":""}\n\n\n')).not.toThrow();
    expect(() => refuseSqlInInsertData('\n["a"]\n[1]\n')).not.toThrow();
  });
});
