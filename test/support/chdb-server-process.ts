// The chdb HTTP server in a process of its own, so a test can SIGKILL it like a crashed ClickHouse.
// Settings from the environment: CHDB_PATH, CLICKHOUSE_SERVER_PORT, CLICKHOUSE_PASSWORD, and
// CHDB_SERVER_LOG_LEVEL=debug to log every request (see CHDB_SERVER_STDERR in test/harness/clickhouse-server.ts).
// Prints one JSON line `{"url":…,"port":…}` on stdout once it listens; SIGTERM stops it cleanly.
// It also exits when its stdin closes, so it never outlives a test process that dies.
import { startChdbHttpServer } from '@wapipe/local-clickhouse';
import { createLogger } from '@wapipe/observability';

const level = process.env['CHDB_SERVER_LOG_LEVEL'] === 'debug' ? 'debug' : 'warn';
const logger = createLogger({ level, write: (line) => process.stderr.write(line + '\n') });
const server = await startChdbHttpServer({
  path: process.env['CHDB_PATH'],
  port: Number(process.env['CLICKHOUSE_SERVER_PORT'] ?? 0),
  password: process.env['CLICKHOUSE_PASSWORD'] ?? '',
  logger,
});
process.stdout.write(JSON.stringify({ url: server.url, port: server.port }) + '\n');

const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.once('close', stop);
process.stdin.resume();
