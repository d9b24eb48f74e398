// The `wapipe` binary, run as a child process against one real pipeline for the file (the all-in-one's
// startPipeline on the test broker and a fresh database): trigger sends every event kind, signed, and
// message/stats/alerts show them; tail prints what is stored after it starts, in order, and exits 0 on
// SIGINT; a wrong key and an unreachable URL say what to fix; replay re-reads a range and stores nothing twice.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allInOneEnv, startPipeline } from '@wapipe/all-in-one';
import type { RunningPipeline } from '@wapipe/all-in-one';
import { createClickHouse } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';
import { connectKafka, readOffsetRanges, topicCatalog } from '@wapipe/kafka';
import { findFreePort } from '@wapipe/local-kafka';
import type { KafkaConnection } from '@wapipe/kafka';
import { createRegistry, silentLogger } from '@wapipe/observability';
import { suiteClickHouse } from '../../../test/harness/clickhouse.ts';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import { testConsumerEnv } from '../../../test/support/consumer-env.ts';

const KEY = 'cli-test-key-0123456789';
// Each run of the binary pays tsx's start-up; on a shared two-core machine that is seconds.
const SLOW = 240_000;
const BIN = new URL('../../../node_modules/.bin/wapipe', import.meta.url).pathname;
const brokers = testBrokers();
const prefix = uniqueName('cli');
const db = suiteClickHouse();

let pipeline: RunningPipeline;
let server: ReturnType<typeof serve>;
let url: string;
let configDir: string;
let ch: ClickHouse;
let kafka: KafkaConnection;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function wapipeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WAPIPE_URL: url,
    WAPIPE_API_KEY: KEY,
    WAPIPE_CONFIG_DIR: configDir,
    KAFKA_BROKERS: brokers.join(','),
    TOPIC_PREFIX: prefix,
    NO_COLOR: '1',
    ...extra,
  };
}

/** Runs the real binary and collects what it printed. */
function wapipe(args: string[], extra: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env: wapipeEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(args: string[], extra: Record<string, string> = {}): Promise<Run> {
  const run = await wapipe(args, extra);
  if (run.code !== 0)
    throw new Error(`wapipe ${args.join(' ')} exited ${run.code}\n${run.stderr}${run.stdout}`);
  return run;
}

async function json<T = Record<string, unknown>>(args: string[]): Promise<T> {
  return JSON.parse((await ok([...args, '--json'])).stdout) as T;
}

interface MessageJson {
  messageId: string | null;
  status: string;
  timeline: { status: string }[];
  failure: null | { code: string; category: string };
  replies: { type: string; text: string }[];
}

/**
 * Waits (over plain HTTP, cheaper than a child per poll) until the message shows at least `statuses`
 * statuses and `replies` replies, and its failure when `failure` is set, then reads it through
 * `wapipe message <id> --json`. The failure comes from the failures consumer, the timeline from the
 * delivery consumer: two groups, so one may show before the other.
 */
async function storedMessage(
  id: string,
  statuses: number,
  replies = 0,
  failure = false,
): Promise<MessageJson> {
  await waitFor(
    `message ${id} with ${statuses} statuses, ${replies} replies${failure ? ' and its failure' : ''}`,
    async () => {
      const res = await fetch(`${url}/v1/messages/${encodeURIComponent(id)}`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      if (res.status !== 200) return false;
      const view = (await res.json()) as MessageJson;
      return (
        view.timeline.length >= statuses &&
        view.replies.length >= replies &&
        (!failure || view.failure !== null)
      );
    },
    { timeoutMs: 30_000, pollMs: 200 },
  );
  return await json<MessageJson>(['message', id]);
}

async function waitForAlert(session: string, status: 'open' | 'resolved'): Promise<void> {
  await waitFor(
    `a ${status} session_qr_required alert`,
    async () => {
      const res = await fetch(`${url}/v1/alerts?sessionId=${session}`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      const { alerts } = (await res.json()) as { alerts: { kind: string; status: string }[] };
      return alerts.some((a) => a.kind === 'session_qr_required' && a.status === status);
    },
    { timeoutMs: 30_000, pollMs: 200 },
  );
}

const count = async (table: string, where = '1') => {
  const [row] = await ch.query({
    query: `SELECT count() AS n, uniqExact(event_id) AS ids FROM ${ch.table(table)} WHERE ${where}`,
    schema: z.object({ n: z.coerce.number(), ids: z.coerce.number() }),
  });
  return row!;
};

beforeAll(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'wapipe-cli-'));
  const port = await findFreePort();
  url = `http://127.0.0.1:${port}`;
  const env = allInOneEnv.parse({
    ...testConsumerEnv(brokers, prefix, db.options),
    TOPIC_PARTITIONS: '2',
    API_KEYS: KEY,
    SESSIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PORT: String(port),
    LOG_LEVEL: 'error',
  });
  pipeline = await startPipeline(env, { logger: silentLogger, registry: createRegistry() });
  server = serve({ fetch: pipeline.app.fetch, port, hostname: '127.0.0.1' });
  ch = createClickHouse(db.options);
  kafka = await connectKafka({ brokers, clientId: 'cli-test', logger: silentLogger });
});

afterAll(async () => {
  await kafka?.close();
  await ch?.close();
  await new Promise((resolve) => server?.close(resolve));
  await pipeline?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

describe('usage', () => {
  it(
    'every command has --help with an example, and an unknown option prints usage and exits 2',
    async () => {
      for (const command of [
        'start',
        'sessions put',
        'trigger',
        'tail',
        'message',
        'stats',
        'alerts',
        'redrive',
        'replay',
        'raw',
        'audit',
      ]) {
        const run = await ok([...command.split(' '), '--help']);
        expect(run.stdout, command).toMatch(/Usage: wapipe/);
        expect(run.stdout, command).toMatch(/Examples?:\n\s+\$ wapipe/);
        expect(run.stdout, command).toContain('--');
      }
      const bad = await wapipe(['stats', 'demo', '--frm', '1h']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("unknown option '--frm'");
      expect(bad.stderr).toContain('Usage: wapipe stats');
      const badValue = await wapipe(['trigger', 'demo', 'shipped']);
      expect(badValue.code).toBe(2);
      expect(badValue.stderr).toContain('unknown event "shipped"');
    },
    SLOW,
  );
});

describe('against a running wapipe', () => {
  it(
    "a newcomer's burst creates the session, keeps its secret (0600) and prints the timeline",
    async () => {
      const run = await ok(['trigger', 'demo', '--burst']);
      expect(run.stderr).toMatch(/created session demo \(meta\) with a fresh secret, kept in .*state\.json/);
      const id = /^message (demo-[0-9a-f]+)$/m.exec(run.stdout)?.[1];
      expect(id, run.stdout).toBeDefined();
      expect(run.stdout).toContain(`wapipe message ${id}`);
      // The timeline printed by trigger itself: every status and the reply.
      expect(run.stdout).toMatch(/status\s+read/);
      for (const status of ['sent', 'delivered', 'read'])
        expect(run.stdout).toMatch(new RegExp(`^${status}\\s+20`, 'm'));
      expect(run.stdout).toMatch(/reply .* text {2}Yes, Friday works for me/);
      const file = await stat(join(configDir, 'state.json'));
      expect(file.mode & 0o777).toBe(0o600);
      const kept = JSON.parse(await readFile(join(configDir, 'state.json'), 'utf8')) as {
        targets: Record<string, { sessions: Record<string, { secret: string }> }>;
      };
      const secret = Object.values(kept.targets)[0]!.sessions['demo']!.secret;
      expect(secret).toMatch(/^[0-9a-f]{32}$/);
      expect(run.stdout + run.stderr).not.toContain(secret);

      const view = await json<MessageJson>(['message', id!]);
      expect(view).toMatchObject({ messageId: id, status: 'read' });
      expect(view.timeline.map((t) => t.status)).toEqual(['sent', 'delivered', 'read']);
      expect(view.replies).toHaveLength(1);

      // The next trigger finds the kept secret: the webhook is accepted, not refused.
      const again = await ok(['trigger', 'demo', '--burst', '--count', '2']);
      expect(again.stderr).not.toContain('created session');
      expect(again.stderr).toContain('8 signed meta webhooks accepted');
    },
    SLOW,
  );

  it(
    'every Meta event kind is signed, accepted and shows through message and stats',
    async () => {
      const session = 'cli-meta';
      const sent = await ok(['trigger', session, 'sent']);
      const pmid = /^message (wamid\.\S+)$/m.exec(sent.stdout)?.[1];
      expect(pmid).toBeDefined();
      // Without --message, each next event is about the last message triggered.
      await ok(['trigger', session, 'delivered']);
      await Promise.all([
        ok(['trigger', session, 'read', '--message', pmid!]),
        ok(['trigger', session, 'reply', 'Friday, then', '--message', pmid!]),
        ok(['trigger', session, 'button', '--message', pmid!]),
        ok(['trigger', session, 'reaction', '--message', pmid!]),
      ]);
      const view = await storedMessage(pmid!, 3, 3);
      expect(view.status).toBe('read');
      expect(view.timeline.map((t) => t.status)).toEqual(['sent', 'delivered', 'read']);
      expect(view.replies.map((r) => r.type).sort()).toEqual(['button', 'reaction', 'text']);
      expect(view.replies.find((r) => r.type === 'text')?.text).toBe('Friday, then');

      const failedId = 'wamid.cli-failed-0001';
      await ok(['trigger', session, 'failed', '--code', '131049', '--message', failedId]);
      const failed = await storedMessage(failedId, 1, 0, true);
      expect(failed.status).toBe('failed');
      expect(failed.failure).toMatchObject({ code: '131049', category: 'policy' });

      const stats = await json<{ totals: Record<string, number> }>([
        'stats',
        session,
        '--from',
        '1h',
        '--interval',
        'minute',
      ]);
      expect(stats.totals).toMatchObject({ sent: 2, delivered: 1, read: 1, failed: 1, replies: 3 });
      const csv = (await ok(['stats', session, '--from', '1h', '--csv'])).stdout.trim().split('\n');
      expect(csv[0]).toBe('start,sent,delivered,read,failed,replies');
      expect(csv.length).toBeGreaterThan(1);
    },
    SLOW,
  );

  it(
    'ChatSend sessions get Standard Webhooks signatures, and session states open and resolve alerts',
    async () => {
      const session = 'cli-chatsend';
      const burst = await ok(['trigger', session, '--burst', '--provider', 'chatsend']);
      const id = /^message (demo-[0-9a-f]+)$/m.exec(burst.stdout)?.[1];
      expect((await storedMessage(id!, 3, 1)).status).toBe('read');
      await ok(['trigger', session, 'qr-required']);
      await waitForAlert(session, 'open');
      const open = await json<{ alerts: { kind: string; status: string }[] }>([
        'alerts',
        '--session',
        session,
      ]);
      expect(open.alerts).toContainEqual(
        expect.objectContaining({ kind: 'session_qr_required', status: 'open' }),
      );
      await ok(['trigger', session, 'connected']);
      await waitForAlert(session, 'resolved');
      const table = (await ok(['alerts', '--session', session])).stdout;
      expect(table).toMatch(/^id\s+sessionId\s+kind/m);
      expect(table).toContain('session_qr_required');
      // A session state on a Meta session is a usage error that says which provider reports it.
      const meta = await wapipe(['trigger', 'cli-meta', 'qr-required']);
      expect(meta.code).toBe(2);
      expect(meta.stderr).toContain('only ChatSend reports');
    },
    SLOW,
  );

  it(
    'tail prints the events stored after it starts, in order, and exits 0 on SIGINT',
    async () => {
      const session = 'cli-tail';
      const before = await ok(['trigger', session, 'sent']);
      const earlier = /^message (wamid\.\S+)$/m.exec(before.stdout)![1]!;
      await storedMessage(earlier, 1);

      const child = spawn(BIN, ['tail', session, '--json'], {
        env: wapipeEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        await waitFor('tail to be ready', () => stderr.includes(`following ${session}`), {
          timeoutMs: 30_000,
        });
        const pmid = 'wamid.cli-tail-0001';
        for (const status of ['sent', 'delivered', 'read']) {
          await ok(['trigger', session, status, '--message', pmid]);
          await waitFor(`tail to print ${status}`, () => stdout.includes(`"value":"${status}"`), {
            timeoutMs: 30_000,
          });
        }
        await ok(['trigger', session, 'reply', 'ok', '--message', pmid]);
        await waitFor('tail to print the reply', () => stdout.includes('"kind":"reply"'), {
          timeoutMs: 30_000,
        });
        child.kill('SIGINT');
        expect(await exited).toBe(0);
        const events = stdout
          .trim()
          .split('\n')
          .map(
            (l) =>
              JSON.parse(l) as { kind: string; value: string; providerMessageId: string; detail: string },
          );
        expect(events.map((e) => `${e.kind}:${e.value}`)).toEqual([
          'status:sent',
          'status:delivered',
          'status:read',
          'reply:text',
        ]);
        expect(events.slice(0, 3).every((e) => e.providerMessageId === pmid)).toBe(true);
        expect(events[3]!.detail).toBe('ok');
        expect(stdout).not.toContain(earlier);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
    SLOW,
  );

  it(
    'sessions get shows the session redacted; list is handled whether or not the server has it',
    async () => {
      const view = await json<{ sessionId: string; provider: string; secret: string }>([
        'sessions',
        'get',
        'demo',
      ]);
      expect(view).toMatchObject({ sessionId: 'demo', provider: 'meta', secret: '[redacted]' });
      const missing = await wapipe(['sessions', 'get', 'nobody-here']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('wapipe sessions put nobody-here');
      const list = await wapipe(['sessions', 'list', '--json']);
      if (list.code === 0) {
        const ids = (JSON.parse(list.stdout) as { sessions: { sessionId: string }[] }).sessions.map(
          (s) => s.sessionId,
        );
        expect(ids).toContain('demo');
      } else {
        expect(list.code).toBe(1);
        expect(list.stderr).toContain('cannot list sessions yet (GET /v1/sessions answered 404)');
      }
    },
    SLOW,
  );

  it(
    'a wrong key and an unreachable URL say what to fix and exit 1',
    async () => {
      const wrong = await wapipe(['stats', 'demo'], { WAPIPE_API_KEY: 'not-the-key-0123456789' });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('refused the API key (401');
      expect(wrong.stderr).toContain('WAPIPE_API_KEY');
      const nobody = `http://127.0.0.1:${await findFreePort()}`;
      const down = await wapipe(['message', 'x'], { WAPIPE_URL: nobody });
      expect(down.code).toBe(1);
      expect(down.stderr).toContain(`cannot reach ${nobody}`);
      expect(down.stderr).toContain('is `wapipe start` running? set WAPIPE_URL');
      const tail = await wapipe(['tail', 'demo'], { WAPIPE_URL: nobody });
      expect(tail.code).toBe(1);
      expect(tail.stderr).toContain(`cannot reach ${nobody}`);
    },
    SLOW,
  );

  it(
    'replay re-reads a time range into one consumer, which stores nothing twice',
    async () => {
      const from = new Date(Date.now() - 60_000).toISOString();
      await ok(['trigger', 'cli-replay', '--burst', '--count', '3']);
      const topics = topicCatalog(prefix);
      const group = `${prefix}.delivery`;
      await waitFor(
        'the delivery group caught up',
        async () => (await kafka.groupLag(group, topics.raw)) === 0n,
        {
          timeoutMs: 30_000,
          pollMs: 200,
        },
      );
      await waitFor(
        'the replies group caught up',
        async () => (await kafka.groupLag(`${prefix}.replies`, topics.raw)) === 0n,
        {
          timeoutMs: 30_000,
          pollMs: 200,
        },
      );
      const statuses = await count('delivery_status_events');
      const replies = await count('replies_inbound');
      expect(statuses.n).toBe(statuses.ids);
      const before = await kafka.endOffsets(topics.raw);
      const endsBefore = [...before.values()].reduce((a, b) => a + b, 0n);

      const run = await ok(['replay', 'delivery', '--from', from]);
      const result = JSON.parse(run.stdout) as {
        copied: number;
        total: number;
        read: number;
        skipped: number;
      };
      expect(run.stderr).toMatch(/replay delivery: \d+ of \d+ records copied/);
      // Every record of the range at least: the three bursts (a registration and four webhooks each).
      expect(result.read).toBe(result.total);
      expect(result.copied).toBeGreaterThanOrEqual(15);
      const after = await kafka.endOffsets(topics.raw);
      const endsAfter = [...after.values()].reduce((a, b) => a + b, 0n);
      expect(endsAfter - endsBefore).toBe(BigInt(result.copied));
      // Each copy is marked for delivery alone, the way redrive marks dead letters.
      const marks: (string | undefined)[] = [];
      await readOffsetRanges(kafka, {
        topic: topics.raw,
        ranges: [...after].map(([partition, end]) => ({
          partition,
          start: before.get(partition) ?? 0n,
          end,
        })),
        onBatch: async (records) => {
          marks.push(...records.map((r) => r.headers['wapipe-redrive-for']));
        },
      });
      expect(marks).toHaveLength(result.copied);
      expect(new Set(marks)).toEqual(new Set(['delivery']));

      // The delivery consumer read every copy; the others skipped them (marked for delivery).
      await waitFor(
        'delivery read the copies',
        async () => (await kafka.groupLag(group, topics.raw)) === 0n,
        {
          timeoutMs: 30_000,
          pollMs: 200,
        },
      );
      await waitFor(
        'replies passed the copies',
        async () => (await kafka.groupLag(`${prefix}.replies`, topics.raw)) === 0n,
        {
          timeoutMs: 30_000,
          pollMs: 200,
        },
      );
      expect(await count('delivery_status_events')).toEqual(statuses);
      expect(await count('replies_inbound')).toEqual(replies);
      const stats = await json<{ totals: Record<string, number> }>(['stats', 'cli-replay', '--from', '1h']);
      expect(stats.totals).toMatchObject({ sent: 3, delivered: 3, read: 3, replies: 3 });

      // The replay is in the audit log, with what it copied.
      await waitFor(
        'the replay audited',
        async () => {
          const audit = await json<{
            entries: { action: string; target: string; detail: { copied: number } }[];
          }>(['audit', '--action', 'replay']);
          return audit.entries.some((e) => e.target === 'delivery' && e.detail.copied === result.copied);
        },
        { timeoutMs: 30_000, pollMs: 500 },
      );
      // The session's kept requests: the replay's copies are not kept again (they are marked for delivery).
      await waitFor(
        'the archive caught up',
        async () => (await kafka.groupLag(`${prefix}.archive`, topics.raw)) === 0n,
        { timeoutMs: 30_000, pollMs: 200 },
      );
      const session = await json<{ requests: { provider: string; sha256: string }[] }>([
        'raw',
        '--session',
        'cli-replay',
        '--from',
        '1h',
      ]);
      expect(session.requests.length).toBe(15);
      expect(new Set(session.requests.map((r) => r.sha256)).size).toBe(15);
    },
    SLOW,
  );
});
