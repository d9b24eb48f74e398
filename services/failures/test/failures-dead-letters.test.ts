// Processing failures on the real broker and engine: a record the consumer cannot process goes to its
// dead-letter topic without holding back the records after it, and the redrive command (run as an operator
// runs it, `npm run redrive`) brings it back exactly once after the cause is fixed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DLQ_HEADER_PREFIX } from '@wapipe/pipeline';
import { suiteClickHouse } from '../../../test/harness/clickhouse.ts';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import {
  alertsOf,
  count,
  isoAt,
  metaBody,
  metaStatus,
  metricValue,
  rawRecord,
  sessionStatus,
  startFailuresUnderTest,
} from '../../../test/support/failures-service.ts';

const brokers = testBrokers();
const run = promisify(execFile);

/** `npm run redrive -- <consumer>`, i.e. tsx on the CLI, against the test broker and topic prefix. */
async function redrive(prefix: string, ...args: string[]): Promise<{ copied: number; reachedEnd: boolean }> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'services/failures/src/redrive/cli.ts', 'failures', '--idle-seconds', '2', ...args],
    {
      env: { ...process.env, KAFKA_BROKERS: brokers.join(','), TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn' },
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { copied: number; reachedEnd: boolean };
}

describe('failures consumer: dead letters and redrive', () => {
  const db = suiteClickHouse();

  const failedStatus = (session: string, n: number) =>
    rawRecord(
      'meta',
      session,
      metaBody({
        statuses: [
          metaStatus({
            id: `wamid.${session}.${n}`,
            status: 'failed',
            at: isoAt(n),
            recipient: `44770090000${n}`,
            codes: [131026],
          }),
        ],
      }),
    );
  const storedFailures = (session: string) =>
    count(db.ch, `SELECT count() AS n FROM ${db.ch.table('failures_events')} WHERE session_id = {s:String}`, {
      s: session,
    });

  it('a record with broken raw.v1 headers is dead-lettered with its reason and holds back nothing after it', async () => {
    const service = await startFailuresUnderTest(brokers, db.options);
    const session = uniqueName('sess');
    try {
      const dead = await service.follow(service.topics.deadLetter('failures'));
      const broken = failedStatus(session, 2);
      const brokenHeaders = { ...broken.headers! };
      delete brokenHeaders['wapipe-session-id'];
      await service.produce([
        failedStatus(session, 1),
        { ...broken, headers: brokenHeaders },
        failedStatus(session, 3),
      ]);
      await waitFor('the records around it stored', async () => (await storedFailures(session)) === 2);
      await waitFor('the broken record dead-lettered', () => dead.length === 1);

      const [letter] = dead;
      expect(letter!.value!.equals(broken.value as Buffer)).toBe(true);
      expect(letter!.key).toBe(session);
      expect(letter!.headers).toMatchObject({
        ...brokenHeaders,
        [`${DLQ_HEADER_PREFIX}consumer`]: 'failures',
        [`${DLQ_HEADER_PREFIX}source-topic`]: service.topics.raw,
        [`${DLQ_HEADER_PREFIX}error-code`]: 'RAW_RECORD_INVALID',
        [`${DLQ_HEADER_PREFIX}attempts`]: '1',
      });
      expect(letter!.headers[`${DLQ_HEADER_PREFIX}error-message`]).toContain('wapipe-session-id');
      await waitFor('the committed offsets past it', () => service.committed() >= 3);
      await waitFor(
        'the DLQ depth gauge at 1',
        async () =>
          (await metricValue(service.registry, 'wapipe_failures_dlq_depth', { consumer: 'failures' })) === 1,
      );
    } finally {
      await service.stop();
    }
  });

  it('a poison record is dead-lettered without blocking, and stored exactly once when redriven after the fix', async () => {
    // The realistic cause: a table the consumer reads is gone (a botched maintenance step renamed it). Only
    // records that need it (session states) fail; the fix is putting the table back.
    const service = await startFailuresUnderTest(brokers, db.options);
    const session = uniqueName('sess');
    const states = db.ch.table('failures_session_states');
    const moved = db.ch.table(`failures_session_states_moved_${session.replace(/\W/g, '_')}`);
    try {
      const dead = await service.follow(service.topics.deadLetter('failures'));
      const alerts = await service.follow(service.topics.alerts);
      await db.ch.command({ query: `RENAME TABLE ${states} TO ${moved}` });
      const poison = sessionStatus(session, 'ERROR', isoAt(4), 'stream errored out');
      // The poison twice (a provider retry), among good records, in one produce: one batch, split to find it.
      await service.produce([
        failedStatus(session, 1),
        poison,
        failedStatus(session, 2),
        poison,
        failedStatus(session, 3),
      ]);
      await waitFor('the good records stored', async () => (await storedFailures(session)) === 3);
      await waitFor('both deliveries of the poison dead-lettered', () => dead.length === 2);
      await waitFor('every record committed', () => service.committed() >= 5);
      expect(dead.map((d) => d.headers[`${DLQ_HEADER_PREFIX}error-code`])).toEqual([
        'CLICKHOUSE_QUERY_FAILED',
        'CLICKHOUSE_QUERY_FAILED',
      ]);

      // The fix, then the redrive.
      await db.ch.command({ query: `RENAME TABLE ${moved} TO ${states}` });
      expect(await redrive(service.prefix)).toEqual(expect.objectContaining({ copied: 2, reachedEnd: true }));
      await waitFor('the redriven records committed', () => service.committed() >= 7);
      const sessionFailures = () =>
        count(
          db.ch,
          `SELECT count() AS n FROM ${db.ch.table('failures_events')} WHERE session_id = {s:String} AND source = 'session'`,
          { s: session },
        );
      expect(await sessionFailures()).toBe(1);
      expect(
        await count(db.ch, `SELECT count() AS n FROM ${states} WHERE session_id = {s:String}`, {
          s: session,
        }),
      ).toBe(1);
      expect((await alertsOf(db.ch, session)).map((a) => [a.kind, a.status])).toEqual([
        ['session_disconnected', 'open'],
      ]);

      // Running it again copies nothing: the redrive group's offsets are committed.
      expect(await redrive(service.prefix)).toEqual(expect.objectContaining({ copied: 0 }));
      expect(await service.endOffset(service.topics.deadLetter('failures'))).toBe(2);
      expect(await sessionFailures()).toBe(1);
      expect(await storedFailures(session)).toBe(4);
      await waitFor('the alert record read', () => alerts.length >= 1);
      expect(await service.endOffset(service.topics.alerts)).toBe(1);
      await waitFor(
        'the DLQ depth gauge at 0',
        async () =>
          (await metricValue(service.registry, 'wapipe_failures_dlq_depth', { consumer: 'failures' })) === 0,
      );
    } finally {
      await service.stop();
    }
  });
});
