// A real ClickHouse HTTP endpoint in a child process (the chdb HTTP server), for tests of what happens
// when ClickHouse goes away: kill() is a crash (SIGKILL), stop() a clean shutdown, restart() brings it
// back on the same data directory and port.
import { appendFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChdbServerProcessOptions {
  /** The engine's data directory; keep it to restart on the same data. */
  dataDir: string;
  /** Default: a free port chosen at first start, then kept for restarts. */
  port?: number;
  /** The password the server accepts for user `default`. Default: a random one, kept for restarts. */
  password?: string;
  /** How long to wait for the server to listen. Default 30 s. */
  startTimeoutMs?: number;
}

export interface ChdbServerProcess {
  /** `http://127.0.0.1:<port>`; the same after restart(). */
  readonly url: string;
  readonly port: number;
  /** The password of user `default` (CLICKHOUSE_PASSWORD for clients). */
  readonly password: string;
  /** The running child's pid, or undefined while it is down. */
  pid(): number | undefined;
  /** SIGTERM and wait for a clean exit (SIGKILL after 15 s). No-op when down. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the process to be gone: the engine gets no chance to close. No-op when down. */
  kill(): Promise<void>;
  /** Starts the server again on the same data directory and port. Fails if it is still running. */
  restart(): Promise<void>;
}

const script = fileURLToPath(new URL('../support/chdb-server-process.ts', import.meta.url));

export async function startChdbServerProcess(given: ChdbServerProcessOptions): Promise<ChdbServerProcess> {
  const options = { ...given, password: given.password || randomBytes(12).toString('hex') };
  let running = await spawnServer(options, options.port ?? 0);
  const port = running.port;
  let child: RunningChild | undefined = running;

  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const current = child;
    if (current === undefined) return;
    child = undefined;
    if (current.process.exitCode === null && current.process.signalCode === null)
      current.process.kill(signal);
    const timer =
      signal === 'SIGKILL' ? undefined : setTimeout(() => current.process.kill('SIGKILL'), 15_000);
    await current.exited;
    if (timer) clearTimeout(timer);
  };

  return {
    url: running.url,
    port,
    password: options.password,
    pid: () => child?.process.pid,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    async restart() {
      if (child !== undefined)
        throw new Error('the ClickHouse server process is still running; stop() or kill() it first');
      running = await spawnServer(options, port);
      child = running;
    },
  };
}

interface RunningChild {
  process: ChildProcess;
  url: string;
  port: number;
  exited: Promise<void>;
}

function spawnServer(
  options: ChdbServerProcessOptions & { password: string },
  port: number,
): Promise<RunningChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      CHDB_PATH: options.dataDir,
      CLICKHOUSE_SERVER_PORT: String(port),
      CLICKHOUSE_PASSWORD: options.password,
    },
    // stdin stays open as a lifeline: the child exits when this process goes away.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
    // For a failure that needs the server's side: CHDB_SERVER_STDERR=<file> CHDB_SERVER_LOG_LEVEL=debug.
    const keep = process.env['CHDB_SERVER_STDERR'];
    if (keep) appendFileSync(keep, chunk);
  });
  const timeoutMs = options.startTimeoutMs ?? 30_000;

  return new Promise((resolve, reject) => {
    let stdout = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`chdb server process ${why}; stderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`did not listen within ${timeoutMs} ms`), timeoutMs);
    const exitedEarly = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`exited (${signal ?? code}) before listening`);
    child.once('exit', exitedEarly);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      child.off('exit', exitedEarly);
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      try {
        const ready = JSON.parse(stdout.slice(0, newline)) as { url: string; port: number };
        resolve({ process: child, url: ready.url, port: ready.port, exited });
      } catch {
        fail(`printed an unexpected first line: ${stdout.slice(0, 200)}`);
      }
    });
  });
}
