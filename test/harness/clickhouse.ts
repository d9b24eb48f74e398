// A ClickHouse for one integration test: a fresh database `t_<random>` on the server named by
// CLICKHOUSE_URL when set, otherwise on embedded chdb. The embedded data directory is one per test-file
// process (chdb binds a single directory per process and locks it against other processes), named after
// the pid so a re-evaluated module in the same process still finds the same directory.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { createClickHouse } from '@wapipe/clickhouse';
import type { ClickHouse, ClickHouseOptions } from '@wapipe/clickhouse';
import type { Logger } from '@wapipe/observability';

export interface TestClickHouse {
  ch: ClickHouse;
  /** Options of `ch`; `createClickHouse(options)` opens another connection to the same database. */
  options: ClickHouseOptions;
  /** Drops the database and closes `ch`. Connections opened from `options` are the caller's to close. */
  cleanup(): Promise<void>;
}

export const randomDatabaseName = (): string => `t_${randomBytes(6).toString('hex')}`;

export async function testClickHouse(extra: { logger?: Logger } = {}): Promise<TestClickHouse> {
  const database = randomDatabaseName();
  const options: ClickHouseOptions = { ...backendOptions(), database, ...extra };
  const ch = createClickHouse(options);
  await ch.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  return {
    ch,
    options,
    async cleanup() {
      try {
        await ch.command({ query: `DROP DATABASE IF EXISTS ${database} SYNC` });
      } finally {
        await ch.close();
      }
    },
  };
}

/**
 * A test database for the enclosing describe block (or file): made before its tests, dropped after them.
 * Hooks registered later in the block run after it is made and, on the way out, before it is dropped.
 */
export function suiteClickHouse(): TestClickHouse {
  let db: TestClickHouse | undefined;
  beforeAll(async () => {
    db = await testClickHouse();
  });
  afterAll(async () => {
    await db?.cleanup();
  });
  const current = (): TestClickHouse => {
    if (!db) throw new Error('suiteClickHouse(): the database exists only while the suite runs');
    return db;
  };
  return {
    get ch() {
      return current().ch;
    },
    get options() {
      return current().options;
    },
    cleanup: () => current().cleanup(),
  };
}

/** Where test databases live: the server in CLICKHOUSE_URL, else this process's embedded directory. */
export function backendOptions(): Omit<ClickHouseOptions, 'database'> {
  const url = process.env['CLICKHOUSE_URL'];
  if (url) {
    return {
      url,
      username: process.env['CLICKHOUSE_USER'] || 'default',
      password: process.env['CLICKHOUSE_PASSWORD'] || '',
    };
  }
  // Later: a testcontainers ClickHouse started once per worker (e.g. in global-setup) would export
  // CLICKHOUSE_URL before the tests run, and nothing here would change.
  return { dataPath: processDataPath() };
}

let dataPath: string | undefined;
const dataDirPrefix = 'wapipe-chdb-test-';

function processDataPath(): string {
  if (dataPath) return dataPath;
  removeDirsOfEndedProcesses();
  dataPath = join(tmpdir(), `${dataDirPrefix}${process.pid}`);
  mkdirSync(dataPath, { recursive: true });
  return dataPath;
}

// Vitest ends its worker processes without running exit handlers, so each new process sweeps the
// directories left by test processes that are gone.
function removeDirsOfEndedProcesses(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(name.startsWith(dataDirPrefix) ? name.slice(dataDirPrefix.length) : NaN);
    if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
