// What we know about one outbound message, folded from its status events and its registration. Every
// derived value (status, cohort row, latency samples) is a function of these facts alone, never of the
// order they arrived in.
import { messageStatusFrom } from '@wapipe/events';
import type { DeliveryStatusValue, MessageStatus } from '@wapipe/events';

export interface RegistrationFacts {
  messageId: string;
  sentAt: string | null;
  campaignId: string | null;
  category: string | null;
}

export interface MessageFacts {
  sessionId: string;
  providerMessageId: string;
  recipient: string;
  registration: RegistrationFacts | null;
  /** Earliest report of each status, ISO. */
  earliest: Partial<Record<DeliveryStatusValue, string>>;
}

const minIso = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : a < b ? a : b;

export function emptyFacts(sessionId: string, providerMessageId: string, recipient: string): MessageFacts {
  return { sessionId, providerMessageId, recipient, registration: null, earliest: {} };
}

export function withStatus(facts: MessageFacts, status: DeliveryStatusValue, at: string): MessageFacts {
  return { ...facts, earliest: { ...facts.earliest, [status]: minIso(facts.earliest[status], at) } };
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
}

export function minuteOf(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ') + ':00';
}

/** The message's place in the rollups, or null while it has no send time. */
export function cohortRow(f: MessageFacts): CohortRow | null {
  const at = sendTime(f);
  if (!at) return null;
  const delivered = deliveredAt(f) ? 1 : 0;
  return {
    minute: minuteOf(at),
    delivered,
    read: readAt(f) ? 1 : 0,
    failed: f.earliest.failed && !delivered ? 1 : 0,
  };
}

export const sameCohortRow = (a: CohortRow | null, b: CohortRow | null) =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.minute === b.minute &&
    a.delivered === b.delivered &&
    a.read === b.read &&
    a.failed === b.failed);

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
