import { describe, expect, it } from 'vitest';
import { changesSessionState, isBinaryFormat, isReadonlyStatement, scanStatement } from './sql-scan.ts';

describe('scanStatement', () => {
  it('reads the leading keywords and the output format the client appends', () => {
    const shape = scanStatement(
      '  -- note\n/* a /* nested */ comment */ select x FROM t\nFORMAT JSONEachRow',
    );
    expect(shape.keywords).toEqual(['SELECT', 'X']);
    expect(shape.outputFormat).toBe('JSONEachRow');
    expect(shape.multiStatement).toBe(false);
  });

  it('collects placeholders but not braces inside strings, identifiers or map literals', () => {
    const shape = scanStatement(
      "SELECT {a:String}, { b : UInt8 }, '{c:String}', `{d:String}`, {'e': 1}, format('{}', 1) FROM t",
    );
    expect([...shape.placeholders]).toEqual(['a', 'b']);
    expect(shape.outputFormat).toBeUndefined();
  });

  it('sees a second statement after a semicolon, but not a trailing semicolon or one in a literal', () => {
    expect(scanStatement('SELECT 1; SELECT 2').multiStatement).toBe(true);
    expect(scanStatement('SELECT 1 ; -- done\n').multiStatement).toBe(false);
    expect(scanStatement("SELECT 'a;b', \"c;d\", 'it''s;' ").multiStatement).toBe(false);
    expect(scanStatement("SELECT 'a\\';b'").multiStatement).toBe(false);
  });

  it('stops at the data of INSERT … FORMAT, whatever the data holds', () => {
    const shape = scanStatement(
      "INSERT INTO db.t (format, x) SETTINGS insert_deduplication_token = 'a;b' FORMAT CSV\n1,{x:String}; DROP",
    );
    expect(shape.keywords).toEqual(['INSERT', 'INTO']);
    expect(shape.insertFormat).toBe('CSV');
    expect(shape.multiStatement).toBe(false);
    expect(shape.placeholders.size).toBe(0);
  });

  it('tells reads from writes and session statements from the rest', () => {
    expect(isReadonlyStatement(scanStatement('WITH 1 AS x SELECT x'))).toBe(true);
    expect(isReadonlyStatement(scanStatement('INSERT INTO t VALUES (1)'))).toBe(false);
    expect(changesSessionState(scanStatement('SET max_threads = 1'))).toBe(true);
    expect(changesSessionState(scanStatement('use db'))).toBe(true);
    expect(changesSessionState(scanStatement('CREATE TEMPORARY TABLE t (x UInt8)'))).toBe(true);
    expect(changesSessionState(scanStatement('CREATE TABLE t (x UInt8) ENGINE = Memory'))).toBe(false);
  });

  it('knows which insert formats are binary', () => {
    expect(isBinaryFormat('RowBinaryWithNamesAndTypes')).toBe(true);
    expect(isBinaryFormat('Parquet')).toBe(true);
    expect(isBinaryFormat('JSONEachRow')).toBe(false);
  });
});
