// The all-in-one as a user runs it: `npm start` from the repository root, as the leader of its own process
// group (a terminal's foreground job), its output kept line by line for assertions and failure messages.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
