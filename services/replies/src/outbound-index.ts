// What the replies service knows about outbound messages, merged from registrations and status events.
// It keeps its own index (it never reads delivery's tables): a registration gives the operator's message
// id, campaign, category, template and send time; any status proves the message exists and gives its
// earliest time and the pricing category it was billed under.
import type { DeliveryStatus, Registration, ReportedPricing } from '@wapipe/events';
import { cohortTime, contactKey, earlierPricing } from '@wapipe/events';

export interface OutboundEntry {
  sessionId: string;
  /** Contact key of the recipient (see contact-key.ts). */
  recipient: string;
  providerMessageId: string;
  /** '' until a registration tells it. */
  messageId: string;
  campaignId: string;
  /** Registered category and template; '' when not registered or not given. */
  category: string;
  template: string;
  /** The pricing category of the earliest status that reported one. */
  pricing: ReportedPricing | null;
  registeredSentAt: number | null;
  firstStatusAt: number | null;
  registeredAt: number | null;
  version: number;
}

export const outboundKey = (sessionId: string, providerMessageId: string) =>
  `${sessionId}\u0000${providerMessageId}`;

/** The cohort time (the delivery consumer's rule); null while the message has neither time. */
export const outboundCohortTime = (entry: OutboundEntry): number | null =>
  cohortTime(entry.registeredSentAt, entry.firstStatusAt);

/** The time replies link by: the cohort time, else when the registration arrived. */
export function outboundSentAt(entry: OutboundEntry): number {
  return outboundCohortTime(entry) ?? entry.registeredAt ?? 0;
}

const ms = (iso: string) => Date.parse(iso);
const byTimeThenId =
  <T extends { eventId: string }>(time: (e: T) => string) =>
  (a: T, b: T) =>
    ms(time(a)) - ms(time(b)) || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

/**
 * Applies a batch's registrations and statuses to the stored entries and returns only the entries that
 * changed, each with version + 1. The earliest received registration of a provider message id wins (in
 * any order of arrival), and an entry keeps the recipient it was first stored with.
 */
export function mergeOutbound(
  stored: ReadonlyMap<string, OutboundEntry>,
  registrations: readonly Registration[],
  statuses: readonly DeliveryStatus[],
): Map<string, OutboundEntry> {
  const current = new Map(stored);
  const changed = new Map<string, OutboundEntry>();
  const update = (key: string, next: OutboundEntry) => {
    current.set(key, next);
    changed.set(key, next);
  };

  for (const r of [...registrations].sort(byTimeThenId((e) => e.receivedAt))) {
    const key = outboundKey(r.sessionId, r.providerMessageId);
    const entry = current.get(key);
    // The earliest received registration wins, whichever was processed first.
    if (entry && entry.registeredAt !== null && entry.registeredAt <= ms(r.receivedAt)) continue;
    update(key, {
      sessionId: r.sessionId,
      recipient: entry?.recipient ?? contactKey(r.recipient),
      providerMessageId: r.providerMessageId,
      messageId: r.messageId,
      campaignId: r.campaignId ?? '',
      category: r.category ?? '',
      template: r.template ?? '',
      pricing: entry?.pricing ?? null,
      registeredSentAt: r.sentAt === null ? null : ms(r.sentAt),
      firstStatusAt: entry?.firstStatusAt ?? null,
      registeredAt: ms(r.receivedAt),
      version: entry?.version ?? 0,
    });
  }

  for (const s of [...statuses].sort(byTimeThenId((e) => e.occurredAt))) {
    const key = outboundKey(s.sessionId, s.providerMessageId);
    const entry = current.get(key);
    const at = ms(s.occurredAt);
    const pricing = earlierPricing(entry?.pricing ?? null, s);
    const earlier = !entry || entry.firstStatusAt === null || at < entry.firstStatusAt;
    if (entry && !earlier && pricing === entry.pricing) continue;
    update(key, {
      sessionId: s.sessionId,
      recipient: entry?.recipient ?? contactKey(s.recipient),
      providerMessageId: s.providerMessageId,
      messageId: entry?.messageId ?? '',
      campaignId: entry?.campaignId ?? '',
      category: entry?.category ?? '',
      template: entry?.template ?? '',
      pricing,
      registeredSentAt: entry?.registeredSentAt ?? null,
      firstStatusAt: earlier ? at : entry.firstStatusAt,
      registeredAt: entry?.registeredAt ?? null,
      version: entry?.version ?? 0,
    });
  }

  for (const [key, entry] of changed) {
    changed.set(key, { ...entry, version: (stored.get(key)?.version ?? 0) + 1 });
  }
  return changed;
}
