// SIGKILL the replies consumer mid-stream (its embedded ClickHouse dies with it), twice, while duplicated
// and re-batched replies keep arriving; restart it each time. Every reply must be stored once, and every
// suppression, opt-out and follow-up recorded once; on the topics each id may repeat (at-least-once
// across a crash) but no command may be missing or invented.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { createClickHouse } from '@wapipe/clickhouse';
import { connectKafka, createCoalescingProducer, followTopic, topicCatalog } from '@wapipe/kafka';
import type { ProducedRecord } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import { countOf, readPublished, repliesTestEnv } from '../../../test/support/replies-consumer.ts';
import type { Published } from '../../../test/support/replies-consumer.ts';
import { conversation, shuffled } from '../../../test/support/replies-conversation.ts';
import {
  T0,
  meta,
  metaBody,
  registrationRecord,
  webhookRecord,
} from '../../../test/support/replies-webhooks.ts';
import { killMidStreamThenDrain, killedConsumerStorage } from '../../../test/support/sigkill.ts';

// REPLIES_TEST_KEEP=1 keeps the data directory and the consumer's log (consumer.log) for a post-mortem.
const storage = killedConsumerStorage('replies', 'REPLIES_TEST_KEEP');

it(
  'survives SIGKILLs mid-stream with every reply and command recorded exactly once',
  { timeout: 300_000 },
  async () => {
    const brokers = testBrokers();
    const prefix = uniqueName('replies-kill');
    const session = uniqueName('kill');
    const topics = topicCatalog(prefix);
    const { chOptions, logFile } = await storage();

    // The stream: registrations, each reply alone (a third retried at once), then all of them re-batched,
    // then identical retries again; sentinels from two new contacts close it.
    const { registrations, messages, truth } = conversation(400);
    const single = messages.map((m) => webhookRecord(session, 'meta', metaBody([m])));
    const rebatched: ProducedRecord[] = [];
    const mixed = shuffled(messages, 11);
    for (let i = 0; i < mixed.length; i += 7)
      rebatched.push(webhookRecord(session, 'meta', metaBody(mixed.slice(i, i + 7), {}, 3)));
    const stream: ProducedRecord[] = [
      ...registrations.map((r) => registrationRecord(session, r)),
      ...single.flatMap((r, i) => (i % 3 === 0 ? [r, { ...r }] : [r])),
      ...rebatched,
      ...single.filter((_, i) => i % 2 === 0).map((r) => ({ ...r })),
      // Sentinels: one command of each kind, last on the stream.
      webhookRecord(session, 'meta', metaBody([meta.text('wamid.sentinel.1', '19995550001', T0, 'STOP')])),
      webhookRecord(session, 'meta', metaBody([meta.text('wamid.sentinel.2', '19995550002', T0, 'hello')])),
    ];

    const kafka = await connectKafka({ brokers, clientId: 'replies-kill-test', logger: silentLogger });
    await kafka.ensureTopics(topics.specs(3));
    const producer = createCoalescingProducer(kafka);
    const out = { suppressions: [] as Published[], optOuts: [] as Published[], followUps: [] as Published[] };
    const followers = await Promise.all(
      (['suppressions', 'optOuts', 'followUps'] as const).map((name) =>
        followTopic(kafka, { topic: topics[name], onRecord: (r) => out[name].push(readPublished(r)) }),
      ),
    );
    const group = `${prefix}.replies`;
    try {
      // The stream starts arriving once the first consumer runs, and keeps arriving while it is killed.
      const commands = () => out.suppressions.length + out.optOuts.length + out.followUps.length;
      let produce: Promise<void> | undefined;
      const lagAtKill = await killMidStreamThenDrain({
        consumer: 'replies',
        env: repliesTestEnv(brokers, prefix, chOptions),
        logFile,
        kafka,
        group,
        topic: topics.raw,
        kills: 2,
        // Commands are published after a batch is journaled and before it is marked applied and its offsets
        // committed: killing as soon as this run publishes one lands in the middle of a batch.
        killPoint: async () => {
          const before = commands();
          produce ??= (async () => {
            const chunks = 12;
            const size = Math.ceil(stream.length / chunks);
            for (let i = 0; i < chunks; i++)
              await producer.sendMany(topics.raw, stream.slice(i * size, (i + 1) * size));
          })();
          await waitFor('commands from this run', () => commands() > before, {
            timeoutMs: 90_000,
            pollMs: 2,
          });
        },
        leftAtKill: () => kafka.groupLag(group, topics.raw),
        beforeLastRun: async () => produce,
      });
      console.log(`raw records still to commit at each kill: ${lagAtKill.join(', ')} of ${stream.length}`);
      expect(lagAtKill.some((lag) => lag > 0n)).toBe(true);
      // Commands of one session share a partition: once the sentinel's are read, all earlier ones are.
      const isSentinel = (p: Published) => JSON.stringify(p.value).includes('wamid.sentinel');
      await waitFor(
        'the sentinel commands',
        () =>
          out.suppressions.some(isSentinel) && out.optOuts.some(isSentinel) && out.followUps.some(isSentinel),
        { timeoutMs: 30_000 },
      );

      const ch = createClickHouse(chOptions);
      try {
        const where = 'session_id = {s:String}';
        const params = { s: session };
        const distinct = async (table: string, column: string) => {
          const [row] = await ch.query({
            query: `SELECT count() AS n, uniqExact(${column}) AS u FROM ${ch.table(table)} WHERE ${where}`,
            params,
            schema: z.object({ n: z.coerce.number(), u: z.coerce.number() }),
          });
          return row;
        };
        expect(await distinct('replies_inbound', 'provider_message_id')).toEqual({
          n: truth.replies + 2,
          u: truth.replies + 2,
        });
        expect(await distinct('replies_suppressions', 'id')).toEqual({
          n: truth.suppressions + 2,
          u: truth.suppressions + 2,
        });
        expect(await distinct('replies_opt_outs', 'id')).toEqual({
          n: truth.optOuts + truth.optIns + 1,
          u: truth.optOuts + truth.optIns + 1,
        });
        expect(await distinct('replies_follow_ups', 'id')).toEqual({
          n: truth.followUps + 1,
          u: truth.followUps + 1,
        });
        // One suppression per contact, one opt-out per contact that sent STOP.
        expect(
          await countOf(ch, 'replies_suppressions', `${where} AND outbound_message_id != ''`, params),
        ).toBe(truth.suppressions);
        expect(await countOf(ch, 'replies_opt_outs', `${where} AND action = 'opt_out'`, params)).toBe(
          truth.optOuts + 1,
        );
        expect(await countOf(ch, 'replies_contacts', where, params, true)).toBe(400 + 2);
        // Nothing left half-applied in the journal.
        const [pending] = await ch.query({
          query: `SELECT count() AS n FROM ${ch.table('replies_journal')}
                WHERE batch_id NOT IN (SELECT batch_id FROM ${ch.table('replies_journal_applied')})`,
          schema: z.object({ n: z.coerce.number() }),
        });
        expect(pending?.n).toBe(0);

        // Topics: every recorded command was published, nothing else; repeats carry the same id.
        for (const [name, table] of [
          ['suppressions', 'replies_suppressions'],
          ['optOuts', 'replies_opt_outs'],
          ['followUps', 'replies_follow_ups'],
        ] as const) {
          const ids = await ch.query({
            query: `SELECT id FROM ${ch.table(table)} WHERE ${where}`,
            params,
            schema: z.object({ id: z.string() }),
          });
          const published = out[name].filter((p) => p.value['sessionId'] === session);
          expect([...new Set(published.map((p) => p.value.id))].sort()).toEqual(ids.map((r) => r.id).sort());
          console.log(
            `${name}: ${ids.length} commands, ${published.length - ids.length} repeated on the topic after the kills`,
          );
        }
      } finally {
        await ch.close();
      }
    } finally {
      for (const follower of followers) await follower.stop();
      await producer.close();
      await kafka.close();
    }
  },
);
