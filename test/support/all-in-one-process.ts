// The all-in-one as the README runs it (its own local broker, embedded ClickHouse), in a child process
// whose stdout and stderr are kept, line by line, for tests that read its logs.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '@wapipe/local-kafka';
import { waitFor } from '../harness/kafka.ts';

export interface AllInOneProcess {
  url: string;
  /** Every line the process wrote so far (stdout and stderr). */
  lines: string[];
  /** The lines that are JSON log records, parsed. */
  records(): Array<Record<string, unknown>>;
  /** SIGINT, then waits for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const entry = new URL('../../services/all-in-one/src/index.ts', import.meta.url).pathname;

export async function startAllInOne(env: Record<string, string> = {}): Promise<AllInOneProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'wapipe-all-in-one-'));
  const port = await findFreePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      ...process.env,
      PORT: String(port),
      KAFKA_LOCAL_PORT: String(await findFreePort()),
      KAFKA_DATA_DIR: join(dir, 'kafka'),
      CHDB_PATH: join(dir, 'chdb'),
      TOPIC_PARTITIONS: '2',
      KAFKA_BROKERS: '',
      CLICKHOUSE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l.length > 0));
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGINT');
    const code = await exited;
    await rm(dir, { recursive: true, force: true });
    return code;
  };
  try {
    await waitFor(
      '/readyz to answer 200',
      async () => {
        if (child.exitCode !== null) throw new Error(`the all-in-one exited with ${child.exitCode}`);
        return (await fetch(`${url}/readyz`).catch(() => null))?.status === 200;
      },
      { timeoutMs: 90_000, pollMs: 250 },
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- log ---\n${lines.slice(-40).join('\n')}`);
  }
  const records = () =>
    lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  return { url, lines, records, stop };
}
