// Migration files may hold several statements; the HTTP interface accepts one per request, so we split
// them here. The scanner knows ClickHouse's quoting ('…' strings with \ and '' escapes, "…" and `…`
// identifiers) and comments (-- and /* */), so a `;` inside any of those never splits.

/** Splits SQL into statements on `;` outside quotes and comments. Comments are dropped; empty parts too. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const n = sql.length;

  const flush = () => {
    const trimmed = current.trim();
    if (trimmed !== '') statements.push(trimmed);
    current = '';
  };

  while (i < n) {
    const ch = sql[i] as string;
    const next = sql[i + 1];

    if (ch === "'" || ch === '"' || ch === '`') {
      const end = endOfQuoted(sql, i, ch);
      current += sql.slice(i, end);
      i = end;
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end;
      current += ' ';
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new SyntaxError('Unterminated /* comment in SQL');
      i = end + 2;
      current += ' ';
    } else if (ch === ';') {
      flush();
      i++;
    } else {
      current += ch;
      i++;
    }
  }
  flush();
  return statements;
}

/** Index just past the closing quote of the literal that opens at `start`. */
function endOfQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === '\\') {
      i += 2;
    } else if (ch === quote) {
      if (sql[i + 1] === quote)
        i += 2; // doubled quote escapes itself
      else return i + 1;
    } else {
      i++;
    }
  }
  throw new SyntaxError(`Unterminated ${quote} quote in SQL`);
}
