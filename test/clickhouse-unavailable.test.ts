import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClickHouse } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { testClickHouse } from './harness/clickhouse.ts';

/** A loopback port nothing listens on: bind an ephemeral port, then release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const opened: ClickHouse[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((ch) => ch.close()));
});

describe('an unreachable ClickHouse', () => {
  it('fails quickly with a retryable CLICKHOUSE_UNAVAILABLE that names CLICKHOUSE_URL and hides the password', async () => {
    const port = await closedPort();
    const password = 'never-in-a-message';
    const ch = createClickHouse({ url: `http://127.0.0.1:${port}`, password, database: 'wapipe' });
    opened.push(ch);

    const started = performance.now();
    const failure = await ch.command({ query: 'SELECT 1' }).catch((error: unknown) => error);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(failure).toMatchObject({ name: 'ClickHouseError', code: 'CLICKHOUSE_UNAVAILABLE', retry: true });
    const message = (failure as Error).message;
    expect(message).toContain(`CLICKHOUSE_URL=http://127.0.0.1:${port}`);
    expect(message).not.toContain(password);
    expect(await ch.ping()).toBe(false);
  });

  it('keeps credentials written into the URL out of the message', async () => {
    const port = await closedPort();
    const ch = createClickHouse({ url: `http://app:url-secret@127.0.0.1:${port}`, database: 'wapipe' });
    opened.push(ch);
    const failure = await ch.insert({ table: 'events', rows: [{ id: 1 }] }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'CLICKHOUSE_UNAVAILABLE', retry: true });
    expect((failure as Error).message).not.toContain('url-secret');
  });

  it('says which CHDB_PATH is taken when another process holds the embedded data directory', async (ctx) => {
    const t = await testClickHouse();
    try {
      if (t.ch.backend !== 'embedded') return ctx.skip();
      const dataPath = t.options.dataPath as string;
      const script = `
        import { createClickHouse } from '@wapipe/clickhouse';
        try { createClickHouse({ database: 'wapipe', dataPath: ${JSON.stringify(dataPath)} }); console.log('{}'); }
        catch (e) { console.log(JSON.stringify({ code: e.code, retry: e.retry, message: e.message })); }`;
      const output = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          cwd: process.cwd(),
          stdio: ['ignore', 'pipe', 'ignore'], // chdb prints its own lock error to stderr
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('error', reject);
        child.on('close', () => resolve(out));
      });
      const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
      expect(result).toMatchObject({ code: 'CLICKHOUSE_UNAVAILABLE', retry: false });
      expect(String(result['message'])).toContain(`CHDB_PATH=${dataPath}`);
    } finally {
      await t.cleanup();
    }
  });
});
