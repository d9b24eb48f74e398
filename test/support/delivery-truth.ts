// Compares what the delivery consumer stored with the generator's ground truth, and says what differs.
import { expect } from 'vitest';
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { followTopic } from '@wapipe/kafka';
import type { KafkaConnection } from '@wapipe/kafka';
import type { GeneratedStream } from './delivery-stream.ts';

const rankName = ['pending', 'sent', 'delivered', 'read', 'played'] as const;

export async function storedStatusEventCount(ch: ClickHouse): Promise<number> {
  const [row] = await ch.query({
    query: `SELECT count() AS n FROM ${ch.table('delivery_status_events')}`,
    schema: z.object({ n: z.coerce.number() }),
  });
  return row?.n ?? 0;
}

export async function expectDeliveryMatchesTruth(ch: ClickHouse, stream: GeneratedStream): Promise<void> {
  const timeline = await ch.query({
    query: `SELECT provider_message_id AS pmid, status, count() AS n, min(occurred_at) AS at
            FROM ${ch.table('delivery_status_events')} GROUP BY pmid, status`,
    schema: z.object({ pmid: z.string(), status: z.string(), n: z.coerce.number(), at: z.string() }),
  });
  expect(
    timeline.filter((r) => r.n !== 1),
    'statuses stored more than once',
  ).toEqual([]);
  expect(timeline.length, 'distinct (message, status) rows').toBe(stream.statusEvents);
  const wrongTimes = timeline.filter(
    (r) => stream.messages.get(r.pmid)?.earliest[r.status as 'sent'] !== r.at,
  );
  expect(wrongTimes.slice(0, 5), 'each status at its earliest report').toEqual([]);

  const states = await ch.query({
    query: `SELECT provider_message_id AS pmid, max(top_rank) AS rank, max(failed) AS failed
            FROM ${ch.table('delivery_message_state')} GROUP BY pmid`,
    schema: z.object({ pmid: z.string(), rank: z.coerce.number(), failed: z.coerce.number() }),
  });
  const wrongStatus = states
    .map((s) => ({
      pmid: s.pmid,
      got: s.rank >= 2 ? rankName[s.rank] : s.failed ? 'failed' : rankName[s.rank],
      want: stream.messages.get(s.pmid)?.status,
    }))
    .filter((s) => s.got !== s.want);
  expect(wrongStatus.slice(0, 5), 'latest status by precedence').toEqual([]);
  expect(states.length).toBe(
    [...stream.messages.values()].filter((m) => Object.keys(m.earliest).length > 0).length,
  );

  const rollup = await ch.query({
    query: `SELECT session_id, toString(minute) AS minute, sum(sent) AS sent, sum(delivered) AS delivered,
                   sum(read) AS read, sum(failed) AS failed
            FROM ${ch.table('delivery_rollup_minute')} GROUP BY session_id, minute
            HAVING sent != 0 OR delivered != 0 OR read != 0 OR failed != 0`,
    schema: z.object({
      session_id: z.string(),
      minute: z.string(),
      sent: z.coerce.number(),
      delivered: z.coerce.number(),
      read: z.coerce.number(),
      failed: z.coerce.number(),
    }),
  });
  const got = Object.fromEntries(
    rollup.map((r) => [
      `${r.session_id}|${r.minute}`,
      { sent: r.sent, delivered: r.delivered, read: r.read, failed: r.failed },
    ]),
  );
  expect(got, 'cohort rollups').toEqual(Object.fromEntries(stream.rollup));

  // The by-day rollup of one dimension at a time (migration 0014) holds the same counts per session and day.
  const byDay = await ch.query({
    query: `SELECT value AS session_id, toString(toDate(bucket_start)) AS day, sum(sent) AS sent,
                   sum(delivered) AS delivered, sum(read) AS read, sum(failed) AS failed
            FROM ${ch.table('delivery_cohort_by_day')} WHERE dimension = 'session' GROUP BY value, day
            HAVING sent != 0 OR delivered != 0 OR read != 0 OR failed != 0`,
    schema: z.object({
      session_id: z.string(),
      day: z.string(),
      sent: z.coerce.number(),
      delivered: z.coerce.number(),
      read: z.coerce.number(),
      failed: z.coerce.number(),
    }),
  });
  const wantByDay: Record<string, { sent: number; delivered: number; read: number; failed: number }> = {};
  for (const [key, counts] of stream.rollup) {
    const [session, minute] = key.split('|') as [string, string];
    const day = (wantByDay[`${session}|${minute.slice(0, 10)}`] ??= {
      sent: 0,
      delivered: 0,
      read: 0,
      failed: 0,
    });
    day.sent += counts.sent;
    day.delivered += counts.delivered;
    day.read += counts.read;
    day.failed += counts.failed;
  }
  expect(
    Object.fromEntries(
      byDay.map((r) => [
        `${r.session_id}|${r.day}`,
        { sent: r.sent, delivered: r.delivered, read: r.read, failed: r.failed },
      ]),
    ),
    'by-day rollup',
  ).toEqual(wantByDay);

  const [registry] = await ch.query({
    query: `SELECT count() AS n, uniqExact(provider_message_id) AS u FROM ${ch.table('delivery_outbound_messages')}`,
    schema: z.object({ n: z.coerce.number(), u: z.coerce.number() }),
  });
  const registered = [...stream.messages.values()].filter((m) => m.messageId !== null).length;
  expect(registry).toEqual({ n: registered, u: registered });
}

const transitionRank: Record<string, number> = {
  pending: 0,
  sent: 1,
  failed: 2,
  delivered: 3,
  read: 4,
  played: 5,
};

const TransitionRecord = z.object({
  sessionId: z.string(),
  transitions: z.array(
    z.object({
      transitionId: z.string(),
      providerMessageId: z.string(),
      messageId: z.string().nullable(),
      from: z.string(),
      to: z.string(),
      at: z.string().nullable(),
    }),
  ),
});

/**
 * Reads the status-transitions topic to its end and checks it against the truth: records keyed by their
 * session, every transition moves up the precedence, one id per (message, status reached), and each
 * message's highest transition is its final status, at that status's earliest time. Repeats of an id
 * (a crash between publishing and marking a batch) are allowed and counted.
 */
export async function expectTransitionsMatchTruth(
  kafka: KafkaConnection,
  topic: string,
  stream: GeneratedStream,
): Promise<{ transitions: number; repeats: number }> {
  const seen = new Map<string, { pmid: string; to: string; at: string | null }>();
  let [count, repeats] = [0, 0];
  const problems: string[] = [];
  const follower = await followTopic(kafka, {
    topic,
    onRecord: (record) => {
      const value = TransitionRecord.parse(JSON.parse(record.value!.toString()));
      if (record.key !== value.sessionId)
        problems.push(`record keyed ${record.key} carries ${value.sessionId}`);
      for (const t of value.transitions) {
        count++;
        if (transitionRank[t.from]! >= transitionRank[t.to]!) problems.push(`${t.from} → ${t.to} goes down`);
        const previous = seen.get(t.transitionId);
        if (previous) {
          repeats++;
          if (previous.pmid !== t.providerMessageId || previous.to !== t.to)
            problems.push(`id ${t.transitionId} reused`);
        }
        seen.set(t.transitionId, { pmid: t.providerMessageId, to: t.to, at: t.at });
      }
    },
  });
  await follower.caughtUp;
  await follower.stop();
  expect(problems.slice(0, 5), 'transition records').toEqual([]);

  const highest = new Map<string, { to: string; at: string | null }>();
  for (const t of seen.values()) {
    const current = highest.get(t.pmid);
    if (!current || transitionRank[t.to]! > transitionRank[current.to]!) highest.set(t.pmid, t);
  }
  const wrong = [...stream.messages.values()]
    .filter((m) => {
      const top = highest.get(m.providerMessageId);
      return top?.to !== m.status || top.at !== m.earliest[m.status as 'sent'];
    })
    .map((m) => ({ pmid: m.providerMessageId, want: m.status, got: highest.get(m.providerMessageId) }));
  expect(wrong.slice(0, 5), "each message's last transition is its status").toEqual([]);
  expect(highest.size).toBe(stream.messages.size);
  return { transitions: count, repeats };
}
