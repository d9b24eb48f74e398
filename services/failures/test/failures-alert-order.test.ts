// Issue 12, "Session alerts depend on arrival order": a session's alerts follow its reported states in event
// time, whichever order, batching or repetition they arrive in (CONTRACT "Same events, same answers").
// Real broker, real engine, the real failures consumer, the real API app, a real webhook receiver.
import { describe, expect, it } from 'vitest';
import { testClickHouse } from '../../../test/harness/clickhouse.ts';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import {
  alertsAnswer,
  chunks,
  feedInSteps,
  generateSessionStates,
  shuffled,
} from '../../../test/support/failures-alert-order.ts';
import type { GeneratedState } from '../../../test/support/failures-alert-order.ts';
import {
  isoAt,
  json,
  sessionStatus,
  startFailuresUnderTest,
  startReceiver,
} from '../../../test/support/failures-service.ts';

const brokers = testBrokers();

describe('failures consumer: session alerts are a function of the states, not of their arrival', () => {
  for (const order of ['QR_REQUIRED first', 'CONNECTED first'] as const) {
    it(`QR_REQUIRED at t1 and CONNECTED at t2 give one alert opened at t1 and resolved at t2 (${order})`, async () => {
      const db = await testClickHouse();
      const receiver = await startReceiver();
      const service = await startFailuresUnderTest(brokers, db.options, {
        ALERT_WEBHOOK_URL: receiver.url,
        ALERT_WEBHOOK_TIMEOUT_MS: '2000',
      });
      const session = uniqueName('sess');
      try {
        const topic = await service.follow(service.topics.alerts);
        const qr = sessionStatus(session, 'QR_REQUIRED', isoAt(1), 'scan the code');
        const connected = sessionStatus(session, 'CONNECTED', isoAt(31));
        // Two batches, the second repeating the first's report as a provider retry would.
        const [first, second] = order === 'QR_REQUIRED first' ? [qr, connected] : [connected, qr];
        await feedInSteps(service, [[first], [second, first]]);

        const [answer] = (await alertsAnswer(db.ch, [session])) as { alerts: Record<string, unknown>[] }[];
        expect(answer!.alerts).toEqual([
          {
            id: expect.any(String),
            sessionId: session,
            kind: 'session_qr_required',
            severity: 'critical',
            status: 'resolved',
            openedAt: isoAt(1),
            resolvedAt: isoAt(31),
            detail: expect.objectContaining({ status: 'QR_REQUIRED', reason: 'scan the code' }),
          },
        ]);

        // The webhook hears of it once as opened and once as resolved, in that order, in either case.
        await waitFor('opened and resolved POSTed', () => receiver.delivered().length >= 2);
        const posted = receiver.delivered().map((p) => JSON.parse(p.body) as Record<string, unknown>);
        expect(posted.map((p) => [p['action'], p['status'], p['id']])).toEqual([
          ['opened', 'open', answer!.alerts[0]!['id']],
          ['resolved', 'resolved', answer!.alerts[0]!['id']],
        ]);
        expect(posted[1]).toMatchObject({ openedAt: isoAt(1), resolvedAt: isoAt(31) });
        expect(new Set(receiver.delivered().map((p) => p.headers['idempotency-key'])).size).toBe(2);
        expect(await service.endOffset(service.topics.alerts)).toBe(2);
        await waitFor('both topic records read', () => topic.length >= 2);
        expect(topic.map((r) => json(r)['action'])).toEqual(['opened', 'resolved']);
      } finally {
        await service.stop();
        await receiver.close();
        await db.cleanup();
      }
    });
  }

  it('one set of states over several sessions, fed in three orders and batchings with repeats, gives one answer', async () => {
    const sessions = Array.from({ length: 4 }, () => uniqueName('sess'));
    const states = generateSessionStates(sessions, 10, 1207);
    const records = (list: GeneratedState[]) => list.map((s) => s.record);
    const byTime = [...states].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const feeds: { name: string; steps: ReturnType<typeof records>[] }[] = [
      // Event-time order, everything in one produce (mostly one batch).
      { name: 'in order, together', steps: [records(byTime)] },
      // Newest first, one state per batch, each repeated once later.
      {
        name: 'newest first, one by one, repeated',
        steps: [...byTime].reverse().map((s, i, all) => [s.record, ...(i > 0 ? [all[i - 1]!.record] : [])]),
      },
      // Shuffled, in batches of 1 to 7, with the whole set repeated at the end.
      {
        name: 'shuffled, random batches, then everything again',
        steps: [...chunks(records(shuffled(states, 99)), 0xc0ffee), records(shuffled(states, 7))],
      },
    ];

    const answers: unknown[][] = [];
    for (const feed of feeds) {
      const db = await testClickHouse();
      const service = await startFailuresUnderTest(brokers, db.options);
      try {
        await feedInSteps(service, feed.steps);
        answers.push(await alertsAnswer(db.ch, sessions));
      } finally {
        await service.stop();
        await db.cleanup();
      }
    }

    const alerts = (answers[0] as { alerts: { kind: string; status: string }[] }[]).flatMap((a) => a.alerts);
    // The generated set exercises both kinds, open and resolved (seeded: the same set every run).
    expect(new Set(alerts.map((a) => a.kind))).toEqual(
      new Set(['session_disconnected', 'session_qr_required']),
    );
    expect(new Set(alerts.map((a) => a.status))).toEqual(new Set(['open', 'resolved']));
    expect(answers[1], feeds[1]!.name).toEqual(answers[0]);
    expect(answers[2], feeds[2]!.name).toEqual(answers[0]);
  });
});
