// Replays a consumer's dead letters once their cause is fixed: reads topics.deadLetter(consumer) with its
// own consumer group, copies each original record (key, value, headers; the wapipe-dlq-* headers dropped)
// back into the raw topic under its session key, marked `wapipe-redrive-for: <consumer>` so the other
// consumers skip it, and commits. The group's committed offsets make a second run copy nothing twice; the
// consumer's dedup makes a repeat harmless.
import { userInfo } from 'node:os';
import { auditEntry, auditKafkaRecord } from '@wapipe/events';
import { followTopic, topicCatalog } from '@wapipe/kafka';
import type {
  CoalescingProducer,
  ConsumedRecord,
  ConsumerName,
  KafkaConnection,
  TopicCatalog,
} from '@wapipe/kafka';
import type { Logger, Registry } from '@wapipe/observability';
import { REDRIVE_HEADER, createConsumerLoop, handleRecords, readDeadLetter } from '@wapipe/pipeline';
import type { DeadLetterInfo } from '@wapipe/pipeline';

export const redriveGroupId = (prefix: string, consumer: ConsumerName): string =>
  topicCatalog(prefix).redriveGroup(consumer);

/** Dead letters not yet copied back: what the redrive group has not committed in the dead-letter topic. */
export async function dlqDepth(
  kafka: KafkaConnection,
  topics: TopicCatalog,
  consumer: ConsumerName,
): Promise<number> {
  const depth = await kafka.groupLag(redriveGroupId(topics.prefix, consumer), topics.deadLetter(consumer));
  return depth > 0n ? Number(depth) : 0;
}

export interface RedriveOptions {
  kafka: KafkaConnection;
  topics: TopicCatalog;
  consumer: ConsumerName;
  groupId: string;
  producer: CoalescingProducer;
  logger: Logger;
  registry?: Registry;
  /**
   * Stop after this long without a record (default 3 s). Needed only when there is nothing left to copy:
   * the group then receives nothing, and the Kafka package does not expose its committed offsets to tell.
   */
  idleMs?: number;
  /** Stop after this long whatever happens (e.g. the broker is down). */
  timeoutMs?: number;
  /** Who runs it, for the audit log: an API key's fingerprint, or `cli:<user>` (the default). */
  actor?: string;
}

export interface RedriveResult {
  consumer: ConsumerName;
  from: string;
  to: string;
  groupId: string;
  /** Dead letters copied and committed by this run. */
  copied: number;
  /** True when every dead letter present at the start was copied (false: stopped idle or by timeout). */
  reachedEnd: boolean;
}

/** Copies the dead letters back, then records who ran it and what it copied in the audit log. */
export async function redriveDeadLetters(options: RedriveOptions): Promise<RedriveResult> {
  const result = await copyDeadLetters(options);
  const entry = auditEntry({
    actor: options.actor ?? `cli:${userInfo().username}`,
    action: 'redrive',
    target: options.consumer,
    detail: { copied: result.copied, reachedEnd: result.reachedEnd, from: result.from, to: result.to },
  });
  await options.producer.send(options.topics.audit, auditKafkaRecord(entry));
  return result;
}

async function copyDeadLetters(options: RedriveOptions): Promise<RedriveResult> {
  const { kafka, topics, consumer, groupId, producer } = options;
  const idleMs = options.idleMs ?? 3_000;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const from = topics.deadLetter(consumer);
  const to = topics.raw;
  const log = options.logger.child({ component: 'redrive', consumer, from, to, groupId });
  const ends = new Map([...(await kafka.endOffsets(from))].filter(([, end]) => end > 0n));
  const result = (copied: number, reachedEnd: boolean): RedriveResult => ({
    consumer,
    from,
    to,
    groupId,
    copied,
    reachedEnd,
  });
  if (ends.size === 0) return result(0, true);

  const copied = new Set<string>();
  const reached = new Map<number, bigint>();
  let lastRecordAt = Date.now();
  let handling = 0;
  const reader = createConsumerLoop(kafka, {
    name: `redrive-${consumer}`,
    groupId,
    topics: [from],
    // Never used: the handler fails only when a produce fails, which is retryable and retried until the
    // timeout; nothing is ever refused.
    deadLetterTopic: from,
    producer,
    maxAttempts: Number.MAX_SAFE_INTEGER,
    ...(options.registry ? { registry: options.registry } : {}),
    handler: handleRecords(async (records: ConsumedRecord[]) => {
      handling++;
      try {
        await producer.sendMany(
          to,
          records.map((r) => {
            const { original } = readDeadLetter(r);
            return { ...original, headers: { ...original.headers, [REDRIVE_HEADER]: consumer } };
          }),
        );
        for (const r of records) {
          copied.add(`${r.partition}:${r.offset}`);
          const next = BigInt(r.offset) + 1n;
          if (next > (reached.get(r.partition) ?? 0n)) reached.set(r.partition, next);
        }
      } finally {
        handling--;
        lastRecordAt = Date.now();
      }
    }),
  });

  const started = Date.now();
  // start() returns once the group is joined and assigned, so the idle clock counts fetches only.
  await reader.start();
  lastRecordAt = Date.now();
  try {
    for (;;) {
      // committed() counts records whose offsets are committed, each once.
      const settled = handling === 0 && reader.committed() >= copied.size;
      const atEnd = [...ends].every(([p, end]) => (reached.get(p) ?? 0n) >= end);
      if (atEnd && settled) return result(reader.committed(), true);
      const now = Date.now();
      if (now - lastRecordAt > idleMs && settled) {
        if (copied.size === 0)
          log.info('no dead letter arrived; the group is probably at the end already', { idleMs });
        return result(reader.committed(), false);
      }
      if (now - started > timeoutMs) {
        log.warn('redrive stopped by its timeout', { timeoutMs, copied: reader.committed() });
        return result(reader.committed(), false);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await reader.stop();
  }
}

export interface ListedDeadLetter {
  partition: number;
  offset: string;
  key: string | null;
  info: DeadLetterInfo;
}

/** Every record in the dead-letter topic with why it is there; reads without a committing group. */
export async function listDeadLetters(
  kafka: KafkaConnection,
  topics: TopicCatalog,
  consumer: ConsumerName,
): Promise<ListedDeadLetter[]> {
  const listed: ListedDeadLetter[] = [];
  const follower = await followTopic(kafka, {
    topic: topics.deadLetter(consumer),
    onRecord: (record) => {
      listed.push({
        partition: record.partition,
        offset: record.offset,
        key: record.key,
        info: readDeadLetter(record).info,
      });
    },
  });
  try {
    await follower.caughtUp;
  } finally {
    await follower.stop();
  }
  return listed.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
