// The README's run command, end to end: the all-in-one starts its own broker and embedded ClickHouse,
// answers /readyz, takes a webhook through to the read API, stops on SIGINT leaving no broker behind, and a
// second start on the same data keeps what the first one stored.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { findFreePort } from '@wapipe/local-kafka';
import { waitFor } from './harness/kafka.ts';
import { META_SECRET, metaHeaders, metaStatusBody } from './support/ingress.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('runs the whole pipeline in one process, stops cleanly and restarts with its data', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wapipe-all-in-one-'));
  dirs.push(dir);
  const port = await findFreePort();
  const env = {
    PORT: String(port),
    API_KEYS: 'aio-key',
    KAFKA_LOCAL_PORT: String(await findFreePort()),
    KAFKA_DATA_DIR: join(dir, 'kafka'),
    CHDB_PATH: join(dir, 'chdb'),
    TOPIC_PARTITIONS: '2',
    KAFKA_BROKERS: '',
    CLICKHOUSE_URL: '',
  };
  const url = `http://127.0.0.1:${port}`;
  const auth = { Authorization: 'Bearer aio-key' };
  const logFile = join(dir, 'all-in-one.log');
  const entry = new URL('../services/all-in-one/src/index.ts', import.meta.url).pathname;
  const start = (): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    return child;
  };
  const ready = async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200;
  // The local broker records its JVM's pid in its data dir's lock file.
  const brokerPid = async () => {
    const lock = await readFile(join(env.KAFKA_DATA_DIR, 'broker.pid'), 'utf8').catch(() => '{}');
    return Number((JSON.parse(lock) as { broker?: number }).broker ?? 0);
  };

  let child = start();
  try {
    const started = performance.now();
    await waitFor('/readyz to answer 200', ready, { timeoutMs: 60_000, pollMs: 250 });
    expect(performance.now() - started).toBeLessThan(60_000);

    const put = await fetch(`${url}/v1/sessions/aio`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'meta', enableWebhook: true, secret: META_SECRET }),
    });
    expect(put.status).toBe(200);
    const pmid = `wamid.aio.${Date.now()}`;
    const body = metaStatusBody([{ id: pmid, status: 'delivered' }]);
    expect(
      (await fetch(`${url}/webhooks/meta/aio`, { method: 'POST', headers: metaHeaders(body), body })).status,
    ).toBe(200);
    await waitFor(
      'the status readable through the API',
      async () => (await fetch(`${url}/v1/messages/${pmid}`, { headers: auth })).status === 200,
      { timeoutMs: 30_000, pollMs: 250 },
    );

    const pid = await brokerPid();
    expect(pid).toBeGreaterThan(0);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    await waitFor('no broker process left', () => !alive(pid), { timeoutMs: 15_000 });

    child = start();
    await waitFor('/readyz after a restart', ready, { timeoutMs: 60_000, pollMs: 250 });
    const again = await fetch(`${url}/v1/messages/${pmid}`, { headers: auth });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ providerMessageId: pmid, status: 'delivered' });
    expect((await fetch(`${url}/v1/sessions/aio`, { headers: auth })).status).toBe(200);
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n--- all-in-one log ---\n${(await readFile(logFile, 'utf8').catch(() => '')).slice(-4000)}`,
    );
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
});
