// Runs a TypeScript entry point in a child process and waits for it to say "started".
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface Child {
  process: ChildProcess;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function startChild(
  entry: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stderr!.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${entry} did not start within 60 s; see ${logFile}`)),
      60_000,
    );
    child.stdout!.on('data', (data: Buffer) => {
      if (data.toString().includes('started')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before starting; see ${logFile}`));
    });
  });
  return {
    process: child,
    exited,
    async kill(signal) {
      child.kill(signal);
      await exited;
    },
  };
}
