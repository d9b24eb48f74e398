// The all-in-one as a user runs it: `npm start` from the repository root (its own local broker, embedded
// ClickHouse), as the leader of its own process group (a terminal's foreground job), its output kept line
// by line for assertions and failure messages. The one way tests start it as a process.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '@wapipe/local-kafka';
import { waitFor } from '../harness/kafka.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface AllInOneRun {
  child: ChildProcess;
  /** The process group's id (npm's pid). */
  pid: number;
  lines: OutputLine[];
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The settings of a local all-in-one whose broker and ClickHouse data live under `dir`, on free ports. */
export async function localAllInOneEnv(dir: string) {
  return {
    PORT: String(await findFreePort()),
    KAFKA_LOCAL_PORT: String(await findFreePort()),
    KAFKA_DATA_DIR: join(dir, 'kafka'),
    CHDB_PATH: join(dir, 'chdb'),
    TOPIC_PARTITIONS: '2',
    KAFKA_BROKERS: '',
    CLICKHOUSE_URL: '',
  };
}

/** Starts `npm start` with `env` in its own process group; every output line also goes to logFile. */
export function startAllInOne(env: Record<string, string>, logFile: string): AllInOneRun {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: OutputLine[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    let rest = '';
    child[stream]!.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      for (const text of parts) {
        lines.push({ stream, text });
        appendFileSync(logFile, `${stream === 'stderr' ? '! ' : ''}${text}\n`);
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, pid: child.pid ?? 0, lines, logFile, exited };
}

/** Waits until `run` answers /readyz with 200 at `url`; fails at once if it exits first. */
export async function waitUntilReady(run: AllInOneRun, url: string, name = 'the all-in-one'): Promise<void> {
  await waitFor(
    `/readyz to answer 200 (${name})`,
    async () => {
      if (run.child.exitCode !== null) throw new Error(`${name} exited with ${run.child.exitCode}`);
      return (await fetch(`${url}/readyz`).catch(() => null))?.status === 200;
    },
    { timeoutMs: 90_000, pollMs: 250 },
  );
}

/** Ctrl-C to the run's process group (unless it has exited), then waits for the exit. */
export async function interrupt(
  run: AllInOneRun,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (run.child.exitCode === null && run.child.signalCode === null) process.kill(-run.pid, 'SIGINT');
  return run.exited;
}

export interface ReadyAllInOne {
  url: string;
  run: AllInOneRun;
  /** The lines that are JSON log records, parsed. */
  records(): Array<Record<string, unknown>>;
  /** Ctrl-C, waits for the exit and removes the data; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** One all-in-one on fresh data in a temp dir, started and ready; `env` adds to or overrides its settings. */
export async function startReadyAllInOne(env: Record<string, string> = {}): Promise<ReadyAllInOne> {
  const dir = await mkdtemp(join(tmpdir(), 'wapipe-all-in-one-'));
  const settings = { ...(await localAllInOneEnv(dir)), ...env };
  const run = startAllInOne(settings, join(dir, 'all-in-one.log'));
  const url = `http://127.0.0.1:${settings.PORT}`;
  const stop = async () => {
    const { code } = await interrupt(run);
    await rm(dir, { recursive: true, force: true });
    return code;
  };
  try {
    await waitUntilReady(run, url);
  } catch (error) {
    const log = await tailOf(run.logFile);
    await stop();
    throw new Error(`${(error as Error).message}\n--- log ---\n${log}`);
  }
  return { url, run, records: () => logRecords(run.lines), stop };
}

/** The lines that are JSON log records, parsed. */
export function logRecords(lines: OutputLine[]): Array<Record<string, unknown>> {
  return lines.flatMap((line) => {
    const record = parseRecord(line.text);
    return record ? [record] : [];
  });
}

/** The message logged when a stop begins (packages/http/src/serve.ts). */
export const stopBeganMessage = /^stopping: no new requests/;

/**
 * Lines at error level written after the stop began, plus anything on stderr then (kafkajs crashes and
 * stack traces bypass the logger).
 */
export function errorsAfterStopBegan(lines: OutputLine[]): string[] {
  const parsed = lines.map((line) => ({ ...line, record: parseRecord(line.text) }));
  const began = parsed.findIndex((line) => stopBeganMessage.test(String(line.record?.['msg'] ?? '')));
  if (began < 0) return ['the stop never began (no "stopping" line)'];
  return parsed
    .slice(began)
    .filter(
      (line) => line.record?.['level'] === 'error' || (line.stream === 'stderr' && line.record === undefined),
    )
    .map((line) => line.text);
}

function parseRecord(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The broker JVM's pid from the local broker's lock file in its data dir (0 when there is none). */
export async function localBrokerPid(kafkaDataDir: string): Promise<number> {
  const lock = await readFile(join(kafkaDataDir, 'broker.pid'), 'utf8').catch(() => '{}');
  return Number((JSON.parse(lock) as { broker?: number }).broker ?? 0);
}

/** The last lines of a run's output, for a failure message. */
export async function tailOf(logFile: string, chars = 4_000): Promise<string> {
  return (await readFile(logFile, 'utf8').catch(() => '')).slice(-chars);
}
