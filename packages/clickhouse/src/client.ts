// createClickHouse: one connection per call. In the all-in-one every consumer and the API get their own,
// because the embedded engine runs one query at a time per connection but connections run in parallel.
import { silentLogger } from '@wapipe/observability';
import type { Logger } from '@wapipe/observability';
import { openDriver } from './connect.ts';
import { ClickHouseError, classifyError } from './errors.ts';
import type { ErrorContext } from './errors.ts';
import { assertIdentifier, qualifiedTable } from './identifiers.ts';
import { insertRows } from './insert.ts';
import { runCommand, selectRows } from './query.ts';
import type { ClickHouse, ClickHouseOptions } from './types.ts';

export function createClickHouse(options: ClickHouseOptions): ClickHouse {
  const database = assertIdentifier(options.database, 'database');
  if (options.cluster !== undefined && !options.url) {
    throw new ClickHouseError(
      'CLICKHOUSE_BAD_INPUT',
      'CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL: embedded ClickHouse is one node (unset CLICKHOUSE_CLUSTER or point at a server)',
    );
  }
  const logger = (options.logger ?? silentLogger).child({ component: 'clickhouse' });
  const driver = openDriver(options, logger);
  const { client, backend } = driver;
  let closed = false;

  const contextFor = (operation: string): ErrorContext => ({
    backend,
    location: driver.location,
    password: options.password,
    operation,
  });

  /** Runs one driver call: refuses after close, times it, and turns any failure into a ClickHouseError. */
  const guard = async <T>(operation: string, run: () => Promise<T>, fields: object = {}): Promise<T> => {
    if (closed) {
      throw new ClickHouseError('CLICKHOUSE_UNAVAILABLE', `ClickHouse ${operation} after close()`);
    }
    const started = performance.now();
    try {
      const result = await run();
      logger.debug(`clickhouse ${operation}`, { ...fields, ms: Math.round(performance.now() - started) });
      return result;
    } catch (error) {
      const failure = classifyError(error, contextFor(operation));
      logger.debug(`clickhouse ${operation} failed`, { ...fields, code: failure.code, retry: failure.retry });
      throw failure;
    }
  };

  return {
    database,
    backend,
    ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
    table: (name) => qualifiedTable(database, name),
    insert: (args) =>
      guard(`insert into ${args.table}`, () => insertRows(client, database, args), {
        table: args.table,
        rows: 'rows' in args ? args.rows.length : undefined,
      }),
    query: (args) => guard('query', () => selectRows(client, args)),
    command: (args) => guard('command', () => runCommand(client, args)),
    async ping() {
      if (closed) return false;
      const result = await client.ping({ select: true }).catch((error: unknown) => ({
        success: false as const,
        error: error instanceof Error ? error : new Error(String(error)),
      }));
      if (result.success) return true;
      const failure = classifyError(result.error, contextFor('ping'));
      logger.debug('clickhouse ping failed', { code: failure.code, reason: failure.message });
      return false;
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}

/** The `clickhouseSettings` fields of @wapipe/config, as parsed from the environment. */
export interface ClickHouseEnv {
  CLICKHOUSE_URL?: string | undefined;
  CLICKHOUSE_USER?: string | undefined;
  CLICKHOUSE_PASSWORD?: string | undefined;
  CLICKHOUSE_DATABASE: string;
  CHDB_PATH?: string | undefined;
  CLICKHOUSE_CLUSTER?: string | undefined;
}

export function clickhouseFromEnv(
  env: ClickHouseEnv,
  extra: { logger?: Logger; requestTimeoutMs?: number } = {},
): ClickHouse {
  return createClickHouse({
    url: env.CLICKHOUSE_URL,
    username: env.CLICKHOUSE_USER,
    password: env.CLICKHOUSE_PASSWORD,
    database: env.CLICKHOUSE_DATABASE,
    dataPath: env.CHDB_PATH,
    cluster: env.CLICKHOUSE_CLUSTER,
    ...extra,
  });
}
