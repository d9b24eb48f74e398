// How the split services refuse to start without safe API keys (contract "Running"): each check runs the
// real entry point as its own process and reads what it says on the way out.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const entry = (service: string) =>
  new URL(`../../../services/${service}/src/index.ts`, import.meta.url).pathname;

/** Runs a service's index.ts with `env` and resolves with its exit code and everything it printed. */
function runToExit(service: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry(service)], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${service} did not exit within 30 s; it printed:\n${output}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

// 127.0.0.1:9 (discard) is never a broker: a service that got past its API key check would fail later
// naming KAFKA_BROKERS instead, so the message tells which check stopped it.
const split = { KAFKA_BROKERS: '127.0.0.1:9', CLICKHOUSE_URL: 'http://127.0.0.1:9' };

describe.each(['ingress', 'api'])('the %s alone', (service) => {
  it('refuses to start without API_KEYS, naming it', async () => {
    const { code, output } = await runToExit(service, split);
    expect(code).toBe(2);
    expect(output).toContain('API_KEYS is required');
  });

  it('refuses a key shorter than 16 characters, naming API_KEYS and not the key', async () => {
    const { code, output } = await runToExit(service, {
      ...split,
      API_KEYS: 'long-enough-key-0123,read:short-key',
    });
    expect(code).toBe(2);
    expect(output).toMatch(/API_KEYS: every key needs at least 16 characters/);
    expect(output).not.toContain('short-key');
    expect(output).not.toContain('long-enough-key-0123');
  });
});
