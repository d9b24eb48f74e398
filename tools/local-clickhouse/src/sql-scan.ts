// What the server must know about a statement before it runs it: its leading keywords, whether a second
// statement follows, where insert data begins, the formats it names and its `{name:Type}` placeholders.
// A lexer that knows every quoting form of ClickHouse ('…' "…" `…` with backslash and doubled-quote
// escapes, heredocs $$…$$ and $tag$…$tag$) and its comments (--, `# `, `#!`, nested /* */), not a
// parser: the engine's own parser (formatQuery) still judges the statement; see statement-policy.ts.

export type TokenKind = 'word' | 'number' | 'string' | 'quotedIdentifier' | 'heredoc' | 'semicolon' | 'punct';

export interface Token {
  kind: TokenKind;
  /** The token's text, quotes included. */
  text: string;
  /** Index of its first character and just past its last one. */
  start: number;
  end: number;
}

export interface StatementShape {
  /** First two words, upper-cased ('' when absent): `SELECT`, `INSERT INTO`, `CREATE TEMPORARY`, … */
  keywords: [string, string];
  /** A statement follows a `;`. The HTTP interface runs one statement per request. */
  multiStatement: boolean;
  /** A literal, quoted identifier, heredoc or comment is not closed: the scan cannot be trusted. */
  unterminated: boolean;
  /** `INSERT … FORMAT X`: X. The insert data follows it and is not scanned. */
  insertFormat: string | undefined;
  /** `INSERT … FORMAT X`: the index just past X, where the statement ends and the data begins. */
  insertDataStart: number | undefined;
  /** Any other statement: the name after its last `FORMAT` (its output format). */
  outputFormat: string | undefined;
  /** Names of the `{name:Type}` query parameters it uses. */
  placeholders: Set<string>;
}

const wordStart = /[A-Za-z_]/;
const wordChar = /[A-Za-z0-9_]/;
const digit = /[0-9]/;
const space = /[ \t\n\r\f\v]/;
const heredocOpening = /\$([A-Za-z0-9_]*)\$/y;
const placeholderAt = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/y;

/** The tokens of `sql`, comments and whitespace skipped. `unterminated` is set on the last one when cut. */
export function* tokens(sql: string): Generator<Token, { unterminated: boolean }> {
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    const start = i;
    if (space.test(ch)) {
      i++;
      continue;
    }
    if ((ch === '-' && next === '-') || (ch === '#' && (next === ' ' || next === '!'))) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = endOfBlockComment(sql, i);
      if (end === undefined) return { unterminated: true };
      i = end;
      continue;
    }
    let kind: TokenKind;
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = endOfQuoted(sql, i, ch);
      if (end === undefined) return { unterminated: true };
      kind = ch === "'" ? 'string' : 'quotedIdentifier';
      i = end;
    } else if (ch === '$' && heredocAt(sql, i) !== undefined) {
      const tag = heredocAt(sql, i) as string;
      const close = sql.indexOf(tag, i + tag.length);
      if (close === -1) return { unterminated: true };
      kind = 'heredoc';
      i = close + tag.length;
    } else if (wordStart.test(ch)) {
      i++;
      while (i < n && wordChar.test(sql[i] as string)) i++;
      kind = 'word';
    } else if (digit.test(ch)) {
      i++;
      while (i < n && (wordChar.test(sql[i] as string) || sql[i] === '.')) i++;
      kind = 'number';
    } else {
      i++;
      kind = ch === ';' ? 'semicolon' : 'punct';
    }
    yield { kind, text: sql.slice(start, i), start, end: i };
  }
  return { unterminated: false };
}

export function scanStatement(sql: string): StatementShape {
  const shape: StatementShape = {
    keywords: ['', ''],
    multiStatement: false,
    unterminated: false,
    insertFormat: undefined,
    insertDataStart: undefined,
    outputFormat: undefined,
    placeholders: new Set(),
  };
  let words = 0;
  let afterSemicolon = false;
  let formatPending = false;
  const stream = tokens(sql);
  for (let step = stream.next(); ; step = stream.next()) {
    if (step.done) {
      shape.unterminated = step.value.unterminated;
      break;
    }
    const token = step.value;
    if (token.kind === 'semicolon') {
      afterSemicolon = true;
      formatPending = false;
      continue;
    }
    if (afterSemicolon) {
      shape.multiStatement = true;
      break;
    }
    if (token.kind !== 'word') {
      formatPending = false;
      if (token.text === '{') {
        placeholderAt.lastIndex = token.start;
        const match = placeholderAt.exec(sql);
        if (match) shape.placeholders.add(match[1] as string);
      }
      continue;
    }
    if (words < 2) shape.keywords[words] = token.text.toUpperCase();
    words++;
    if (formatPending) {
      formatPending = false;
      if (shape.keywords[0] === 'INSERT') {
        shape.insertFormat = token.text;
        shape.insertDataStart = token.end;
        break; // the rest is data
      }
      shape.outputFormat = token.text;
    } else if (token.text.toUpperCase() === 'FORMAT') {
      formatPending = true;
    }
  }
  return shape;
}

/** `$tag$` when a heredoc opens at `start`. */
function heredocAt(sql: string, start: number): string | undefined {
  heredocOpening.lastIndex = start;
  return heredocOpening.exec(sql)?.[0];
}

/** Index just past the literal opening at `start`; undefined when it is never closed. */
function endOfQuoted(sql: string, start: number, quote: string): number | undefined {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === '\\') i += 2;
    else if (ch === quote && sql[i + 1] === quote) i += 2;
    else if (ch === quote) return i + 1;
    else i++;
  }
  return undefined;
}

/** ClickHouse block comments nest. Undefined when one is never closed. */
function endOfBlockComment(sql: string, start: number): number | undefined {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return undefined;
}

/** Insert formats the embedded engine would corrupt: it reads insert data as UTF-8 text. */
const binaryFormats = new Set([
  'native',
  'parquet',
  'arrow',
  'arrowstream',
  'orc',
  'avro',
  'avroconfluent',
  'protobuf',
  'protobufsingle',
  'protobuflist',
  'capnproto',
  'msgpack',
  'bsoneachrow',
  'npy',
  'rawblob',
]);

export const isBinaryFormat = (format: string): boolean => {
  const name = format.toLowerCase();
  return name.startsWith('rowbinary') || binaryFormats.has(name);
};
