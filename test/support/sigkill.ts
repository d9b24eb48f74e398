// The frame every SIGKILL test of a consumer shares: the consumer runs as a child process over a data
// directory of its own (or CLICKHOUSE_URL), is killed mid-unit a few times while the stream keeps
// arriving, then runs once more until its group has nothing left to commit.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { ClickHouseOptions } from '@wapipe/clickhouse';
import type { KafkaConnection } from '@wapipe/kafka';
import { backendOptions, randomDatabaseName } from '../harness/clickhouse.ts';
import { waitFor } from '../harness/kafka.ts';
import { startChild } from './child-process.ts';

const entry = new URL('./consumer-process.ts', import.meta.url).pathname;

export interface KilledConsumerStorage {
  /** The child owns the embedded data directory while it runs; open it only after the last run. */
  dataPath: string;
  chOptions: ClickHouseOptions;
  /** Every run of the child appends its log here. */
  logFile: string;
}

/**
 * Storage for a killed consumer, one per call; the directories are removed after the file unless the
 * environment variable `keepVar` is set (it keeps the data and consumer.log for a post-mortem).
 */
export function killedConsumerStorage(name: string, keepVar: string): () => Promise<KilledConsumerStorage> {
  const dirs: string[] = [];
  afterAll(async () => {
    if (!process.env[keepVar]) for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  return async () => {
    const dataPath = await mkdtemp(join(tmpdir(), `wapipe-${name}-kill-`));
    dirs.push(dataPath);
    const database = randomDatabaseName();
    const chOptions = process.env['CLICKHOUSE_URL']
      ? { ...backendOptions(), database }
      : { database, dataPath };
    return { dataPath, chOptions, logFile: join(dataPath, 'consumer.log') };
  };
}

export interface KillsOptions {
  consumer: 'delivery' | 'replies' | 'failures' | 'archive';
  env: Record<string, string>;
  logFile: string;
  kafka: KafkaConnection;
  group: string;
  topic: string;
  kills: number;
  /** Resolves when run `run` (from 0) is in the middle of a unit: the moment to kill it. */
  killPoint(run: number): Promise<void>;
  /** Read right after each kill: what is left to commit, as the test counts it. */
  leftAtKill(): Promise<bigint>;
  /** Awaited before the last run (which must see the whole stream): the rest of the stream is produced. */
  beforeLastRun(): Promise<unknown>;
}

/** Kills the consumer `kills` times, then runs it until its group has no lag. Returns leftAtKill's readings. */
export async function killMidStreamThenDrain(options: KillsOptions): Promise<bigint[]> {
  // A killed member's partitions move after the session timeout: use the broker's minimum.
  const env = { ...options.env, CONSUMER_SESSION_TIMEOUT_MS: '6000' };
  const left: bigint[] = [];
  for (let run = 0; run < options.kills; run++) {
    const child = await startChild(entry, [options.consumer], env, options.logFile);
    await options.killPoint(run);
    await child.kill('SIGKILL');
    left.push(await options.leftAtKill());
  }
  await options.beforeLastRun();
  const last = await startChild(entry, [options.consumer], env, options.logFile);
  await waitFor(
    'the whole stream committed',
    async () => (await options.kafka.groupLag(options.group, options.topic)) === 0n,
    { timeoutMs: 180_000, pollMs: 250 },
  );
  await last.kill('SIGTERM');
  return left;
}
