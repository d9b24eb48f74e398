// Replays a time range of the raw topic into one consumer: finds each partition's offsets by time, and
// copies the records back into the raw topic marked `wapipe-redrive-for: <consumer>`, exactly as redrive
// marks dead letters, so only that consumer reads them again (under the same session key, so the session
// keeps one owner) and its dedup makes the repeat harmless. Nothing else moves: no group is reset.
import { userInfo } from 'node:os';
import { auditEntry, auditKafkaRecord } from '@wapipe/events';
import { offsetsForTimeRange, readOffsetRanges } from '@wapipe/kafka';
import type {
  CoalescingProducer,
  ConsumerName,
  KafkaConnection,
  OffsetRange,
  TopicCatalog,
} from '@wapipe/kafka';
import { REDRIVE_HEADER } from '@wapipe/pipeline';

export interface ReplayProgress {
  /** Records of the range read so far, of `total`. */
  read: number;
  total: number;
  copied: number;
}

export interface ReplayResult extends ReplayProgress {
  consumer: ConsumerName;
  topic: string;
  from: string;
  to: string;
  /** Records of the range left alone: redriven for another consumer, which alone should see them. */
  skipped: number;
  partitions: { partition: number; start: string; end: string }[];
}

export async function replayRange(options: {
  kafka: KafkaConnection;
  topics: TopicCatalog;
  consumer: ConsumerName;
  from: Date;
  to: Date;
  producer: CoalescingProducer;
  onProgress?(progress: ReplayProgress): void;
  /** Who runs it, for the audit log (default `cli:<user>`). */
  actor?: string;
}): Promise<ReplayResult> {
  const { kafka, consumer, producer } = options;
  const topic = options.topics.raw;
  const from = options.from.getTime();
  // Copies are appended now: a range that ends later would read its own copies.
  const to = Math.min(options.to.getTime(), Date.now());
  const ranges: OffsetRange[] = await offsetsForTimeRange(kafka, topic, {
    from: new Date(from),
    to: new Date(to),
  });
  const total = ranges.reduce((n, r) => n + Number(r.end > r.start ? r.end - r.start : 0n), 0);
  const progress = { read: 0, total, copied: 0 };
  let skipped = 0;
  await readOffsetRanges(kafka, {
    topic,
    ranges,
    onBatch: async (records) => {
      const copies = records.filter((r) => {
        const at = Date.parse(r.timestamp);
        const markedFor = r.headers[REDRIVE_HEADER];
        return at >= from && at < to && (markedFor === undefined || markedFor === consumer);
      });
      await producer.sendMany(
        topic,
        copies.map((r) => ({
          key: r.key ?? '',
          value: r.value,
          headers: { ...r.headers, [REDRIVE_HEADER]: consumer },
        })),
      );
      progress.read += records.length;
      progress.copied += copies.length;
      skipped += records.length - copies.length;
      options.onProgress?.({ ...progress });
    },
  });
  const result = {
    consumer,
    topic,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    ...progress,
    skipped,
    partitions: ranges.map((r) => ({ partition: r.partition, start: String(r.start), end: String(r.end) })),
  };
  // Who replayed what, in the audit log like every operator action.
  const entry = auditEntry({
    actor: options.actor ?? `cli:${userInfo().username}`,
    action: 'replay',
    target: consumer,
    detail: { from: result.from, to: result.to, copied: result.copied, skipped },
  });
  await producer.send(options.topics.audit, auditKafkaRecord(entry));
  return result;
}
