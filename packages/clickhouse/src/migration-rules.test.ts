import { describe, expect, it } from 'vitest';
import { nonIdempotentReason } from './migration-rules.ts';
import { migrationChecksum, migrationStatements } from './migrate.ts';

describe('nonIdempotentReason', () => {
  it.each([
    'CREATE TABLE IF NOT EXISTS db.t (x UInt8) ENGINE = MergeTree ORDER BY x',
    'create materialized view if not exists db.mv to db.t as select 1 as x',
    'CREATE OR REPLACE VIEW db.v AS SELECT 1',
    'CREATE DATABASE IF NOT EXISTS db',
    'DROP TABLE IF EXISTS db.t',
    'ALTER TABLE db.t ADD COLUMN IF NOT EXISTS y String, ADD INDEX IF NOT EXISTS i y TYPE bloom_filter',
    'ALTER TABLE db.t DROP COLUMN IF EXISTS y',
    'ALTER TABLE db.t MODIFY TTL at + INTERVAL 30 DAY',
    'INSERT INTO db.t SELECT 1',
  ])('accepts %j', (statement) => {
    expect(nonIdempotentReason(statement)).toBeUndefined();
  });

  it.each([
    ['CREATE TABLE db.t (x UInt8) ENGINE = Memory', 'CREATE without IF NOT EXISTS'],
    ['CREATE MATERIALIZED VIEW db.mv TO db.t AS SELECT 1', 'CREATE without IF NOT EXISTS'],
    ['DROP TABLE db.t', 'DROP without IF EXISTS'],
    ['ALTER TABLE db.t ADD COLUMN y String', 'ALTER … ADD without IF NOT EXISTS'],
    [
      'ALTER TABLE db.t ADD COLUMN IF NOT EXISTS a String, ADD COLUMN b String',
      'ALTER … ADD without IF NOT EXISTS',
    ],
    ['ALTER TABLE db.t DROP COLUMN y', 'ALTER … DROP/CLEAR/RENAME without IF EXISTS'],
  ])('refuses %j', (statement, problem) => {
    expect(nonIdempotentReason(statement)).toBe(problem);
  });
});

describe('migration text', () => {
  it('substitutes {db} in every statement', () => {
    const migration = {
      version: 1,
      name: 'x',
      sql: 'CREATE TABLE IF NOT EXISTS {db}.a (x UInt8) ENGINE = Memory;\nCREATE TABLE IF NOT EXISTS {db}.b AS {db}.a;\n',
    };
    expect(migrationStatements(migration, 'wapipe')).toEqual([
      'CREATE TABLE IF NOT EXISTS wapipe.a (x UInt8) ENGINE = Memory',
      'CREATE TABLE IF NOT EXISTS wapipe.b AS wapipe.a',
    ]);
  });

  it('computes a checksum that ignores line-ending style but not content', () => {
    expect(migrationChecksum('A;\r\nB;\r\n')).toBe(migrationChecksum('A;\nB;\n'));
    expect(migrationChecksum('A;\nB;\n')).not.toBe(migrationChecksum('A;\nC;\n'));
  });
});
