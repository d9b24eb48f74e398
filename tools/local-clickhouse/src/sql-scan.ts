// What the server must know about a statement before it runs it: its leading keywords, whether a second
// statement follows, the formats it names, and its `{name:Type}` placeholders. A scan that knows
// ClickHouse's quoting ('…' "…" `…` with backslash and doubled-quote escapes) and comments (--, # , #!,
// nested /* */), not a parser: the engine still judges the statement itself.

export interface StatementShape {
  /** First two words, upper-cased ('' when absent): `SELECT`, `INSERT INTO`, `CREATE TEMPORARY`, … */
  keywords: [string, string];
  /** A statement follows a `;`. The HTTP interface runs one statement per request. */
  multiStatement: boolean;
  /** `INSERT … FORMAT X`: X. The insert data follows it and is not scanned. */
  insertFormat: string | undefined;
  /** Any other statement: the name after its last `FORMAT` (its output format). */
  outputFormat: string | undefined;
  /** Names of the `{name:Type}` query parameters it uses. */
  placeholders: Set<string>;
}

const wordStart = /[A-Za-z_]/;
const wordChar = /[A-Za-z0-9_]/;
const placeholderAt = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/y;

export function scanStatement(sql: string): StatementShape {
  const shape: StatementShape = {
    keywords: ['', ''],
    multiStatement: false,
    insertFormat: undefined,
    outputFormat: undefined,
    placeholders: new Set(),
  };
  let words = 0;
  let afterSemicolon = false;
  let formatPending = false;
  let i = 0;
  const n = sql.length;

  /** Any token seen after a `;` makes this a multi-statement request. */
  const token = () => {
    if (afterSemicolon) shape.multiStatement = true;
  };

  while (i < n && !shape.multiStatement) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v') {
      i++;
    } else if ((ch === '-' && next === '-') || (ch === '#' && (next === ' ' || next === '!'))) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (ch === '/' && next === '*') {
      i = endOfBlockComment(sql, i);
    } else if (ch === "'" || ch === '"' || ch === '`') {
      token();
      formatPending = false;
      i = endOfQuoted(sql, i, ch);
    } else if (ch === ';') {
      afterSemicolon = true;
      formatPending = false;
      i++;
    } else if (wordStart.test(ch)) {
      token();
      let end = i + 1;
      while (end < n && wordChar.test(sql[end] as string)) end++;
      const word = sql.slice(i, end);
      i = end;
      if (words < 2) shape.keywords[words] = word.toUpperCase();
      words++;
      if (formatPending) {
        formatPending = false;
        if (shape.keywords[0] === 'INSERT') {
          shape.insertFormat = word;
          break; // the rest is data
        }
        shape.outputFormat = word;
      } else if (word.toUpperCase() === 'FORMAT') {
        formatPending = true;
      }
    } else {
      token();
      formatPending = false;
      if (ch === '{') {
        placeholderAt.lastIndex = i;
        const match = placeholderAt.exec(sql);
        if (match) shape.placeholders.add(match[1] as string);
      }
      i++;
    }
  }
  return shape;
}

/** Index just past the literal opening at `start`; the end of the text when it is unterminated. */
function endOfQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === '\\') i += 2;
    else if (ch === quote && sql[i + 1] === quote) i += 2;
    else if (ch === quote) return i + 1;
    else i++;
  }
  return sql.length;
}

/** ClickHouse block comments nest. */
function endOfBlockComment(sql: string, start: number): number {
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
  return sql.length;
}

/** Statements a GET request may run: HTTP GET implies readonly on a ClickHouse server. */
const readonlyKeywords = new Set(['SELECT', 'WITH', 'SHOW', 'DESC', 'DESCRIBE', 'EXISTS', 'EXPLAIN', 'SET']);

export const isReadonlyStatement = (shape: StatementShape): boolean =>
  readonlyKeywords.has(shape.keywords[0]);

/**
 * Statements whose effect outlives the statement on an engine connection (SET, USE, temporary tables).
 * A server without a session forgets them after the request, so the connection that ran one is replaced.
 */
export const changesSessionState = (shape: StatementShape): boolean => {
  const [first, second] = shape.keywords;
  return first === 'SET' || first === 'USE' || (first === 'CREATE' && second === 'TEMPORARY');
};

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
