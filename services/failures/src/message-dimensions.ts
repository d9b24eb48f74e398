// The analytics dimensions of the messages failures concern (CONTRACT "Analytics across sessions"), kept by
// this service from the registrations and statuses it reads from the raw topic, so GET /v1/failures can
// filter by them without reading another team's tables. One row per message, version + 1 per change
// (ReplacingMergeTree, read with FINAL); every value is a function of the events, not of their order: the
// earliest received registration wins, the pricing category is the earliest status's that reports one.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { DeliveryStatus, Failure, Registration, ReportedPricing } from '@wapipe/events';
import { contactKey, earlierPricing, recipientCountry } from '@wapipe/events';
import { chDateTime, loadStoredPairs, pairKey } from '@wapipe/pipeline';

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
  const rows = await loadStoredPairs(ch, {
    select: `session_id, provider_message_id, recipient, campaign, registered_category, template,
             pricing_category, toString(pricing_at) AS pricing_at, toString(registered_at) AS registered_at, version`,
    from: `${ch.table('failures_messages')} FINAL`,
    keyColumn: 'provider_message_id',
    pairs: keys.map((k) => ({ sessionId: k.sessionId, key: k.providerMessageId })),
    schema: Row,
  });
  const dimensions = new Map<string, MessageDimensions>();
  for (const [k, r] of rows) {
    dimensions.set(k, {
      sessionId: r.session_id,
      providerMessageId: r.provider_message_id,
      recipient: r.recipient,
      campaign: r.campaign,
      category: r.registered_category,
      template: r.template,
      pricing: r.pricing_at === null ? null : { category: r.pricing_category, at: r.pricing_at },
      registeredAt: r.registered_at,
      version: r.version,
    });
  }
  return dimensions;
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
    const k = pairKey(r.sessionId, r.providerMessageId);
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
    const k = pairKey(s.sessionId, s.providerMessageId);
    const entry = current.get(k);
    const pricing = earlierPricing(entry?.pricing ?? null, s);
    // A message first known from a failure without a recipient learns it from its statuses.
    const recipient = entry?.recipient || contactKey(s.recipient);
    if (entry && pricing === entry.pricing && recipient === entry.recipient) continue;
    update(k, { ...(entry ?? base(s.sessionId, s.providerMessageId, s.recipient)), recipient, pricing });
  }
  for (const f of withMessage) {
    const k = pairKey(f.sessionId, f.providerMessageId!);
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
