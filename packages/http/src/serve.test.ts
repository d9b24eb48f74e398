// serveUntilSignal in a real child process with real signals. Its stop() finishes only when the test writes
// a line to the child's stdin, so the test decides how long a stop takes.
import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { repeatedSignalWindowMs } from './serve.ts';

const script = `
import { createInterface } from 'node:readline';
import { serveUntilSignal } from '@wapipe/http';
import { createLogger } from '@wapipe/observability';
const finish = new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
serveUntilSignal({ fetch: () => new Response('ok'), port: 0, logger: createLogger(), stop: () => finish });
`;

function startServing() {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const until = async (what: string, condition: () => boolean, timeoutMs = 30_000) => {
    const deadline = performance.now() + timeoutMs;
    while (!condition()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { child, exited, output: () => output, until };
}

describe('serveUntilSignal', () => {
  test('one Ctrl-C delivered twice at once (terminal and npm) stops once and exits 0', async () => {
    const serving = startServing();
    await serving.until('listening', () => serving.output().includes('"listening"'));
    serving.child.kill('SIGINT');
    serving.child.kill('SIGINT');
    await serving.until('the stop to begin', () => serving.output().includes('stopping:'));
    serving.child.stdin.write('finish\n');
    expect(await serving.exited).toBe(0);
    expect(serving.output().match(/stopping:/g)).toHaveLength(1);
    expect(serving.output()).not.toContain('second signal');
    expect(serving.output()).toContain('"stopped"');
  });

  test('a second Ctrl-C during a stop forces the exit, non-zero, and says so', async () => {
    const serving = startServing();
    await serving.until('listening', () => serving.output().includes('"listening"'));
    serving.child.kill('SIGINT');
    await serving.until('the stop to begin', () => serving.output().includes('stopping:'));
    // The repeat window is the input here: a later signal is a person pressing Ctrl-C again.
    const began = performance.now();
    await serving.until(
      'the repeat window to pass',
      () => performance.now() - began > repeatedSignalWindowMs,
    );
    serving.child.kill('SIGINT');
    expect(await serving.exited).toBe(130);
    expect(serving.output()).toContain('second signal: exiting now, without finishing the stop');
    expect(serving.output()).not.toContain('"stopped"');
  });
});
