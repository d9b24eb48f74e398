// The analytics dimensions of the messages failures concern (CONTRACT "Analytics across sessions"), kept by
// this service from the registrations and statuses it reads from the raw topic, so GET /v1/failures can
// filter by them without reading another team's tables. One row per message, version + 1 per change
// (ReplacingMergeTree, read with FINAL); every value is a function of the events, not of their order: the
// earliest received registration wins, the pricing category is the earliest status's that reports one.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { DeliveryStatus, Failure, Registration, ReportedPricing } from '@wapipe/events';
import { contactKey, earlierPricing, recipientCountry } from '@wapipe/events';
import { chDateTime } from '@wapipe/pipeline';

export interface MessageDimensions {
  sessionId: string;
  providerMessageId: string;
  recipient: string;
  campaign: string;
  /** The registered category; '' when none. */
  category: string;
  template: string;
  pricing: ReportedPricing | null;
  registeredAt: number | null;
  version: number;
}

const key = (sessionId: string, pmid: string) => `${sessionId}\u0000${pmid}`;
const unique = (values: Iterable<string>) => [...new Set(values)];
const time = z
  .string()
  .nullable()
  .transform((v) => (v === null ? null : Date.parse(v.replace(' ', 'T') + 'Z')));

const Row = z.object({
  session_id: z.string(),
  provider_message_id: z.string(),
  recipient: z.string(),
  campaign: z.string(),
  registered_category: z.string(),
  template: z.string(),
  pricing_category: z.string(),
  pricing_at: time,
  registered_at: time,
  version: z.coerce.number(),
});

async function loadDimensions(
  ch: ClickHouse,
  keys: { sessionId: string; providerMessageId: string }[],
): Promise<Map<string, MessageDimensions>> {
  if (keys.length === 0) return new Map();
  const rows = await ch.query({
    query: `SELECT session_id, provider_message_id, recipient, campaign, registered_category, template,
                   pricing_category, toString(pricing_at) AS pricing_at, toString(registered_at) AS registered_at, version
            FROM ${ch.table('failures_messages')} FINAL
            WHERE session_id IN {sessions:Array(String)} AND provider_message_id IN {ids:Array(String)}`,
    params: {
      sessions: unique(keys.map((k) => k.sessionId)),
      ids: unique(keys.map((k) => k.providerMessageId)),
    },
    schema: Row,
  });
  return new Map(
    rows.map((r) => [
      key(r.session_id, r.provider_message_id),
      {
        sessionId: r.session_id,
        providerMessageId: r.provider_message_id,
        recipient: r.recipient,
        campaign: r.campaign,
        category: r.registered_category,
        template: r.template,
        pricing: r.pricing_at === null ? null : { category: r.pricing_category, at: r.pricing_at },
        registeredAt: r.registered_at,
        version: r.version,
      },
    ]),
  );
}

/** The batch's rows for failures_messages: the messages whose dimensions it changed or first told. */
export async function messageDimensionRows(
  ch: ClickHouse,
  events: { registrations: Registration[]; statuses: DeliveryStatus[]; failures: Failure[] },
): Promise<Record<string, unknown>[]> {
  const withMessage = events.failures.filter((f) => f.providerMessageId);
  const stored = await loadDimensions(ch, [...events.registrations, ...events.statuses, ...withMessage] as {
    sessionId: string;
    providerMessageId: string;
  }[]);
  const current = new Map(stored);
  const changed = new Set<string>();
  const base = (sessionId: string, providerMessageId: string, recipient: string): MessageDimensions => ({
    sessionId,
    providerMessageId,
    recipient: contactKey(recipient),
    campaign: '',
    category: '',
    template: '',
    pricing: null,
    registeredAt: null,
    version: 0,
  });
  const update = (k: string, next: MessageDimensions) => {
    current.set(k, next);
    changed.add(k);
  };
  for (const r of events.registrations) {
    const k = key(r.sessionId, r.providerMessageId);
    const entry = current.get(k);
    const at = Date.parse(r.receivedAt);
    if (entry && entry.registeredAt !== null && entry.registeredAt <= at) continue;
    update(k, {
      ...(entry ?? base(r.sessionId, r.providerMessageId, r.recipient)),
      campaign: r.campaignId ?? '',
      category: r.category ?? '',
      template: r.template ?? '',
      registeredAt: at,
    });
  }
  for (const s of events.statuses) {
    const k = key(s.sessionId, s.providerMessageId);
    const entry = current.get(k);
    const pricing = earlierPricing(entry?.pricing ?? null, s);
    // A message first known from a failure without a recipient learns it from its statuses.
    const recipient = entry?.recipient || contactKey(s.recipient);
    if (entry && pricing === entry.pricing && recipient === entry.recipient) continue;
    update(k, { ...(entry ?? base(s.sessionId, s.providerMessageId, s.recipient)), recipient, pricing });
  }
  for (const f of withMessage) {
    const k = key(f.sessionId, f.providerMessageId!);
    if (!current.has(k)) update(k, base(f.sessionId, f.providerMessageId!, f.recipient ?? ''));
  }
  return [...changed].map((k) => {
    const d = current.get(k)!;
    return {
      session_id: d.sessionId,
      provider_message_id: d.providerMessageId,
      recipient: d.recipient,
      country: recipientCountry(d.recipient),
      campaign: d.campaign,
      registered_category: d.category,
      template: d.template,
      pricing_category: d.pricing?.category ?? '',
      pricing_at: d.pricing ? chDateTime(new Date(d.pricing.at)) : null,
      registered_at: d.registeredAt === null ? null : chDateTime(new Date(d.registeredAt)),
      version: (stored.get(k)?.version ?? 0) + 1,
    };
  });
}
