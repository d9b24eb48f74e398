// What we know about one outbound message, folded from its status events and its registration. Every
// derived value (status, cohort row, latency samples) is a function of these facts alone, never of the
// order they arrived in.
import { earlierPricing, messageCategory, messageStatusFrom, recipientCountry } from '@wapipe/events';
import type { DeliveryStatusValue, MessageStatus, ReportedPricing } from '@wapipe/events';

export interface RegistrationFacts {
  messageId: string;
  sentAt: string | null;
  campaignId: string | null;
  category: string | null;
  template: string | null;
}

export interface MessageFacts {
  sessionId: string;
  providerMessageId: string;
  recipient: string;
  registration: RegistrationFacts | null;
  /** Earliest report of each status, ISO. */
  earliest: Partial<Record<DeliveryStatusValue, string>>;
  /**
   * The pricing category of its earliest status that reported one (earlierPricing, the rule replies and
   * failures use too), null if none did: a function of the set.
   */
  pricing: ReportedPricing | null;
}

const minIso = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : a < b ? a : b;

export function emptyFacts(sessionId: string, providerMessageId: string, recipient: string): MessageFacts {
  return { sessionId, providerMessageId, recipient, registration: null, earliest: {}, pricing: null };
}

export function withStatus(
  facts: MessageFacts,
  status: DeliveryStatusValue,
  at: string,
  pricingCategory = '',
  /** When the pricing was reported, if not at `at` (a stored status group's earliest priced event). */
  pricingAt = at,
): MessageFacts {
  return {
    ...facts,
    earliest: { ...facts.earliest, [status]: minIso(facts.earliest[status], at) },
    pricing: earlierPricing(facts.pricing, { pricingCategory, occurredAt: pricingAt }),
  };
}

/** First time the message reached delivered or beyond. */
export function deliveredAt(f: MessageFacts): string | undefined {
  return minIso(minIso(f.earliest.delivered, f.earliest.read), f.earliest.played);
}

export function readAt(f: MessageFacts): string | undefined {
  return minIso(f.earliest.read, f.earliest.played);
}

/** The cohort's send time: the registered sentAt, else the earliest status of any kind. */
export function sendTime(f: MessageFacts): string | undefined {
  if (f.registration?.sentAt) return f.registration.sentAt;
  let earliest: string | undefined;
  for (const at of Object.values(f.earliest)) earliest = minIso(earliest, at);
  return earliest;
}

/** CONTRACT: the one message-status rule of @wapipe/events, over the statuses this message reached. */
export function statusOf(f: MessageFacts): MessageStatus {
  return messageStatusFrom((status) => f.earliest[status] !== undefined);
}

export interface CohortRow {
  minute: string;
  delivered: 0 | 1;
  read: 0 | 1;
  failed: 0 | 1;
  campaign: string;
  category: string;
  country: string;
  template: string;
  /** Cohort time to the first delivered report (read or played when none came), latencyBin'd; -1 if none. */
  deliver_ms: number;
  /** Cohort time to the first read (or played) report, latencyBin'd; -1 if none. */
  read_ms: number;
}

export function minuteOf(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ') + ':00';
}

/**
 * The latency histogram's bin: milliseconds rounded down to 3 significant digits (under 1% low), so whole
 * seconds up to 999 s stay exact and a bin is never wider than 1% of its value.
 */
export function latencyBin(ms: number): number {
  if (ms < 1000) return Math.max(0, Math.floor(ms));
  const scale = 10 ** (Math.floor(Math.log10(ms)) - 2);
  return Math.floor(ms / scale) * scale;
}

/** CONTRACT: the first delivered report; read or played count as delivery when no delivered came. */
export function firstDeliveryReportAt(f: MessageFacts): string | undefined {
  return f.earliest.delivered ?? readAt(f);
}

function latencyMs(start: string, end: string | undefined): number {
  return end === undefined ? -1 : latencyBin(Math.max(0, Date.parse(end) - Date.parse(start)));
}

/** The message's place in the rollups, or null while it has no send time. */
export function cohortRow(f: MessageFacts): CohortRow | null {
  const at = sendTime(f);
  if (!at) return null;
  const delivered = deliveredAt(f) ? 1 : 0;
  const registration = f.registration;
  return {
    minute: minuteOf(at),
    delivered,
    read: readAt(f) ? 1 : 0,
    failed: f.earliest.failed && !delivered ? 1 : 0,
    campaign: registration?.campaignId ?? '',
    category: messageCategory(registration?.category, f.pricing?.category ?? ''),
    country: recipientCountry(f.recipient),
    template: registration?.template ?? '',
    deliver_ms: latencyMs(at, firstDeliveryReportAt(f)),
    read_ms: latencyMs(at, readAt(f)),
  };
}

export const sameCohortRow = (a: CohortRow | null, b: CohortRow | null) =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.minute === b.minute &&
    a.delivered === b.delivered &&
    a.read === b.read &&
    a.failed === b.failed &&
    a.campaign === b.campaign &&
    a.category === b.category &&
    a.country === b.country &&
    a.template === b.template &&
    a.deliver_ms === b.deliver_ms &&
    a.read_ms === b.read_ms);

export interface LatencySample {
  metric: 'deliver' | 'read';
  minute: string;
  ms: number;
}

function latency(f: MessageFacts, metric: 'deliver' | 'read'): LatencySample | null {
  const start = sendTime(f);
  const end = metric === 'deliver' ? deliveredAt(f) : readAt(f);
  if (!start || !end) return null;
  return { metric, minute: minuteOf(end), ms: Math.max(0, Date.parse(end) - Date.parse(start)) };
}

/** Samples that became measurable with this change: each message yields each metric once. */
export function newLatencySamples(before: MessageFacts, after: MessageFacts): LatencySample[] {
  const out: LatencySample[] = [];
  for (const metric of ['deliver', 'read'] as const) {
    const now = latency(after, metric);
    if (now && !latency(before, metric)) out.push(now);
  }
  return out;
}
