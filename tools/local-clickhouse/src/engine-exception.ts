// Failures go back to the client the way a ClickHouse server sends them: an HTTP status chosen from the
// exception's name, an `X-ClickHouse-Exception-Code` header, and a body `Code: N. DB::Exception: … (NAME)
// (version V)`, which @clickhouse/client turns into its ClickHouseError with `code` and `type`.

/** Codes of the exceptions this server raises itself (the engine raises the others). */
export const exceptionCodes = {
  UNSUPPORTED_METHOD: 1,
  BAD_ARGUMENTS: 36,
  NOT_IMPLEMENTED: 48,
  SYNTAX_ERROR: 62,
  UNKNOWN_COMPRESSION_METHOD: 89,
  READONLY: 164,
  REQUIRED_PASSWORD: 194,
  TOO_MANY_SIMULTANEOUS_QUERIES: 202,
  QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING: 216,
  QUERY_IS_TOO_LARGE: 229,
  ABORTED: 236,
  CANNOT_DECOMPRESS: 271,
  ACCESS_DENIED: 497,
  AUTHENTICATION_FAILED: 516,
  STD_EXCEPTION: 1001,
} as const;

export type ExceptionName = keyof typeof exceptionCodes;

export class EngineException extends Error {
  override readonly name = 'EngineException';
  /** ClickHouse error code, e.g. 62. */
  readonly code: number;
  /** ClickHouse error name, e.g. `SYNTAX_ERROR`. */
  readonly type: string;
  /** The body line without the version: `Code: 62. DB::Exception: …. (SYNTAX_ERROR)`. */
  readonly text: string;
  constructor(code: number, type: string, text: string) {
    super(text);
    this.code = code;
    this.type = type;
    this.text = text;
  }
}

/** An exception of our own, worded like the engine's. */
export function exception(type: ExceptionName, message: string): EngineException {
  const code = exceptionCodes[type];
  return new EngineException(code, type, `Code: ${code}. DB::Exception: ${message}. (${type})`);
}

const engineMessage = /^Code: (\d+)\. DB::Exception: /;
const trailingName = /\(([A-Z0-9_]*[A-Z]{3}[A-Z0-9_]*)\)(?: \(version [^)]*\))?\.?\s*$/;

/** What chdb threw, as the exception the server reports. Anything unrecognised is STD_EXCEPTION. */
export function engineExceptionFrom(error: unknown): EngineException {
  if (error instanceof EngineException) return error;
  const text = (error instanceof Error ? error.message : String(error)).trim();
  const code = engineMessage.exec(text);
  const name = trailingName.exec(text);
  if (code && name) return new EngineException(Number(code[1]), name[1] as string, text);
  return exception('STD_EXCEPTION', text.replace(/\.$/, ''));
}

/** The response body, ending like a server's: ` (version 26.7.2.1)` and a newline. */
export function exceptionBody(error: EngineException, version: string): string {
  const text = /\(version [^)]*\)\.?\s*$/.test(error.text)
    ? error.text
    : `${error.text} (version ${version})`;
  return `${text}\n`;
}

// The server's mapping from exception name to HTTP status; anything else is 500.
const statusByName = new Map<string, number>([
  ['REQUIRED_PASSWORD', 401],
  ...['UNKNOWN_USER', 'WRONG_PASSWORD', 'AUTHENTICATION_FAILED', 'SET_NON_GRANTED_ROLE', 'ACCESS_DENIED'].map(
    (name) => [name, 403] as const,
  ),
  ...[
    'BAD_ARGUMENTS',
    'CANNOT_COMPILE_REGEXP',
    'CANNOT_PARSE_TEXT',
    'CANNOT_PARSE_ESCAPE_SEQUENCE',
    'CANNOT_PARSE_QUOTED_STRING',
    'CANNOT_PARSE_DATE',
    'CANNOT_PARSE_DATETIME',
    'CANNOT_PARSE_NUMBER',
    'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING',
    'CANNOT_PARSE_IPV4',
    'CANNOT_PARSE_IPV6',
    'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
    'CANNOT_PARSE_UUID',
    'DUPLICATE_COLUMN',
    'ILLEGAL_COLUMN',
    'UNKNOWN_ELEMENT_IN_AST',
    'UNKNOWN_TYPE_OF_AST_NODE',
    'THERE_IS_NO_COLUMN',
    'TOO_DEEP_AST',
    'TOO_BIG_AST',
    'UNEXPECTED_AST_STRUCTURE',
    'SYNTAX_ERROR',
    'INCORRECT_DATA',
    'TYPE_MISMATCH',
    'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  ].map((name) => [name, 400] as const),
  ...[
    'UNKNOWN_TABLE',
    'UNKNOWN_FUNCTION',
    'UNKNOWN_IDENTIFIER',
    'UNKNOWN_TYPE',
    'UNKNOWN_STORAGE',
    'UNKNOWN_DATABASE',
    'UNKNOWN_SETTING',
    'UNKNOWN_DIRECTION_OF_SORTING',
    'UNKNOWN_AGGREGATE_FUNCTION',
    'UNKNOWN_FORMAT',
    'UNKNOWN_DATABASE_ENGINE',
    'UNKNOWN_TYPE_OF_QUERY',
    'UNKNOWN_ROLE',
  ].map((name) => [name, 404] as const),
  ['QUERY_IS_TOO_LARGE', 413],
  ['NOT_IMPLEMENTED', 501],
  ['SOCKET_TIMEOUT', 503],
  ['CANNOT_OPEN_FILE', 503],
  ['CANNOT_SCHEDULE_TASK', 503],
  ['HTTP_LENGTH_REQUIRED', 411],
  ['TIMEOUT_EXCEEDED', 408],
  ['UNSUPPORTED_MEDIA_TYPE', 415],
]);

export const httpStatusFor = (type: string): number => statusByName.get(type) ?? 500;
