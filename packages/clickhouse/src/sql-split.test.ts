import { describe, expect, it } from 'vitest';
import { splitStatements } from './sql-split.ts';

describe('splitStatements', () => {
  it('splits on semicolons and drops empty statements', () => {
    expect(splitStatements('CREATE TABLE a (x UInt8) ENGINE = Memory;\n\nSELECT 1;\n;')).toEqual([
      'CREATE TABLE a (x UInt8) ENGINE = Memory',
      'SELECT 1',
    ]);
  });

  it('keeps a semicolon inside string literals, including escaped and doubled quotes', () => {
    const sql = "SELECT 'a;b', 'it\\'s;', 'it''s;x'; SELECT 2";
    expect(splitStatements(sql)).toEqual(["SELECT 'a;b', 'it\\'s;', 'it''s;x'", 'SELECT 2']);
  });

  it('keeps a semicolon inside quoted identifiers', () => {
    expect(splitStatements('SELECT 1 AS "a;b", 2 AS `c;d`; SELECT 3')).toEqual([
      'SELECT 1 AS "a;b", 2 AS `c;d`',
      'SELECT 3',
    ]);
  });

  it('ignores semicolons in comments and drops the comments', () => {
    const sql = `-- first; not a split
CREATE TABLE t (x UInt8) ENGINE = Memory; /* block; comment */
-- trailing comment only;
`;
    expect(splitStatements(sql)).toEqual(['CREATE TABLE t (x UInt8) ENGINE = Memory']);
  });

  it('does not mistake a minus sign or a division for a comment', () => {
    expect(splitStatements('SELECT 4 - 2, 4 / 2; SELECT -1')).toEqual(['SELECT 4 - 2, 4 / 2', 'SELECT -1']);
  });

  it('throws on an unterminated string or comment instead of guessing', () => {
    expect(() => splitStatements("SELECT 'open; SELECT 2")).toThrow(/Unterminated/);
    expect(() => splitStatements('SELECT 1 /* open')).toThrow(/Unterminated/);
  });
});
