// The delivery consumer's logic: status events and registrations in; timeline rows, registry rows, cohort
// changes, latency samples and status transitions out. Whatever was stored before is read first, so a
// repeat is dropped and every change is computed against what the tables already say.
import { createHash } from 'node:crypto';
import type { DeliveryStatus, Registration } from '@wapipe/events';
import { chDateTime } from '@wapipe/pipeline';
import type { JournalBatch, ProcessContext, SourcedEvent } from '@wapipe/pipeline';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { Counter } from '@wapipe/observability';
import { cohortRow, emptyFacts, newLatencySamples, sameCohortRow, statusOf, withStatus } from './facts.ts';
import type { MessageFacts } from './facts.ts';
import { loadStoredMessages } from './stored-facts.ts';

export interface DeliveryProcessOptions {
  ch: ClickHouse;
  transitionsTopic: string;
  metrics?: { stored: Counter<string>; repeats: Counter<string> };
}

type Sourced<T> = T & Pick<SourcedEvent, 'origin'>;

const transitionId = (pmid: string, to: string) =>
  createHash('sha256').update(`transition\u0000${pmid}\u0000${to}`).digest('hex').slice(0, 32);

export function createDeliveryProcess(options: DeliveryProcessOptions) {
  const { ch } = options;
  return async (events: SourcedEvent[], _context: ProcessContext): Promise<JournalBatch> => {
    const statuses = events.filter((e): e is Sourced<DeliveryStatus> => e.kind === 'status');
    const registrations = events.filter((e): e is Sourced<Registration> => e.kind === 'registration');
    if (statuses.length === 0 && registrations.length === 0) return { writes: [] };

    const pmids = [...new Set([...statuses, ...registrations].map((e) => e.providerMessageId))];
    const stored = await loadStoredMessages(ch, pmids);
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
    let repeats = 0;
    for (const e of statuses) {
      if (stored.get(e.providerMessageId)?.eventIds.has(e.eventId)) {
        repeats++;
        continue;
      }
      after.set(e.providerMessageId, withStatus(factsOf(e), e.status, e.occurredAt));
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
        registered_at: chDateTime(r.receivedAt),
        event_id: r.eventId,
      });
    }

    const changedAt = chDateTime(new Date(Math.max(0, ...events.map((e) => Date.parse(e.receivedAt) || 0))));
    const cohortRows: Record<string, unknown>[] = [];
    const latencyRows: Record<string, unknown>[] = [];
    const transitions: { key: string; value: string }[] = [];
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
        transitions.push({
          key: next.sessionId,
          value: JSON.stringify({
            transitionId: transitionId(pmid, to),
            sessionId: next.sessionId,
            providerMessageId: pmid,
            messageId: next.registration?.messageId ?? null,
            campaignId: next.registration?.campaignId ?? null,
            recipient: next.recipient,
            from,
            to,
            at: next.earliest[to as keyof MessageFacts['earliest']] ?? null,
          }),
        });
      }
    }

    options.metrics?.stored.inc(statusRows.length);
    options.metrics?.repeats.inc(repeats);
    return {
      writes: [
        { table: 'delivery_status_events', rows: statusRows },
        { table: 'delivery_outbound_messages', rows: registryRows },
        { table: 'delivery_cohort_changes', rows: cohortRows },
        { table: 'delivery_latency_samples', rows: latencyRows },
      ],
      effects: [{ topic: options.transitionsTopic, records: transitions }],
    };
  };
}
