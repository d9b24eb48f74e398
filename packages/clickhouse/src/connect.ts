// The only module that touches the drivers. Everything above it sees one @clickhouse/client instance,
// whether it speaks HTTP to a server or runs the engine in-process through chdb's connection.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseClientConfigOptions } from '@clickhouse/client';
import type { createChdbConnection as CreateChdbConnection } from 'chdb/connection';
import type { Logger } from '@wapipe/observability';
import { ClickHouseError, scrubSecrets } from './errors.ts';
import type { ClickHouseOptions } from './types.ts';

export const defaultDataPath = '.data/chdb';

type ChdbConnectionOption = NonNullable<ClickHouseClientConfigOptions['connection']>;

/**
 * Session-wide settings, identical on every call so it is harmless that chdb turns them into sticky `SET`s.
 * They make both backends answer alike: exact 64-bit integers, DateTime as UTC ISO-8601 whatever the
 * host timezone, and inserts that accept `Date#toISOString()` output.
 */
const uniformSettings = {
  output_format_json_quote_64bit_integers: 1,
  date_time_output_format: 'iso',
  date_time_input_format: 'best_effort',
} as const;

export interface Driver {
  client: ClickHouseClient;
  backend: 'http' | 'embedded';
  /** `CLICKHOUSE_URL=…` or `CHDB_PATH=…`, without credentials: goes into error messages. */
  location: string;
}

/**
 * chdb (543 MB of native library) is an optional dependency, loaded only on the embedded path, so a
 * deployment that sets CLICKHOUSE_URL installs without it (`npm ci --omit=optional`; the image does).
 */
function loadChdb(): typeof CreateChdbConnection {
  try {
    const chdb = createRequire(import.meta.url)('chdb/connection') as {
      createChdbConnection: typeof CreateChdbConnection;
    };
    return chdb.createChdbConnection;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new ClickHouseError(
      'CLICKHOUSE_UNAVAILABLE',
      'embedded ClickHouse needs the optional package chdb, which is not installed: set CLICKHOUSE_URL to a ' +
        'ClickHouse server, or install with optional dependencies (npm ci without --omit=optional)',
      { retry: false },
    );
  }
}

export function openDriver(options: ClickHouseOptions, logger: Logger): Driver {
  const log = { LoggerClass: driverLoggerClass(logger), level: 3 /* WARN */ } as const;
  if (options.url !== undefined && options.url !== '') {
    const location = `CLICKHOUSE_URL=${describeUrl(options.url, options.password)}`;
    const client = createClient({
      url: options.url,
      username: options.username,
      password: options.password,
      // No `database`: the server rejects every request naming a database that does not exist yet
      // (before migrate creates it), and all SQL is qualified anyway.
      request_timeout: options.requestTimeoutMs ?? 30_000,
      application: 'wapipe',
      clickhouse_settings: uniformSettings,
      log,
    });
    return { client, backend: 'http', location };
  }

  const path = resolve(options.dataPath ?? defaultDataPath);
  const location = `CHDB_PATH=${path}`;
  const createChdbConnection = loadChdb();
  try {
    mkdirSync(path, { recursive: true });
    // chdb types its connection against @clickhouse/client-common while the client bundles its own copy
    // of those types; they match structurally but not nominally, hence the cast. @clickhouse/client marks
    // `connection` experimental and meant for chdb; it stays inside this module.
    const connection = createChdbConnection({ path }) as unknown as ChdbConnectionOption;
    const client = createClient({ connection, clickhouse_settings: uniformSettings, log });
    return { client, backend: 'embedded', location };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const locked = /Cannot lock file/i.test(detail);
    throw new ClickHouseError(
      'CLICKHOUSE_UNAVAILABLE',
      locked
        ? `Embedded ClickHouse at ${location} is in use by another process (one process per data directory); ` +
            'point this process at a server with CLICKHOUSE_URL or give it its own CHDB_PATH'
        : `Embedded ClickHouse could not open ${location}: ${detail.slice(0, 500)}`,
      { retry: false },
    );
  }
}

function describeUrl(url: string, password?: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return scrubSecrets(url, password);
  }
}

/** Routes the driver's own warnings into our logger, without its `args` (they can hold query details). */
function driverLoggerClass(logger: Logger) {
  const driverLog = logger.child({ component: 'clickhouse-driver' });
  return class DriverLogger {
    trace() {}
    debug() {}
    info() {}
    warn(params: { message: string; err?: Error }) {
      driverLog.warn(params.message, params.err ? describeDriverError(params.err) : {});
    }
    error(params: { message: string; err: Error }) {
      driverLog.error(params.message, describeDriverError(params.err));
    }
  };
}

/** A driver error as log fields: a socket error's message alone is often empty (an AggregateError). */
function describeDriverError(err: Error): Record<string, unknown> {
  const code = (err as { code?: unknown }).code;
  const inner = err instanceof AggregateError ? err.errors.map((e: unknown) => String(e)) : undefined;
  return {
    err: err.message,
    ...(err.name !== 'Error' ? { errName: err.name } : {}),
    ...(typeof code === 'string' ? { errCode: code } : {}),
    ...(inner ? { errors: inner } : {}),
  };
}
