import { describe, expect, it } from 'vitest';
import { isBinaryFormat, scanStatement, tokens } from './sql-scan.ts';

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

  it('sees a ";" behind every quoting form: heredocs, doubled and escaped quotes, comments', () => {
    const multi = (sql: string) => scanStatement(sql).multiStatement;
    expect(multi("SELECT $$'$$; DROP TABLE t")).toBe(true);
    expect(multi('SELECT $tag$ ; $$ ; $tag$; DROP TABLE t')).toBe(true);
    expect(multi('SELECT $tag$ ; $$ ; $tag$')).toBe(false);
    expect(multi("SELECT 'it''s;' ; SELECT 2")).toBe(true);
    expect(multi('SELECT "a"";b", `c``;d` ; SELECT 2')).toBe(true);
    expect(multi("SELECT 'a\\\\'; SELECT 2")).toBe(true);
    expect(multi('SELECT 1 /* ; /* ; */ ; */ -- ;\n# ;\n#! ;\n')).toBe(false);
    expect(multi('SELECT 1 /* /* */ */; DROP TABLE t')).toBe(true);
  });

  it('marks a statement whose literal, heredoc or comment never closes', () => {
    for (const sql of [
      "SELECT 'a",
      'SELECT "a',
      'SELECT `a',
      'SELECT $$a',
      'SELECT $x$a$$',
      'SELECT /* /* */',
    ]) {
      expect(scanStatement(sql).unterminated, sql).toBe(true);
    }
    expect(scanStatement("SELECT 'a' /* */ $$b$$").unterminated).toBe(false);
  });

  it('finds where insert data begins, right after the format name', () => {
    const sql = "INSERT INTO db.t SETTINGS insert_deduplication_token = 'FORMAT x' FORMAT JSONEachRow\n{}";
    const shape = scanStatement(sql);
    expect(shape.insertFormat).toBe('JSONEachRow');
    expect(sql.slice(0, shape.insertDataStart)).toBe(sql.split('\n')[0]);
  });

  it('yields tokens with their kind and position', () => {
    const list = [...tokens("SELECT f('x') AS `y`, $$z$$ -- c\n;")];
    expect(list.map((t) => t.kind)).toEqual([
      'word',
      'word',
      'punct',
      'string',
      'punct',
      'word',
      'quotedIdentifier',
      'punct',
      'heredoc',
      'semicolon',
    ]);
    expect(list[1]).toMatchObject({ text: 'f', start: 7, end: 8 });
  });

  it('knows which insert formats are binary', () => {
    expect(isBinaryFormat('RowBinaryWithNamesAndTypes')).toBe(true);
    expect(isBinaryFormat('Parquet')).toBe(true);
    expect(isBinaryFormat('JSONEachRow')).toBe(false);
  });
});
