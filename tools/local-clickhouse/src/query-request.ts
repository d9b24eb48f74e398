// Turns one HTTP request into what the engine runs, following the server's rules: the SQL is the `query`
// URL parameter, a line break and the body (or just one of them); `param_<name>` are query parameters;
// `database`, `default_format` and the reserved names below configure the request; every other URL
// parameter is a setting. A multipart/form-data body carries `query` and `param_*` parts instead.
import type { IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import { exception } from './engine-exception.ts';

export interface QueryRequest {
  sql: string;
  queryId: string;
  /** `database` parameter or `X-ClickHouse-Database`; undefined → `default`. */
  database: string | undefined;
  /** Output format for SQL without FORMAT (`default_format` / `X-ClickHouse-Format`); server default TSV. */
  defaultFormat: string;
  /** Engine settings, values as sent. */
  settings: Map<string, string>;
  /** Query parameters, values as sent (ClickHouse's escaped text form). */
  params: Map<string, string>;
  /** Only reads may run: a GET request, or `readonly` set to 1 or 2. */
  readonly: boolean;
  /** `enable_http_compression=1`: compress the response if Accept-Encoding allows. */
  compressResponse: boolean;
  compressionLevel: number;
}

/** URL parameters that are not settings (the server skips or handles them itself). */
const reservedNames = new Set([
  'query',
  'database',
  'default_format',
  'user',
  'password',
  'quota_key',
  'query_id',
  'stacktrace',
  'buffer_size',
  'wait_end_of_query',
  'session_id',
  'session_timeout',
  'session_check',
  'close_session',
  'client_protocol_version',
  'role',
  'compress',
  'decompress',
]);

/**
 * Settings of the HTTP layer. Here the whole result is buffered before it is sent (so there is no
 * progress or mid-stream exception to configure) and compression is ours; the embedded engine does not
 * know most of these names, so they are never passed to it.
 */
const httpLayerSettings = new Set([
  'enable_http_compression',
  'http_zlib_compression_level',
  'http_response_compression_method',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_wait_end_of_query',
  'http_response_buffer_size',
  'http_native_compression_disable_checksumming_on_decompress',
  'http_write_exception_in_output_format',
  'cancel_http_readonly_queries_on_client_close',
  'add_http_cors_header',
  'readonly',
]);

const settingName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const truthy = (value: string | undefined) => value !== undefined && /^(1|true)$/i.test(value.trim());

export function parseQueryRequest(
  method: string,
  url: URL,
  headers: IncomingHttpHeaders,
  body: Buffer,
): QueryRequest {
  const search = url.searchParams;
  if (search.has('session_id')) {
    throw exception('NOT_IMPLEMENTED', 'Sessions (session_id) are not supported by the chdb HTTP server');
  }
  if (truthy(search.get('compress') ?? undefined) || truthy(search.get('decompress') ?? undefined)) {
    throw exception(
      'NOT_IMPLEMENTED',
      'ClickHouse native block compression (compress/decompress) is not supported; use Content-Encoding',
    );
  }

  const settings = new Map<string, string>();
  const params = new Map<string, string>();
  for (const [key, value] of search) {
    if (key === '' || reservedNames.has(key)) continue;
    if (key.startsWith('param_')) {
      params.set(key.slice('param_'.length), value);
    } else if (!httpLayerSettings.has(key)) {
      if (!settingName.test(key))
        throw exception('BAD_ARGUMENTS', `Invalid setting name '${key.slice(0, 80)}'`);
      settings.set(key, value);
    }
  }

  let sql: string;
  const contentType = String(headers['content-type'] ?? '');
  if (/^multipart\/form-data/i.test(contentType)) {
    const parts = parseMultipart(body, contentType);
    for (const [name, value] of parts) {
      if (name.startsWith('param_')) params.set(name.slice('param_'.length), value);
      else if (name !== 'query') {
        throw exception(
          'NOT_IMPLEMENTED',
          `External tables (multipart part '${name.slice(0, 60)}') are not supported`,
        );
      }
    }
    sql = parts.get('query') ?? search.get('query') ?? '';
  } else {
    const inUrl = search.get('query') ?? '';
    const inBody = body.length > 0 ? body.toString('utf8') : '';
    sql = inUrl !== '' && inBody !== '' ? `${inUrl}\n${inBody}` : inUrl + inBody;
  }
  if (sql.trim() === '') throw exception('SYNTAX_ERROR', 'Empty query');

  const readonlySetting = search.get('readonly');
  const level = Number(search.get('http_zlib_compression_level') ?? 3);
  return {
    sql,
    queryId: search.get('query_id') || headerValue(headers, 'x-clickhouse-query-id') || randomUUID(),
    database: search.get('database') || headerValue(headers, 'x-clickhouse-database') || undefined,
    defaultFormat:
      search.get('default_format') || headerValue(headers, 'x-clickhouse-format') || 'TabSeparated',
    settings,
    params,
    readonly: method === 'GET' || (readonlySetting !== null && readonlySetting.trim() !== '0'),
    compressResponse: truthy(search.get('enable_http_compression') ?? undefined),
    compressionLevel: Number.isInteger(level) && level >= 1 && level <= 9 ? level : 3,
  };
}

const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Named text parts of a multipart/form-data body (what @clickhouse/client's multipart params send). */
export function parseMultipart(body: Buffer, contentType: string): Map<string, string> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) throw exception('BAD_ARGUMENTS', 'multipart/form-data without a boundary');
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const parts = new Map<string, string>();
  const text = body.toString('utf8');
  for (const section of text.split(delimiter).slice(1)) {
    if (section.startsWith('--')) break;
    const headerEnd = section.indexOf('\r\n\r\n');
    if (headerEnd === -1) continue;
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(section.slice(0, headerEnd));
    if (!name) continue;
    parts.set(name[1] as string, section.slice(headerEnd + 4).replace(/\r\n$/, ''));
  }
  return parts;
}
