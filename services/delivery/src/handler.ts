// The delivery consumer's logic: status events and registrations in; timeline rows, registry rows, cohort
// changes, latency samples and status transitions out. Whatever was stored before is read first, so a
// repeat is dropped and every change is computed against what the tables already say.
import { createHash } from 'node:crypto';
import type { DeliveryStatus, Registration } from '@wapipe/events';
import { chDateTime } from '@wapipe/pipeline';
import type { ConsumerHandler, JournalBatch, SourcedEvent, UnitContext } from '@wapipe/pipeline';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { Counter } from '@wapipe/observability';
import { cohortRow, emptyFacts, newLatencySamples, sameCohortRow, statusOf, withStatus } from './facts.ts';
import type { MessageFacts } from './facts.ts';
import { loadStoredMessages } from './stored-facts.ts';
import type { StoredMessage } from './stored-facts.ts';

export interface DeliveryHandlerOptions {
  ch: ClickHouse;
  transitionsTopic: string;
  metrics?: { stored: Counter<string>; repeats: Counter<string> };
}

type Sourced<T> = T & Pick<SourcedEvent, 'origin'>;

export interface Transition {
  transitionId: string;
  providerMessageId: string;
  messageId: string | null;
  campaignId: string | null;
  recipient: string;
  from: string;
  to: string;
  at: string | null;
}

/** Most transitions one record carries; keeps records far below the topic's size limit. */
const transitionsPerRecord = 500;

// One record per session and batch, carrying that session's transitions in order (ADR 7): kafkajs spends
// ~25 µs of the one CPU the consumer runs on per record, and a record per transition cost a fifth of the
// delivery consumer's throughput in bench/delivery.ts.
function transitionRecords(bySession: Map<string, Transition[]>): { key: string; value: string }[] {
  const records: { key: string; value: string }[] = [];
  for (const [sessionId, list] of bySession) {
    for (let i = 0; i < list.length; i += transitionsPerRecord) {
      records.push({
        key: sessionId,
        value: JSON.stringify({ sessionId, transitions: list.slice(i, i + transitionsPerRecord) }),
      });
    }
  }
  return records;
}

const transitionId = (pmid: string, to: string) =>
  createHash('sha256').update(`transition\u0000${pmid}\u0000${to}`).digest('hex').slice(0, 32);

/**
 * The delivery process, pipelined (ADR 7): a batch is prepared while the one before it is stored, so what
 * a batch will write is kept here, per message, until it is stored; a later batch reads those messages
 * from here instead of ClickHouse. reset() forgets all of it when prepared batches are dropped.
 */
export function createDeliveryHandler(options: DeliveryHandlerOptions): ConsumerHandler {
  const { ch } = options;
  const unstored = new Map<string, { message: StoredMessage; batch: number }>();
  let batchSeq = 0;
  // Bumped by reset(): a batch being prepared across a reset must not leave its state behind.
  let generation = 0;

  const processBatch = async (events: SourcedEvent[], _context: UnitContext): Promise<JournalBatch> => {
    const statuses = events.filter((e): e is Sourced<DeliveryStatus> => e.kind === 'status');
    const registrations = events.filter((e): e is Sourced<Registration> => e.kind === 'registration');
    if (statuses.length === 0 && registrations.length === 0) return { writes: [] };
    const batch = ++batchSeq;
    const preparedIn = generation;

    const pmids = [...new Set([...statuses, ...registrations].map((e) => e.providerMessageId))];
    // Taken before the read: an earlier batch may be stored (and forgotten here) while it runs.
    const kept = new Map<string, StoredMessage>();
    for (const pmid of pmids) {
      const message = unstored.get(pmid)?.message;
      if (message) kept.set(pmid, message);
    }
    const stored = await loadStoredMessages(
      ch,
      pmids.filter((pmid) => !kept.has(pmid)),
    );
    for (const [pmid, message] of kept) stored.set(pmid, message);
    const before = new Map<string, MessageFacts>();
    const after = new Map<string, MessageFacts>();
    const factsOf = (e: { sessionId: string; providerMessageId: string; recipient: string }) => {
      let facts = after.get(e.providerMessageId);
      if (!facts) {
        facts =
          stored.get(e.providerMessageId)?.facts ?? emptyFacts(e.sessionId, e.providerMessageId, e.recipient);
        before.set(e.providerMessageId, facts);
      }
      return facts;
    };

    const statusRows: Record<string, unknown>[] = [];
    const newIds = new Map<string, string[]>();
    let repeats = 0;
    for (const e of statuses) {
      if (stored.get(e.providerMessageId)?.eventIds.has(e.eventId)) {
        repeats++;
        continue;
      }
      after.set(e.providerMessageId, withStatus(factsOf(e), e.status, e.occurredAt, e.pricingCategory ?? ''));
      const ids = newIds.get(e.providerMessageId);
      if (ids) ids.push(e.eventId);
      else newIds.set(e.providerMessageId, [e.eventId]);
      statusRows.push({
        event_id: e.eventId,
        session_id: e.sessionId,
        provider: e.provider,
        provider_message_id: e.providerMessageId,
        recipient: e.recipient,
        status: e.status,
        group_participant: e.groupParticipant ?? '',
        occurred_at: chDateTime(e.occurredAt),
        received_at: chDateTime(e.receivedAt),
        pricing_category: e.pricingCategory ?? '',
        conversation_category: e.conversationCategory ?? '',
        kafka_partition: e.origin.partition,
        kafka_offset: Number(e.origin.offset),
      });
    }

    const registryRows: Record<string, unknown>[] = [];
    // The first registration of a provider message id wins: sort so a batch decides the same way every time.
    for (const r of [...registrations].sort((a, b) =>
      a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : a.eventId < b.eventId ? -1 : 1,
    )) {
      const facts = factsOf(r);
      if (facts.registration) {
        repeats++;
        continue;
      }
      after.set(r.providerMessageId, {
        ...facts,
        registration: {
          messageId: r.messageId,
          sentAt: r.sentAt,
          campaignId: r.campaignId,
          category: r.category,
          template: r.template,
        },
      });
      registryRows.push({
        message_id: r.messageId,
        provider_message_id: r.providerMessageId,
        session_id: r.sessionId,
        recipient: r.recipient,
        sent_at: r.sentAt === null ? null : chDateTime(r.sentAt),
        campaign_id: r.campaignId ?? '',
        category: r.category ?? '',
        template: r.template ?? '',
        registered_at: chDateTime(r.receivedAt),
        event_id: r.eventId,
      });
    }

    // The latest receipt in the batch (a loop: spreading 100k arguments into Math.max overflows the stack).
    let latest = 0;
    for (const e of events) latest = Math.max(latest, Date.parse(e.receivedAt) || 0);
    const changedAt = chDateTime(new Date(latest));
    const cohortRows: Record<string, unknown>[] = [];
    const latencyRows: Record<string, unknown>[] = [];
    const transitions = new Map<string, Transition[]>();
    for (const [pmid, next] of after) {
      const prev = before.get(pmid)!;
      const [oldRow, newRow] = [cohortRow(prev), cohortRow(next)];
      if (!sameCohortRow(oldRow, newRow)) {
        for (const [row, sign] of [
          [oldRow, -1],
          [newRow, 1],
        ] as const) {
          if (row)
            cohortRows.push({
              session_id: next.sessionId,
              provider_message_id: pmid,
              sign,
              changed_at: changedAt,
              ...row,
            });
        }
      }
      for (const sample of newLatencySamples(prev, next)) {
        latencyRows.push({ session_id: next.sessionId, provider_message_id: pmid, ...sample });
      }
      const [from, to] = [statusOf(prev), statusOf(next)];
      if (from !== to) {
        const list = transitions.get(next.sessionId) ?? [];
        list.push({
          transitionId: transitionId(pmid, to),
          providerMessageId: pmid,
          messageId: next.registration?.messageId ?? null,
          campaignId: next.registration?.campaignId ?? null,
          recipient: next.recipient,
          from,
          to,
          at: next.earliest[to as keyof MessageFacts['earliest']] ?? null,
        });
        transitions.set(next.sessionId, list);
      }
    }

    // Keep what this batch writes until it is stored: the next batch may be prepared before that.
    for (const [pmid, facts] of generation === preparedIn ? after : []) {
      const eventIds = new Set(stored.get(pmid)?.eventIds);
      for (const id of newIds.get(pmid) ?? []) eventIds.add(id);
      unstored.set(pmid, { message: { facts, eventIds }, batch });
    }

    return {
      onStored: () => {
        options.metrics?.stored.inc(statusRows.length);
        options.metrics?.repeats.inc(repeats);
        for (const pmid of after.keys()) if (unstored.get(pmid)?.batch === batch) unstored.delete(pmid);
      },
      writes: [
        { table: 'delivery_status_events', rows: statusRows },
        { table: 'delivery_outbound_messages', rows: registryRows },
        { table: 'delivery_cohort_changes', rows: cohortRows },
        { table: 'delivery_latency_samples', rows: latencyRows },
      ],
      effects: [{ topic: options.transitionsTopic, records: transitionRecords(transitions) }],
    };
  };
  const reset = () => {
    generation++;
    unstored.clear();
  };
  return { prepare: processBatch, reset };
}
