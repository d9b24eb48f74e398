// The audit topic into archive_audit_log. Entries carry unique ids and the table collapses repeats, so a
// batch re-delivered after a crash is stored once whatever the deduplication log kept.
import { createHash } from 'node:crypto';
import { AuditEntry } from '@wapipe/events';
import type { CoalescingProducer, KafkaConnection, TopicCatalog } from '@wapipe/kafka';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { Registry } from '@wapipe/observability';
import { chDateTime, createConsumerLoop, handleRecords } from '@wapipe/pipeline';
import type { ConsumerLoop, RefusedRecord } from '@wapipe/pipeline';

export const AUDIT_TABLE = 'archive_audit_log';

export function createAuditLogConsumer(options: {
  kafka: KafkaConnection;
  ch: ClickHouse;
  topics: TopicCatalog;
  groupId: string;
  producer: CoalescingProducer;
  registry?: Registry;
}): ConsumerLoop {
  const { ch } = options;
  return createConsumerLoop(options.kafka, {
    name: 'archive-audit',
    groupId: options.groupId,
    topics: [options.topics.audit],
    deadLetterTopic: options.topics.deadLetter('archive'),
    producer: options.producer,
    isHealthy: () => ch.ping(),
    ...(options.registry ? { registry: options.registry } : {}),
    handler: handleRecords(async (records) => {
      const refused: RefusedRecord[] = [];
      const rows: Record<string, unknown>[] = [];
      const recordedAt = chDateTime(new Date());
      for (const record of records) {
        let parsed: ReturnType<typeof AuditEntry.safeParse>;
        try {
          parsed = AuditEntry.safeParse(JSON.parse(record.value?.toString('utf8') ?? 'null'));
        } catch {
          refused.push({ record, code: 'AUDIT_ENTRY_INVALID', message: 'not JSON' });
          continue;
        }
        if (!parsed.success) {
          refused.push({
            record,
            code: 'AUDIT_ENTRY_INVALID',
            message: parsed.error.issues[0]?.message ?? 'bad entry',
          });
          continue;
        }
        const e = parsed.data;
        rows.push({
          id: e.id,
          at: chDateTime(e.at),
          actor: e.actor,
          action: e.action,
          target: e.target,
          detail: JSON.stringify(e.detail),
          recorded_at: recordedAt,
        });
      }
      if (rows.length > 0) {
        const token = createHash('sha256')
          .update(rows.map((r) => r['id']).join(','))
          .digest('hex')
          .slice(0, 32);
        await ch.insert({ table: AUDIT_TABLE, rows, dedupToken: `audit.${token}` });
      }
      return { refused };
    }),
  });
}
