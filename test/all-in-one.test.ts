// The README's run command, end to end: `npm start` starts its own broker and embedded ClickHouse, answers
// /readyz and takes webhooks through to the read API. Stopping it the way a terminal does (Ctrl-C: SIGINT to
// the whole process group) or a supervisor does (SIGTERM) while webhooks are still arriving drains the
// consumers with the broker still up (issue 12: the broker got the Ctrl-C too and died first), exits 0 within
// 15 s with no error logged, leaves no broker behind, and a start right after it finds every accepted
// webhook.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { isProcessRunning, waitFor } from './harness/kafka.ts';
import {
  errorsAfterStopBegan,
  interrupt,
  localAllInOneEnv,
  localBrokerPid,
  startAllInOne,
  tailOf,
  waitUntilReady,
} from './support/all-in-one-process.ts';
import type { AllInOneRun } from './support/all-in-one-process.ts';
import { META_SECRET, metaHeaders, metaStatusBody } from './support/ingress.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Concurrent webhook posts until stopped; resolves with the provider message ids answered 200, in order. */
function keepPosting(url: string, session: string, workers = 4) {
  const accepted: string[] = [];
  let running = true;
  let sequence = 0;
  const worker = async () => {
    while (running) {
      const pmid = `wamid.aio.${Date.now()}.${sequence++}`;
      const body = metaStatusBody([{ id: pmid, status: 'delivered' }]);
      const answer = await fetch(`${url}/webhooks/meta/${session}`, {
        method: 'POST',
        headers: metaHeaders(body),
        body,
      }).catch(() => undefined);
      if (answer?.status === 200) accepted.push(pmid);
      // Refused once the server is closed: back off instead of spinning on a 2-core machine.
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const done = Promise.all(Array.from({ length: workers }, worker));
  return {
    accepted,
    async stop() {
      running = false;
      await done;
      return accepted;
    },
  };
}

it('stops on Ctrl-C to its process group and on SIGTERM with webhooks in flight, and restarts with its data', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wapipe-all-in-one-'));
  dirs.push(dir);
  const env = { ...(await localAllInOneEnv(dir)), API_KEYS: 'aio-key-0123456789' };
  const url = `http://127.0.0.1:${env.PORT}`;
  const auth = { Authorization: `Bearer ${env.API_KEYS}` };
  const readable = async (pmid: string) =>
    (await fetch(`${url}/v1/messages/${pmid}`, { headers: auth }).catch(() => null))?.status === 200;
  const runs: AllInOneRun[] = [];
  const start = async (name: string) => {
    const run = startAllInOne(env, join(dir, `${name}.log`));
    runs.push(run);
    await waitUntilReady(run, url, name);
    return run;
  };

  /** Signals the run with webhooks in flight; checks how it stopped; returns what it accepted. */
  const stopUnderLoad = async (run: AllInOneRun, signal: NodeJS.Signals, target: 'group' | 'leader') => {
    const brokerPid = await localBrokerPid(env.KAFKA_DATA_DIR);
    expect(brokerPid).toBeGreaterThan(0);
    const traffic = keepPosting(url, 'aio');
    await waitFor('webhooks accepted before the stop', () => traffic.accepted.length >= 20, {
      timeoutMs: 30_000,
    });
    const signalled = performance.now();
    process.kill(target === 'group' ? -run.pid : run.pid, signal);
    const exit = await Promise.race([
      run.exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000)),
    ]);
    const stopSeconds = (performance.now() - signalled) / 1000;
    const accepted = await traffic.stop();
    expect(exit, `${signal} to the ${target}: exit within 15 s`).toEqual({ code: 0, signal: null });
    expect(errorsAfterStopBegan(run.lines)).toEqual([]);
    expect(isProcessRunning(brokerPid), 'the broker the process started is gone').toBe(false);
    console.log(
      `${signal} to the ${target}: exited 0 in ${stopSeconds.toFixed(1)} s, ${accepted.length} accepted`,
    );
    return accepted;
  };

  try {
    const first = await start('first');
    const put = await fetch(`${url}/v1/sessions/aio`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'meta', enableWebhook: true, secret: META_SECRET }),
    });
    expect(put.status).toBe(200);
    const acceptedFirst = await stopUnderLoad(first, 'SIGINT', 'group');

    // Right after the exit, on the same data: every accepted webhook is there, the last ones included.
    const second = await start('second');
    const last = (ids: string[]) => ids.slice(-20);
    for (const pmid of last(acceptedFirst)) {
      await waitFor(`${pmid} (accepted before Ctrl-C) to be readable`, () => readable(pmid), {
        timeoutMs: 30_000,
        pollMs: 250,
      });
    }
    const answer = await fetch(`${url}/v1/messages/${acceptedFirst[0]}`, { headers: auth });
    expect(await answer.json()).toMatchObject({ providerMessageId: acceptedFirst[0], status: 'delivered' });
    const acceptedSecond = await stopUnderLoad(second, 'SIGTERM', 'leader');

    await start('third');
    for (const pmid of last(acceptedSecond)) {
      await waitFor(`${pmid} (accepted before SIGTERM) to be readable`, () => readable(pmid), {
        timeoutMs: 30_000,
        pollMs: 250,
      });
    }
  } catch (error) {
    const logs = await Promise.all(
      runs.map(async (run) => `--- ${run.logFile} ---\n${await tailOf(run.logFile)}`),
    );
    throw new Error(`${(error as Error).message}\n${logs.join('\n')}`);
  } finally {
    for (const run of runs) await interrupt(run);
  }
}, 300_000);
