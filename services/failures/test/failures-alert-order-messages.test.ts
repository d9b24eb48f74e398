// "Same events, same answers" for the alerts decided by message statuses: `recipient_non_delivery`,
// `account_blocked` and `failure_rate` follow the statuses in event time, whichever order, batching or
// repetition they arrive in. Real broker, real engine, the real failures consumer, the real API app.
import { describe, expect, it } from 'vitest';
import { testClickHouse } from '../../../test/harness/clickhouse.ts';
import { testBrokers, uniqueName } from '../../../test/harness/kafka.ts';
import {
  alertsAnswer,
  chunks,
  feedInSteps,
  generateMessageStatuses,
  shuffled,
} from '../../../test/support/failures-alert-order.ts';
import type { GeneratedStatus } from '../../../test/support/failures-alert-order.ts';
import { startFailuresUnderTest } from '../../../test/support/failures-service.ts';

const brokers = testBrokers();

type Answer = { alerts: { kind: string; status: string; detail: Record<string, unknown> }[] };

/** Feeds one set in three orders and batchings (with repeats), each into a fresh database; the answers. */
async function answersOfThreeFeeds(
  sessions: string[],
  statuses: GeneratedStatus[],
  env: Record<string, string> = {},
) {
  const records = (list: GeneratedStatus[]) => list.map((s) => s.record);
  const byTime = [...statuses].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const newestFirst = records([...byTime].reverse());
  const feeds = [
    { name: 'in order, together', steps: [records(byTime)] },
    // Newest first in batches of varied size, each batch repeating the previous one's first record.
    {
      name: 'newest first, small batches, repeated',
      steps: chunks(newestFirst, 10).map((step, i, all) => [...step, ...(i > 0 ? [all[i - 1]![0]!] : [])]),
    },
    {
      name: 'shuffled, random batches, then everything again',
      steps: [...chunks(records(shuffled(statuses, 31)), 0xbeef), records(shuffled(statuses, 8))],
    },
  ];
  const answers: Answer[][] = [];
  for (const feed of feeds) {
    const db = await testClickHouse();
    const service = await startFailuresUnderTest(brokers, db.options, env);
    try {
      await feedInSteps(service, feed.steps);
      answers.push((await alertsAnswer(db.ch, sessions)) as Answer[]);
    } finally {
      await service.stop();
      await db.cleanup();
    }
  }
  return { answers, names: feeds.map((f) => f.name) };
}

const kindsAndStatuses = (answer: Answer[]) =>
  new Set(answer.flatMap((a) => a.alerts.map((x) => `${x.kind}:${x.status}`)));

describe('failures consumer: status-driven alerts are a function of the statuses, not of their arrival', () => {
  it('recipient and account alerts: one set over 40 hours, three feeds, one answer', async () => {
    const sessions = Array.from({ length: 3 }, () => uniqueName('sess'));
    const statuses = generateMessageStatuses(sessions, 40, 4242, {
      spreadMinutes: 40 * 60,
      failedShare: 0.6,
      accountShare: 0.1,
    });
    // A 6-hour recipient window, so stretches of non-delivery end within the 40 hours.
    const { answers, names } = await answersOfThreeFeeds(sessions, statuses, {
      RECIPIENT_FAILURE_WINDOW_HOURS: '6',
    });
    // The seeded set exercises both kinds, opened and resolved, and an alert naming several recipients.
    expect(kindsAndStatuses(answers[0]!)).toEqual(
      new Set([
        'recipient_non_delivery:open',
        'recipient_non_delivery:resolved',
        'account_blocked:open',
        'account_blocked:resolved',
      ]),
    );
    expect(
      answers[0]!.some((a) =>
        a.alerts.some((x) => Array.isArray(x.detail['recipients']) && x.detail['recipients'].length > 1),
      ),
    ).toBe(true);
    expect(answers[1], names[1]).toEqual(answers[0]);
    expect(answers[2], names[2]).toEqual(answers[0]);
  });

  it('failure-rate alerts: one dense set, three feeds, one answer', async () => {
    const sessions = Array.from({ length: 2 }, () => uniqueName('sess'));
    const statuses = generateMessageStatuses(sessions, 120, 77, {
      spreadMinutes: 20,
      failedShare: 0.15,
      accountShare: 0,
    });
    const { answers, names } = await answersOfThreeFeeds(sessions, statuses);
    const seen = kindsAndStatuses(answers[0]!);
    expect(seen.has('failure_rate:open') || seen.has('failure_rate:resolved')).toBe(true);
    expect(answers[1], names[1]).toEqual(answers[0]);
    expect(answers[2], names[2]).toEqual(answers[0]);
  });
});
