// A ClickHouse HTTP endpoint in front of embedded ClickHouse (chdb): enough of the server's interface for
// @clickhouse/client, so split services can share one engine and tests can stop and start "the server".
// Each request is screened (no browser marks), authenticated, read whole, checked against the statement
// policy, mapped onto one engine call, and answered with the whole result (chdb buffers results anyway).
// See README.md of this workspace for what is and is not supported, and docs/adr/0008 for why it exists.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { silentLogger } from '@wapipe/observability';
import type { Logger } from '@wapipe/observability';
import { ClickHouseError } from '@wapipe/clickhouse';
import { authenticate, printable } from './auth.ts';
import { refuseBrowserRequest, refuseFormPost } from './browser-guard.ts';
import {
  EngineException,
  engineExceptionFrom,
  exception,
  exceptionBody,
  httpStatusFor,
} from './engine-exception.ts';
import { openEnginePool } from './engine-pool.ts';
import type { EnginePool } from './engine-pool.ts';
import { compressBody, readRequestBody, responseCodec } from './http-body.ts';
import { parseQueryRequest } from './query-request.ts';
import type { QueryRequest } from './query-request.ts';
import { isBinaryFormat, scanStatement } from './sql-scan.ts';
import { deniedSettingReason, refuseSqlInInsertData, statementPolicy } from './statement-policy.ts';
import type { StatementPolicy } from './statement-policy.ts';

/** ClickHouse's default http_max_uri_size. */
const MAX_URI_BYTES = 1024 * 1024;

export interface ChdbHttpServerOptions {
  /** chdb data directory, created if missing. Default `.data/chdb`. One process per directory. */
  path?: string;
  /** Default 8123; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** The one accepted user. Default `default`. */
  user?: string;
  /** Its password. When empty or absent, one is generated: read it from `password` of the result. */
  password?: string;
  /** Engine connections that run queries in parallel. Default 4. */
  connections?: number;
  /** Requests allowed to wait for a connection; more fail with TOO_MANY_SIMULTANEOUS_QUERIES. Default 1000. */
  maxQueuedRequests?: number;
  /** Largest request body after decompression. Default 256 MiB. */
  maxRequestBytes?: number;
  logger?: Logger;
}

export interface ChdbHttpServer {
  /** `http://host:port`, for CLICKHOUSE_URL. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Absolute data directory. */
  readonly path: string;
  /** ClickHouse version of the engine, e.g. `26.7.2.1`. */
  readonly engineVersion: string;
  /** The one accepted user and its password (generated when none was given); never logged. */
  readonly user: string;
  readonly password: string;
  /** True when `password` was generated, so the caller can hand it to the developer once. */
  readonly passwordGenerated: boolean;
  /** Stops accepting, lets running requests finish, closes the engine connections. Idempotent. */
  close(): Promise<void>;
}

export const defaultServerPort = 8123;

export async function startChdbHttpServer(options: ChdbHttpServerOptions = {}): Promise<ChdbHttpServer> {
  const path = resolve(options.path ?? '.data/chdb');
  const host = options.host ?? '127.0.0.1';
  const logger = (options.logger ?? silentLogger).child({ component: 'clickhouse-server' });
  const passwordGenerated = options.password === undefined || options.password === '';
  const account = {
    user: options.user || 'default',
    password: passwordGenerated ? randomBytes(18).toString('base64url') : (options.password as string),
  };
  const maxRequestBytes = options.maxRequestBytes ?? 256 * 1024 * 1024;

  const pool = await openPool(path, options.connections ?? 4, options.maxQueuedRequests ?? 1000);
  const context: RequestContext = {
    pool,
    policy: statementPolicy(pool.tableFunctions),
    host,
    account,
    maxRequestBytes,
    logger,
    displayName: hostname(),
    running: new Set(),
    closing: false,
  };
  // ClickHouse takes a URL of up to 1 MiB (http_max_uri_size), and @clickhouse/client puts every query
  // parameter in it: a read by a few hundred message ids is longer than Node's 16 KiB default.
  const server = createServer({ maxHeaderSize: MAX_URI_BYTES }, (request, response) => {
    handleRequest(request, response, context).catch((error: unknown) => {
      // Only a bug gets here (handleRequest answers every failure it expects).
      logger.error('clickhouse http server could not answer a request', { err: String(error) });
      if (!response.headersSent) sendText(response, 'POST', 500, 'Internal error\n');
      else response.destroy();
    });
  });
  // Longer than @clickhouse/client's idle socket TTL (2.5 s), so it never reuses a socket we just closed.
  server.keepAliveTimeout = 10_000;
  server.headersTimeout = 15_000;
  // A request Node cannot parse never reaches the handler; without an answer of ours its client would read
  // an error with an empty message.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    logger.warn('clickhouse http server could not parse a request', { code: error.code, err: error.message });
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const failure =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? exception('QUERY_IS_TOO_LARGE', `The URL and headers are longer than ${MAX_URI_BYTES} bytes`)
        : exception('BAD_ARGUMENTS', `Malformed HTTP request (${error.code ?? error.message})`);
    const body = exceptionBody(failure, pool.version);
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=UTF-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-ClickHouse-Exception-Code: ${failure.code}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  });

  let port: number;
  try {
    port = await listen(server, options.port ?? defaultServerPort, host);
  } catch (error) {
    await pool.close();
    throw error;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  logger.info('clickhouse http server listening', { url, path, engine: pool.version });

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    host,
    path,
    engineVersion: pool.version,
    user: account.user,
    password: account.password,
    passwordGenerated,
    close() {
      closed ??= (async () => {
        context.closing = true;
        const stopped = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        await pool.close();
        server.closeAllConnections();
        await stopped;
        logger.info('clickhouse http server stopped', { url });
      })();
      return closed;
    },
  };
}

async function openPool(path: string, size: number, maxQueued: number): Promise<EnginePool> {
  try {
    mkdirSync(path, { recursive: true });
    return await openEnginePool({ path, size: Math.max(1, size), maxQueued });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const locked = /Cannot lock file/i.test(detail);
    throw new ClickHouseError(
      'CLICKHOUSE_UNAVAILABLE',
      locked
        ? `CHDB_PATH=${path} is in use by another process (one process per data directory)`
        : `Embedded ClickHouse could not open CHDB_PATH=${path}: ${detail.slice(0, 500)}`,
      { retry: false, cause: error },
    );
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      fail(
        new ClickHouseError(
          'CLICKHOUSE_UNAVAILABLE',
          error.code === 'EADDRINUSE'
            ? `Port ${port} on ${host} is in use (CLICKHOUSE_SERVER_PORT); stop what holds it or pick another port`
            : `Cannot listen on ${host}:${port}: ${error.message}`,
          { retry: false, cause: error },
        ),
      );
    });
    server.listen({ port, host }, () => {
      const address = server.address();
      done(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

interface RequestContext {
  pool: EnginePool;
  policy: StatementPolicy;
  /** The listen address (the Host check depends on it). */
  host: string;
  account: { user: string; password: string };
  maxRequestBytes: number;
  logger: Logger;
  displayName: string;
  /** Query ids of running requests: a duplicate is refused, as by a server. */
  running: Set<string>;
  closing: boolean;
}

async function handleRequest(request: IncomingMessage, response: ServerResponse, context: RequestContext) {
  const started = performance.now();
  const method = request.method ?? 'GET';
  const url = URL.parse(request.url ?? '/', 'http://localhost');
  if (url === null) return sendText(response, method, 400, 'Malformed request URL\n');
  const line: Record<string, unknown> = { method, path: url.pathname };
  if (context.closing) response.setHeader('Connection', 'close');
  try {
    refuseBrowserRequest(request.headers, context.host);
  } catch (error) {
    const failure = engineExceptionFrom(error);
    context.logger.warn('clickhouse http request refused', { ...line, type: failure.type });
    return sendException(response, method, failure, undefined, context.pool.version);
  }

  if (url.pathname === '/ping' || url.pathname === '/replicas_status') {
    return sendText(response, method, 200, 'Ok.\n');
  }
  if (url.pathname !== '/') {
    return sendText(
      response,
      method,
      404,
      `There is no handle ${url.pathname.slice(0, 100)}\n\nUse / or /ping\n`,
    );
  }
  if (method !== 'GET' && method !== 'POST' && method !== 'HEAD') {
    return sendText(response, method, 405, `Method ${method} is not supported; use GET or POST\n`);
  }
  if (method !== 'POST' && !url.searchParams.has('query')) return sendText(response, method, 200, 'Ok.\n');

  let queryId = url.searchParams.get('query_id') || undefined;
  let owned = false;
  try {
    if (context.closing) throw exception('ABORTED', 'The server is shutting down');
    const who = authenticate(request.headers, url, context.account);
    line['user'] = printable(who.user);
    refuseFormPost(request.headers, who.scheme);
    const body = await readRequestBody(request, context.maxRequestBytes);
    const query = parseQueryRequest(method, url, request.headers, body);
    queryId = query.queryId;
    if (context.running.has(queryId)) {
      throw exception(
        'QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING',
        `Query with id = ${queryId} is already running`,
      );
    }
    context.running.add(queryId);
    owned = true;
    Object.assign(line, { queryId, bytesIn: body.length });
    await runQuery(query, request, response, context, line);
  } catch (error) {
    const failure = engineExceptionFrom(error);
    if (!(error instanceof EngineException)) {
      context.logger.error('clickhouse http server failed a request', { ...line, err: failure.message });
    }
    Object.assign(line, { code: failure.code, type: failure.type });
    sendException(response, method, failure, queryId, context.pool.version);
  } finally {
    if (owned && queryId !== undefined) context.running.delete(queryId);
    line['status'] = response.statusCode;
    line['ms'] = Math.round(performance.now() - started);
    if (refusalTypes.has(String(line['type']))) context.logger.warn('clickhouse http request refused', line);
    else context.logger.debug('clickhouse http request', line);
  }
}

async function runQuery(
  query: QueryRequest,
  request: IncomingMessage,
  response: ServerResponse,
  context: RequestContext,
  line: Record<string, unknown>,
): Promise<void> {
  const shape = scanStatement(query.sql);
  line['statement'] = shape.keywords.join(' ').trim();
  if (shape.multiStatement) throw exception('SYNTAX_ERROR', 'Syntax error: Multi-statements are not allowed');
  if (shape.unterminated) {
    throw exception(
      'SYNTAX_ERROR',
      'Syntax error: a quoted literal, identifier, heredoc or comment is not closed',
    );
  }
  for (const name of query.settings.keys()) {
    const reason = deniedSettingReason(name);
    if (reason !== undefined)
      throw exception('ACCESS_DENIED', `Not allowed by the local ClickHouse server: ${reason}`);
  }
  const statement =
    shape.insertDataStart === undefined ? query.sql : query.sql.slice(0, shape.insertDataStart);
  if (shape.insertDataStart !== undefined) refuseSqlInInsertData(query.sql.slice(shape.insertDataStart));
  if (shape.insertFormat !== undefined && isBinaryFormat(shape.insertFormat)) {
    throw exception(
      'NOT_IMPLEMENTED',
      `Insert format ${shape.insertFormat} is binary; the embedded engine reads insert data as UTF-8 text. ` +
        'Use a text format such as JSONEachRow',
    );
  }

  const result = await context.pool.run({
    sql: query.sql,
    format: query.defaultFormat,
    database: query.database ?? 'default',
    settings: query.settings,
    params: query.params,
    placeholders: shape.placeholders,
    statement,
    check: (canonical) =>
      context.policy.check(canonical, {
        readonly: query.readonly,
        hasInsertData: shape.insertDataStart !== undefined,
      }),
  });

  const isInsert = shape.keywords[0] === 'INSERT';
  const format = isInsert ? undefined : (shape.outputFormat ?? query.defaultFormat);
  const summary = {
    read_rows: String(result.rowsRead),
    read_bytes: String(result.bytesRead),
    written_rows: '0',
    written_bytes: '0',
    total_rows_to_read: '0',
    result_rows: isInsert ? '0' : String(result.rowsRead),
    result_bytes: String(result.body.length),
    elapsed_ns: String(result.elapsedNs),
  };
  const headers: Record<string, string | number> = {
    'Content-Type': format === undefined ? 'text/plain; charset=UTF-8' : contentTypeFor(format),
    'X-ClickHouse-Query-Id': query.queryId,
    'X-ClickHouse-Timezone': context.pool.timezone,
    'X-ClickHouse-Server-Display-Name': context.displayName,
    'X-ClickHouse-Summary': JSON.stringify(summary),
  };
  if (format !== undefined) headers['X-ClickHouse-Format'] = format;

  let body = result.body;
  const codec = query.compressResponse ? responseCodec(request.headers['accept-encoding']) : undefined;
  if (codec !== undefined) {
    body = await compressBody(body, codec, query.compressionLevel);
    headers['Content-Encoding'] = codec;
  }
  headers['Content-Length'] = body.length;
  line['bytesOut'] = body.length;
  response.writeHead(200, headers);
  response.end(request.method === 'HEAD' ? undefined : body);
}

const refusalTypes = new Set(['AUTHENTICATION_FAILED', 'REQUIRED_PASSWORD', 'ACCESS_DENIED']);

function sendException(
  response: ServerResponse,
  method: string,
  failure: EngineException,
  queryId: string | undefined,
  version: string,
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const headers: Record<string, string> = { 'X-ClickHouse-Exception-Code': String(failure.code) };
  if (queryId !== undefined) headers['X-ClickHouse-Query-Id'] = queryId;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  sendText(response, method, httpStatusFor(failure.type), exceptionBody(failure, version));
}

function sendText(response: ServerResponse, method: string, status: number, text: string): void {
  const body = Buffer.from(text, 'utf8');
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=UTF-8', 'Content-Length': body.length });
  response.end(method === 'HEAD' ? undefined : body);
}

function contentTypeFor(format: string): string {
  const name = format.toLowerCase();
  if (/^(tsv|tabseparated)/.test(name)) return 'text/tab-separated-values; charset=UTF-8';
  if (name.startsWith('csv'))
    return `text/csv; charset=UTF-8; header=${name.includes('names') ? 'present' : 'absent'}`;
  if (/^json.*eachrow|^jsonlines$|^ndjson$/.test(name)) return 'application/x-ndjson; charset=UTF-8';
  if (name.startsWith('json')) return 'application/json; charset=UTF-8';
  if (isBinaryFormat(name)) return 'application/octet-stream';
  return 'text/plain; charset=UTF-8';
}
