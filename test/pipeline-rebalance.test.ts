// Issue 19: a staged member (ADR 7) releases kafkajs as soon as a unit is prepared, while the unit is still
// being stored. When the group rebalances in that moment, the member must finish the store before it joins
// again: joined at once, it hands its partitions to a member that reads the same uncommitted records and
// stores them too (the 3-member group test saw 76 statuses stored twice this way). Here the first member's
// store is held open on purpose while a second member joins; every record must be stored exactly once.
import { expect, it } from 'vitest';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import type { ConsumedRecord } from '@wapipe/kafka';
import { createLogger, silentLogger } from '@wapipe/observability';
import { createConsumerLoop } from '@wapipe/pipeline';
import type { RecordHandler } from '@wapipe/pipeline';
import { testBrokers, uniqueName, waitFor } from './harness/kafka.ts';

it('a member that holds a unit being stored finishes it before the group rebalances', async () => {
  const brokers = testBrokers();
  const prefix = uniqueName('rebalance');
  const topics = topicCatalog(prefix);
  const kafka = await connectKafka({ brokers, clientId: 'rebalance-test', logger: silentLogger });
  await kafka.ensureTopics(topics.specs(2));
  const producer = createCoalescingProducer(kafka);
  const group = `${prefix}.delivery`;

  const stores: { member: string; key: string }[] = [];
  const prepared: { member: string; key: string }[] = [];
  let openGate = () => {};
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  // A staged handler: prepare reads nothing here; store lands the unit's records (x's first ones only once
  // the gate opens).
  const handler = (member: string, gated: boolean): RecordHandler => ({
    async prepare(records: ConsumedRecord[]) {
      for (const r of records) prepared.push({ member, key: r.key ?? '' });
      return {
        refused: [],
        store: async () => {
          if (gated) await gate;
          for (const r of records) stores.push({ member, key: r.key ?? '' });
        },
      };
    },
    reset() {},
  });
  const xLines: string[] = [];
  const member = (name: string, gated: boolean, logger = silentLogger) =>
    createConsumerLoop(kafka, {
      name: 'delivery',
      groupId: group,
      topics: [topics.raw],
      deadLetterTopic: topics.deadLetter('delivery'),
      producer,
      handler: handler(name, gated),
      logger,
      sessionTimeoutMs: 6_000,
    });
  const x = member('x', true, createLogger({ level: 'info', write: (line) => xLines.push(line) }));
  const y = member('y', false);
  const committed = async () =>
    [...(await kafka.committedOffsets(group, topics.raw)).values()].reduce(
      (n, o) => n + (o > 0n ? o : 0n),
      0n,
    );
  const produce = (from: number, count: number) =>
    producer.sendMany(
      topics.raw,
      Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` })),
    );
  try {
    await produce(0, 40);
    const ends = await kafka.endOffsets(topics.raw);
    expect([...ends.values()].every((end) => end > 0n)).toBe(true); // both partitions have records
    await x.start();
    await waitFor('x to prepare all 40 records', () => prepared.length >= 40, { timeoutMs: 60_000 });

    // y's start returns once it has joined, which the group holds until x joins again: not awaited yet.
    const yStarted = y.start();
    // Before the fix, y read a partition's records while x still held them unstored. After it, x logs
    // that it stores what it holds first, and the group waits for x.
    const xWaits = () => xLines.some((l) => l.includes('storing what this member holds first'));
    await waitFor(
      'y to read records, or x to store before it joins',
      () => xWaits() || prepared.some((p) => p.member === 'y'),
      {
        timeoutMs: 60_000,
      },
    );
    openGate();
    await yStarted;
    await waitFor('40 records committed', async () => (await committed()) === 40n, { timeoutMs: 60_000 });

    // After the rebalance, both members take new records: the partitions really were shared out.
    await produce(40, 40);
    await waitFor('80 records committed', async () => (await committed()) === 80n, { timeoutMs: 60_000 });
    await waitFor('80 stores', () => stores.length >= 80, { timeoutMs: 10_000 });

    const byKey = new Map<string, string[]>();
    for (const s of stores) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s.member]);
    const storedTwice = [...byKey].filter(([, members]) => members.length > 1);
    expect(storedTwice.map(([key, members]) => `${key}: ${members.join(',')}`)).toEqual([]);
    expect(stores).toHaveLength(80);
    expect(stores.slice(0, 40).every((s) => s.member === 'x')).toBe(true);
    expect(new Set(stores.slice(40).map((s) => s.member))).toEqual(new Set(['x', 'y']));
    expect(xWaits()).toBe(true);
  } finally {
    openGate();
    await y.stop();
    await x.stop();
    await producer.close();
    await kafka.close();
  }
});
