// npm run clickhouse [-- --port 8123 --host 127.0.0.1 --data-dir .data/chdb --connections 4]
// Serves the embedded engine's data directory over ClickHouse's HTTP interface until Ctrl-C, so several
// processes (split services, a shell) can share it through CLICKHOUSE_URL.
// Environment: CLICKHOUSE_SERVER_PORT, CLICKHOUSE_SERVER_HOST, CHDB_PATH, CLICKHOUSE_USER and
// CLICKHOUSE_PASSWORD (the credentials it accepts; the same variables the services read), LOG_LEVEL.
// Without CLICKHOUSE_PASSWORD a password is generated and printed once, on the terminal, never logged.
import { parseArgs } from 'node:util';
import { createLogger } from '@wapipe/observability';
import type { LogLevel } from '@wapipe/observability';
import { ClickHouseError } from '@wapipe/clickhouse';
import { defaultServerPort, startChdbHttpServer } from './http-server.ts';
import type { ChdbHttpServer } from './http-server.ts';

const usage = `usage: npm run clickhouse -- [options]

Serves embedded ClickHouse (chdb) over ClickHouse's HTTP interface until Ctrl-C.

options:
  --port <n>          listen port (CLICKHOUSE_SERVER_PORT, default ${defaultServerPort}; 0 picks a free one)
  --host <addr>       listen address (CLICKHOUSE_SERVER_HOST, default 127.0.0.1)
  --data-dir <path>   chdb data directory (CHDB_PATH, default .data/chdb)
  --connections <n>   engine connections running queries in parallel (default 4)

The accepted user and password are CLICKHOUSE_USER (default "default") and CLICKHOUSE_PASSWORD, read
from the environment only. Without CLICKHOUSE_PASSWORD a password is generated and printed once; give
it to clients as CLICKHOUSE_PASSWORD. Browser requests, host files, the network and statements that
act on the server or the session are refused (see tools/local-clickhouse/README.md).`;

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ options: cliOptions });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exit(2);
  }
  const { values } = parsed;
  if (values.help === true) {
    console.log(usage);
    return;
  }
  const env = (name: string): string | undefined => {
    const value = process.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const server = await startChdbHttpServer({
    port: integerOption(
      '--port / CLICKHOUSE_SERVER_PORT',
      values.port ?? env('CLICKHOUSE_SERVER_PORT'),
      0,
      65_535,
    ),
    host: values.host ?? env('CLICKHOUSE_SERVER_HOST'),
    path: values['data-dir'] ?? env('CHDB_PATH'),
    connections: integerOption('--connections', values.connections, 1, 64),
    user: env('CLICKHOUSE_USER'),
    password: process.env['CLICKHOUSE_PASSWORD'] ?? '',
    logger: createLogger({ level: logLevel(env('LOG_LEVEL')), write: (l) => process.stderr.write(l + '\n') }),
  });
  console.log(
    `ClickHouse ${server.engineVersion} (chdb) serves CHDB_PATH=${server.path}: CLICKHOUSE_URL=${server.url} (Ctrl-C stops it)`,
  );
  if (server.passwordGenerated) {
    // Printed once, for the developer; the logger never sees it.
    console.log(
      `No CLICKHOUSE_PASSWORD was set, so one was generated for user "${server.user}". Give it to clients:\n` +
        `  CLICKHOUSE_URL=${server.url} CLICKHOUSE_USER=${server.user} CLICKHOUSE_PASSWORD=${server.password}\n` +
        'Set CLICKHOUSE_PASSWORD before starting the server to choose one that survives a restart.',
    );
  }
  return serveUntilSignal(server);
}

const cliOptions = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  connections: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function serveUntilSignal(server: ChdbHttpServer): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: stopping ClickHouse …`);
    void server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`stopping failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function integerOption(
  name: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}`);
  }
  return number;
}

function logLevel(value: string | undefined): LogLevel {
  return value === 'debug' || value === 'warn' || value === 'error' ? value : 'info';
}

main().catch((error: unknown) => {
  console.error(error instanceof ClickHouseError ? `${error.code}: ${error.message}` : String(error));
  process.exit(1);
});
