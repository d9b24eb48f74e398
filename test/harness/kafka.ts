// What an integration test needs to use the shared Kafka: its brokers, names no other test uses, and a
// way to wait for a condition without fixed sleeps.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { inject } from 'vitest';

/** The brokers started (or given by KAFKA_BROKERS) in global-setup.ts. */
export function testBrokers(): string[] {
  return inject('kafkaBrokers');
}

/** `${prefix}-${8 random hex chars}`: one topic or consumer group per test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Polls `condition` until it returns true; fails naming `what` after timeoutMs. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 30_000, pollMs = 50 }: { timeoutMs?: number; pollMs?: number } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Alive and not a zombie waiting to be reaped (kill(pid, 0) succeeds on those). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  return !existsSync(stat) || !/^\d+ \(.*\) Z/.test(readFileSync(stat, 'utf8'));
}
